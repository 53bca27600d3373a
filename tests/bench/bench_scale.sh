#!/bin/bash
# bench_scale.sh [COPIES] [ROUNDS] - ingest throughput of 1 and 2 gateways on
# one PostgreSQL (docs/scaling.md). A PostgreSQL server (tests/pg.sh) holds
# the Orthanc index and storage (orthanc-postgresql, "Lock": false), the key
# store and the journal. COPIES copies of the 54-slice CT series (new UIDs,
# dcmodify) are sent by 4 storescu senders at once: to one gateway, or two
# senders to each of two gateways; rounds alternate, each on fresh databases.
# Prints instances/s per configuration and the database writes per instance
# (transactions committed and rows inserted, updated, deleted, from
# PostgreSQL's statistics, split into Orthanc's database and dcmguard's).
# CLI=... PLUGIN=... use those builds instead of a Release tree in build-bench/.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
COPIES=${1:-4}
ROUNDS=${2:-2}
if [ -z "${DGO_IN_NETNS:-}" ] && [ -z "${CLI:-}" ]; then
    cmake -S "$ROOT" -B "$ROOT/build-bench" -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build "$ROOT/build-bench" -j "$(nproc)" --target dcmguard_cli dcmguard_orthanc -- --no-print-directory >/dev/null
    export CLI=$ROOT/build-bench/dcmguard PLUGIN=$ROOT/build-bench/orthanc-glue/libdcmguard_orthanc.so
fi
export CLI PLUGIN=$(realpath "$PLUGIN")
source "$ROOT/tests/pg.sh"
pg_test_begin "$COPIES" "$ROUNDS"
source "$ROOT/tests/lib.sh"
source "$ROOT/tests/orthanc/lib.sh"
ip link set lo up
trap 'stop_all; rm -rf "$TMP"' EXIT
ORTHANC_PG=/usr/share/orthanc/plugins
KEY=$TMP/master.key
"$CLI" keygen -o "$KEY" >/dev/null

# The instances: COPIES copies of the series, each with new Study, Series and SOP Instance UIDs.
mapfile -t SERIES < <(find "$ROOT/testdata/series" -type f | sort)
for c in $(seq "$COPIES"); do
    mkdir -p "$TMP/in/$c"
    cp "${SERIES[@]}" "$TMP/in/$c/"
    dcmodify -nb -gst -gse -gin "$TMP/in/$c"/* >/dev/null 2>&1
done
mapfile -t FILES < <(find "$TMP/in" -type f | sort)
N=${#FILES[@]}
cat "${FILES[@]}" >/dev/null

gateway_start() { # NAME HTTP DICOM
    orthanc_start "$1" "$2" "$3" "GW" ", \"Plugins\": [\"$PLUGIN\",
        \"$ORTHANC_PG/libOrthancPostgreSQLIndex.so\", \"$ORTHANC_PG/libOrthancPostgreSQLStorage.so\"],
      \"PostgreSQL\": { \"EnableIndex\": true, \"EnableStorage\": true, \"Lock\": false,
        \"Host\": \"$PG_BASE\", \"Port\": 5432, \"Database\": \"orthanc\", \"Username\": \"postgres\",
        \"Password\": \"\", \"IndexConnectionsCount\": 4 },
      \"DcmGuard\": { \"MasterKey\": \"$KEY\", \"KeyStore\": \"$PG_URI\" }" >/dev/null
}

fresh_databases() {
    PGOPTIONS='-c client_min_messages=warning' pg_psql postgres -c 'DROP DATABASE IF EXISTS orthanc' -c 'DROP DATABASE IF EXISTS dcmguard' \
        -c 'CREATE DATABASE orthanc' -c 'CREATE DATABASE dcmguard' >/dev/null
}

# writes DB: "commits inserted updated deleted" so far in database DB (after a flush of the statistics).
writes() {
    pg_psql "$1" -tA -F ' ' -c "SELECT (SELECT xact_commit FROM pg_stat_database WHERE datname = '$1'),
        coalesce(sum(n_tup_ins), 0), coalesce(sum(n_tup_upd), 0), coalesce(sum(n_tup_del), 0)
        FROM pg_stat_user_tables"
}

# run GATEWAYS: one timed ingest of every file by 4 senders; prints seconds and the writes.
run() {
    local gws=$1 t0 t1 pids=() s
    fresh_databases
    gateway_start gw1 8042 4242
    [ "$gws" = 2 ] && gateway_start gw2 8043 4243
    sleep 2
    read -r o0 oi0 ou0 od0 < <(writes orthanc)
    read -r d0 di0 du0 dd0 < <(writes dcmguard)
    t0=$(date +%s.%N)
    for s in 0 1 2 3; do
        part=()
        for ((i = s; i < N; i += 4)); do part+=("${FILES[i]}"); done
        port=$((gws == 2 ? 4242 + s % 2 : 4242))
        storescu -aet SENDER$s -aec GW -xt 127.0.0.1 "$port" "${part[@]}" 2>/dev/null &
        pids+=($!)
    done
    wait "${pids[@]}"
    t1=$(date +%s.%N)
    [ "$(api 8042 /statistics | jq .CountInstances)" = "$N" ] || { echo "not all $N instances stored" >&2; exit 1; }
    stop_all
    sleep 1.5 # the servers' statistics reach the shared memory when their sessions end
    read -r o1 oi1 ou1 od1 < <(writes orthanc)
    read -r d1 di1 du1 dd1 < <(writes dcmguard)
    awk -v a="$t0" -v b="$t1" -v n="$N" -v g="$gws" \
        -v oc=$((o1 - o0)) -v ow=$((oi1 - oi0 + ou1 - ou0 + od1 - od0)) \
        -v dc=$((d1 - d0)) -v dw=$((di1 - di0 + du1 - du0 + dd1 - dd0)) \
        'BEGIN { printf "| %d gateway(s) | %.2f | %.1f | %.1f | %.1f | %.1f | %.1f |\n",
                 g, b - a, n / (b - a), oc / n, ow / n, dc / n, dw / n }'
}

echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg);" \
    "PostgreSQL $(pg_psql postgres -tA -c 'SHOW server_version'); $N instances, 4 senders, $ROUNDS rounds"
echo
echo "| configuration | seconds | instances/s | Orthanc DB commits / instance | Orthanc rows written / instance | dcmguard DB commits / instance | dcmguard rows written / instance |"
echo "|---|---|---|---|---|---|---|"
for r in $(seq "$ROUNDS"); do
    run 1
    run 2
done
