#!/bin/bash
# bench_large.sh [ROUNDS] - one large multi-frame instance: dcmguard protect
# and restore against DCMTK's dcmcjpls on the same file, in the same run.
# The file: 400 frames of 512 x 512, 16 bits allocated (12 stored), 210 MB,
# made from the 54 CT slices of testdata/ (frame i = slice i mod 54) with
# dump2dcm (Multi-frame Grayscale Word Secondary Capture). Prints a markdown
# table: wall seconds, CPU seconds (user + system), peak resident memory
# (GNU time's maximum RSS) and its ratio to the file size, and the ratio of
# protect's wall time to dcmcjpls's in the same round. Restore is checked
# byte for byte. CLI=path uses that dcmguard instead of building a Release
# tree in build-bench/ (as bench.sh does).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
ROUNDS=${1:-3}
SERIES=$ROOT/testdata/series/ct_philips_phantom_55
command -v /usr/bin/time >/dev/null || { echo "bench_large.sh needs GNU time: apt-get install time" >&2; exit 1; }
if [ -z "${CLI:-}" ]; then
    cmake -S "$ROOT" -B "$ROOT/build-bench" -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build "$ROOT/build-bench" -j "$(nproc)" --target dcmguard_cli -- --no-print-directory >/dev/null
    CLI=$ROOT/build-bench/dcmguard
fi
TMP=$(mktemp -d /tmp/dcmguard-bench-large.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

# The 400-frame file: the first slice's header, the frames' pixel bytes from every slice in turn.
mapfile -t SLICES < <(find "$SERIES" -type f | sort -V)
FRAME=$((512 * 512 * 2))
for i in $(seq 0 399); do tail -c "$FRAME" "${SLICES[$((i % ${#SLICES[@]}))]}"; done >"$TMP/pixels.raw"
dcmdump -q "${SLICES[0]}" | grep -v -e '^(7fe0,0010)' -e '^(0002,0000)' -e '^#' -e '^$' |
    sed -e 's/ *#.*$//' -e 's/^(0002,0002) UI .*/(0002,0002) UI [1.2.840.10008.5.1.4.1.1.7.3]/' \
        -e 's/^(0008,0016) UI .*/(0008,0016) UI [1.2.840.10008.5.1.4.1.1.7.3]/' >"$TMP/dump.txt"
printf '(0028,0008) IS [400]\n(7fe0,0010) OW =%s\n' "$TMP/pixels.raw" >>"$TMP/dump.txt"
dump2dcm +l 300000000 "$TMP/dump.txt" "$TMP/large.dcm" >/dev/null
rm "$TMP/pixels.raw"
SIZE=$(stat -c %s "$TMP/large.dcm")
"$CLI" keygen -o "$TMP/key" >/dev/null
cat "$TMP/large.dcm" >/dev/null # page cache

# timed NAME COMMAND...: runs it under GNU time; prints "wall cpu rss_kb" and a table row.
timed() {
    local name=$1
    shift
    /usr/bin/time -f "%e %U %S %M" -o "$TMP/time" "$@" >/dev/null 2>"$TMP/err" || { cat "$TMP/err" >&2; exit 1; }
    read -r wall user sys rss <"$TMP/time"
    LAST_WALL=$wall
    awk -v n="$name" -v w="$wall" -v u="$user" -v s="$sys" -v r="$rss" -v size="$SIZE" -v ref="${REF_WALL:-0}" \
        'BEGIN { printf "| %s | %.2f | %.2f | %.0f | %.2f | %s |\n", n, w, u + s, r / 1024, r * 1024 / size,
                 (ref > 0 ? sprintf("%.2f", w / ref) : "") }'
}

echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg);" \
    "file: 400 x 512 x 512 x 16 bits, $(awk -v b="$SIZE" 'BEGIN { printf "%.1f", b / 1e6 }') MB"
echo
echo "| run | wall s | CPU s | peak RSS MB | peak RSS / file | wall / dcmcjpls |"
echo "|---|---|---|---|---|---|"
for round in $(seq "$ROUNDS"); do
    REF_WALL=0
    rm -f "$TMP/cjpls.dcm" "$TMP/prot.dcm" "$TMP/back.dcm" "$TMP/ks"*
    timed "dcmcjpls (JPEG-LS only) #$round" dcmcjpls "$TMP/large.dcm" "$TMP/cjpls.dcm"
    REF_WALL=$LAST_WALL
    timed "dcmguard protect #$round" "$CLI" protect -k "$TMP/key" -s "$TMP/ks" -o "$TMP/prot.dcm" "$TMP/large.dcm"
    timed "dcmguard restore #$round" "$CLI" restore -k "$TMP/key" -s "$TMP/ks" -o "$TMP/back.dcm" "$TMP/prot.dcm"
    cmp -s "$TMP/back.dcm" "$TMP/large.dcm" || { echo "restore is not the original" >&2; exit 1; }
done
echo
echo "sizes: dcmcjpls $(stat -c %s "$TMP/cjpls.dcm") bytes, protected $(stat -c %s "$TMP/prot.dcm") bytes"
