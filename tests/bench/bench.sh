#!/bin/bash
# bench.sh [SERIES_DIR] - the protect benchmark: dcmguard against DCMTK's
# dcmcjpls on the same files, in the same run. Prints a markdown table
# (files/s, MB/s, output size, compression ratio, peak memory) and the
# codec-overhead figures of bench_codec. Default series: the 54-slice CT
# phantom in testdata/. Builds a Release tree in build-bench/.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SERIES=${1:-$ROOT/testdata/series/ct_philips_phantom_55}
command -v /usr/bin/time >/dev/null || { echo "bench.sh needs GNU time: apt-get install time" >&2; exit 1; }
cmake -S "$ROOT" -B "$ROOT/build-bench" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$ROOT/build-bench" -j "$(nproc)" -- --no-print-directory >/dev/null
CLI=$ROOT/build-bench/dcmguard
TMP=$(mktemp -d /tmp/dcmguard-bench.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
"$CLI" keygen -o "$TMP/key"
mapfile -t FILES < <(find "$SERIES" -type f | sort)
N=${#FILES[@]}
IN_BYTES=$(cat "${FILES[@]}" | wc -c)
# Warm the page cache so that every contender reads from memory.
cat "${FILES[@]}" >/dev/null

# run NAME OUTDIR COMMAND... : times COMMAND (wall seconds, peak RSS in KB).
run() {
    local name=$1 out=$2; shift 2
    rm -rf "$out"; mkdir -p "$out"
    /usr/bin/time -f "%e %M" -o "$TMP/time" "$@"
    read -r secs rss <"$TMP/time"
    local bytes
    bytes=$(find "$out" -type f -print0 | xargs -0 cat | wc -c)
    awk -v n="$N" -v s="$secs" -v inb="$IN_BYTES" -v outb="$bytes" -v rss="$rss" -v name="$name" \
        'BEGIN { printf "| %s | %.2f | %.1f | %.1f | %.1f | %.3f | %.1f |\n", name, s, n / s, inb / 1e6 / s, outb / 1e6, inb / outb, rss / 1024 }'
}

# One process per file, as a storescp hook runs them (GNU time needs a real command, hence bash -c).
PER_FILE_CJPLS='out=$1; shift; for f in "$@"; do dcmcjpls "$f" "$out/${f##*/}"; done'
PER_FILE_GUARD='cli=$1 key=$2 out=$3; shift 3; for f in "$@"; do "$cli" protect -k "$key" -s "$key.ks" -o "$out/${f##*/}" "$f"; done'

echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; $N files, $(awk -v b="$IN_BYTES" 'BEGIN{printf "%.1f", b/1e6}') MB"
echo
echo "| run | seconds | files/s | MB/s (input) | output MB | input/output | peak RSS MB |"
echo "|---|---|---|---|---|---|---|"
for round in 1 2; do
    run "dcmcjpls, one process per file (JPEG-LS only, no encryption) #$round" "$TMP/cjpls" bash -c "$PER_FILE_CJPLS" _ "$TMP/cjpls" "${FILES[@]}"
    run "dcmguard protect, one process per file #$round" "$TMP/pf" bash -c "$PER_FILE_GUARD" _ "$CLI" "$TMP/key" "$TMP/pf" "${FILES[@]}"
    run "dcmguard protect, one batch, all cores #$round" "$TMP/batch" "$CLI" protect -k "$TMP/key" -s "$TMP/ks" -o "$TMP/batch" "$SERIES"
    run "dcmguard protect, one batch, --threads 1 #$round" "$TMP/one" "$CLI" protect --threads 1 -k "$TMP/key" -s "$TMP/ks" -o "$TMP/one" "$SERIES"
done
echo
echo "JPEG-LS inside the pipeline against a bare CharLS loop (one thread, best of 5):"
"$ROOT/build-bench/bench_codec" "${FILES[@]}"
