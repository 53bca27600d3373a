#!/bin/bash
# bench_orthanc.sh [SERIES_DIR] [ROUNDS] - the gateway's ingest benchmark.
# Sends the CT series with storescu (one association, TCP_NODELAY=1) to
#   (a) a plain Orthanc,
#   (b) Orthanc with "IngestTranscoding": JPEG-LS lossless (compression, no encryption),
#   (c) Orthanc with the dcmguard plugin (JPEG-LS tiles + AES-256 + HMAC, de-identified header),
#   (d) the same with "Threads": 1 (tiles one after the other),
#   (e) the plain Orthanc of (a) without TCP_NODELAY (what Debian's DCMTK does by default),
# in the same run, the contenders interleaved round after round, each round
# on a fresh Orthanc (start-up not timed), on a private loopback
# (unshare -rn). Prints a markdown table: median seconds, instances/s,
# MB/s, stored MB, and the ratios to (a) and (b). Builds a Release tree in
# build-bench/ (as bench.sh does).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SERIES=${1:-$ROOT/testdata/series/ct_philips_phantom_55}
ROUNDS=${2:-5}
if [ -z "${DGO_IN_NETNS:-}" ]; then
    cmake -S "$ROOT" -B "$ROOT/build-bench" -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build "$ROOT/build-bench" -j "$(nproc)" --target dcmguard_cli dcmguard_orthanc -- --no-print-directory >/dev/null
    exec unshare -rn env DGO_IN_NETNS=1 bash "$0" "$SERIES" "$ROUNDS"
fi
ip link set lo up
export TCP_NODELAY=1
CLI=$ROOT/build-bench/dcmguard
PLUGIN=$ROOT/build-bench/orthanc-glue/libdcmguard_orthanc.so
TMP=$(mktemp -d /tmp/dcmguard-bench-orthanc.XXXXXX)
PID=
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null; wait; rm -rf "$TMP"' EXIT
"$CLI" keygen -o "$TMP/master.key" >/dev/null
mapfile -t FILES < <(find "$SERIES" -type f | sort)
N=${#FILES[@]}
IN_BYTES=$(cat "${FILES[@]}" | wc -c)
cat "${FILES[@]}" >/dev/null # page cache

extra() { # the configuration of each contender
    case $1 in
    a | e) echo '' ;;
    b) echo ', "IngestTranscoding": "1.2.840.10008.1.2.4.80"' ;;
    c | d) echo ", \"Plugins\": [\"$PLUGIN\"], \"DcmGuard\": { \"MasterKey\": \"$TMP/master.key\",
              \"KeyStore\": \"$TMP/keys.db\", \"Journal\": \"$TMP/journal.db\"
              $([ "$1" = d ] && echo ', "Threads": 1') }" ;;
    esac
}

# run X: one timed send to a fresh Orthanc of kind X; prints "seconds stored_bytes".
run() {
    local dir=$TMP/$1 t0 t1 stored
    rm -rf "$dir" "$TMP"/journal.db* "$TMP"/keys.db*
    mkdir -p "$dir"
    cat >"$dir/cfg.json" <<EOF
{ "Name": "bench", "StorageDirectory": "$dir", "IndexDirectory": "$dir", "HttpPort": 8042,
  "DicomPort": 4242, "DicomAet": "BENCH", "RemoteAccessAllowed": false,
  "AuthenticationEnabled": false, "SaveJobs": false, "WebDavUploadAllowed": false $(extra "$1") }
EOF
    # (e) runs Orthanc and storescu without TCP_NODELAY (Nagle's algorithm on).
    env $([ "$1" = e ] && echo -u TCP_NODELAY) Orthanc "$dir/cfg.json" >"$dir/log" 2>&1 &
    PID=$!
    for _ in $(seq 200); do curl -sf http://127.0.0.1:8042/system >/dev/null && break; sleep 0.05; done
    t0=$(date +%s.%N)
    env $([ "$1" = e ] && echo -u TCP_NODELAY) storescu -aet BENCHSCU -aec BENCH -xt 127.0.0.1 4242 "${FILES[@]}" 2>/dev/null
    t1=$(date +%s.%N)
    [ "$(curl -sf http://127.0.0.1:8042/statistics | jq .CountInstances)" = "$N" ] ||
        { echo "run $1: not all $N instances stored" >&2; exit 1; }
    stored=$(curl -sf http://127.0.0.1:8042/statistics | jq -r .TotalDiskSize)
    kill "$PID"
    wait "$PID" 2>/dev/null || true
    PID=
    awk -v a="$t0" -v b="$t1" -v s="$stored" 'BEGIN { printf "%.3f %s\n", b - a, s }'
}

declare -A times sizes
for r in $(seq "$ROUNDS"); do
    for x in a b c d e; do
        read -r secs stored < <(run "$x")
        [ -n "$stored" ] || exit 1
        times[$x]+="$secs "
        sizes[$x]=$stored
    done
done
median() { tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
declare -A med
for x in a b c d e; do med[$x]=$(echo "${times[$x]}" | median); done

echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; Orthanc $(Orthanc --version | head -1 | cut -d' ' -f2); $N files, $(awk -v b="$IN_BYTES" 'BEGIN { printf "%.1f", b / 1e6 }') MB; $ROUNDS rounds"
echo
echo "| contender | seconds per round | median s | instances/s | MB/s | stored MB | time / (a) | time / (b) |"
echo "|---|---|---|---|---|---|---|---|"
name() {
    case $1 in
    a) echo "(a) plain Orthanc" ;;
    b) echo "(b) Orthanc, IngestTranscoding JPEG-LS" ;;
    c) echo "(c) Orthanc + dcmguard plugin" ;;
    d) echo "(d) Orthanc + dcmguard plugin, Threads 1" ;;
    e) echo "(e) plain Orthanc, without TCP_NODELAY" ;;
    esac
}
for x in a b c d e; do
    awk -v n="$N" -v s="${med[$x]}" -v a="${med[a]}" -v b="${med[b]}" -v inb="$IN_BYTES" \
        -v st="${sizes[$x]}" -v all="${times[$x]}" -v name="$(name "$x")" \
        'BEGIN { gsub(/ $/, "", all); gsub(/ /, ", ", all)
                 printf "| %s | %s | %.2f | %.1f | %.1f | %.1f | %.2f | %.2f |\n",
                        name, all, s, n / s, inb / 1e6 / s, st / 1e6, s / a, s / b }'
done
