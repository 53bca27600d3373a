#!/bin/bash
# scale.sh CLI PLUGIN TESTDATA - two gateways on one PostgreSQL (issue 14).
# A PostgreSQL server (tests/pg.sh, outside the namespace) holds the Orthanc
# index and storage of both gateways (orthanc-postgresql, "Lock": false),
# dcmguard's key store and its journal. storescu senders are spread over
# the two gateways; the archive is down at first.
#   1. gw1 is killed with SIGKILL in the middle of an ingest;
#   2. the archive starts late, and gw1 is killed again while forwarding:
#      every acknowledged instance reaches the archive through gw2, which
#      takes gw1's leases over once they run out;
#   3. every instance in the shared index is protected and restores, through
#      either gateway, to one of the originals, and every acknowledged
#      original comes back;
#   4. PostgreSQL stopped: an ingest is refused with a failure status and
#      nothing is stored; PostgreSQL back: the same file is stored protected.
# Originals and restored files are compared by the SHA-256 of their dataset
# (dcmconv -F: Orthanc writes its own File Meta Information on reception).
source "$(dirname "$0")/../pg.sh"
pg_test_begin "$@"
source "$(dirname "$0")/lib.sh"
gateway_test_begin "$@"
SERIES=("$DATA"/series/*/*)
ORTHANC_PG=/usr/share/orthanc/plugins
[ -f "$ORTHANC_PG/libOrthancPostgreSQLIndex.so" ] || { echo "SKIP: no orthanc-postgresql"; exit 77; }
pg_createdb orthanc >/dev/null || { fail "cannot create the Orthanc database"; summary; exit; }

gateway_start() { # NAME HTTP DICOM
    orthanc_start "$1" "$2" "$3" "GW" ", \"Plugins\": [\"$PLUGIN\",
        \"$ORTHANC_PG/libOrthancPostgreSQLIndex.so\", \"$ORTHANC_PG/libOrthancPostgreSQLStorage.so\"],
      \"PostgreSQL\": { \"EnableIndex\": true, \"EnableStorage\": true, \"Lock\": false,
        \"Host\": \"$PG_BASE\", \"Port\": 5432, \"Database\": \"orthanc\", \"Username\": \"postgres\",
        \"Password\": \"\", \"MaximumConnectionRetries\": 2, \"ConnectionRetryInterval\": 1 },
      \"DicomModalities\": { \"archive\": [\"ARCHIVE\", \"127.0.0.1\", 4250] },
      \"DcmGuard\": { \"MasterKey\": \"$KEY\", \"KeyStore\": \"$PG_URI\", \"ForwardTo\": \"archive\",
        \"ForwardLease\": 5, \"ForwardTimeout\": 10, \"ForwardRetryFirst\": 1, \"ForwardRetryMax\": 2,
        \"EnableRestoreRoutes\": true }"
}

# acked OUT...: the files storescu's reports (cstore) say were stored.
acked() { awk '$1 == "Success" { print $2 }' "$@"; }

# ds_sha FILE: the SHA-256 of FILE's dataset, without its File Meta Information.
ds_sha() { dcmconv -F "$1" "$TMP/ds.tmp" && sha "$TMP/ds.tmp"; }

# pending: the journal's instances still to forward (the same on every node).
pending() { api 8043 /dcmguard/status | jq '.Journal.ForwardPending'; }

for f in "${SERIES[@]}"; do ds_sha "$f"; done | sort >"$TMP/original.sha"
gateway_start gw1 8042 4242 || { fail "gw1 did not start: $(tail -3 "$TMP/gw1/log")"; summary; exit; }
gateway_start gw2 8043 4243 || { fail "gw2 did not start: $(tail -3 "$TMP/gw2/log")"; summary; exit; }

# 1. Senders on both gateways; gw1 killed in the middle of the third batch.
cstore 4242 GW "$TMP/a.txt" "${SERIES[@]:0:18}" &
first=$!
cstore 4243 GW "$TMP/b.txt" "${SERIES[@]:18:18}"
wait "$first"
expect "every instance of the first two batches is acknowledged" \
    [ "$(acked "$TMP/a.txt" "$TMP/b.txt" | wc -l)" = 36 ]
cstore 4242 GW "$TMP/c.txt" "${SERIES[@]:36}" &
sender=$!
for _ in $(seq 100); do # until gw1 has stored a few of the third batch
    [ "$(api 8043 /instances | jq length)" -ge 40 ] && break
    sleep 0.05
done
kill -KILL "$(cat "$TMP/gw1/pid")"
wait "$sender"
orthanc_reap gw1
echo "gw1 killed mid-ingest: $(acked "$TMP/c.txt" | wc -l) of ${#SERIES[@]} - 36 acknowledged before"
acked "$TMP"/[abc].txt >"$TMP/acked.txt"

# 2. The archive starts late; gw1 comes back and is killed again while forwarding.
gateway_start gw1 8042 4242 || fail "gw1 did not restart: $(tail -3 "$TMP/gw1/log")"
orthanc_start archive 8050 4250 ARCHIVE ", \"DicomModalities\": {
    \"gw1\": [\"GW\", \"127.0.0.1\", 4242], \"gw2\": [\"GW\", \"127.0.0.1\", 4243] }"
sleep 1.5
kill -KILL "$(cat "$TMP/gw1/pid")"
orthanc_reap gw1
orphans=$(pg_psql dcmguard -tA -c "SELECT count(*) FROM dcmguard.journal WHERE forward = 1 AND lease_until > 0")
echo "gw1 killed while forwarding, holding $orphans lease(s); archive has $(api 8050 /instances | jq length)"
for _ in $(seq 120); do
    [ "$(pending)" = 0 ] && break
    sleep 0.5
done
expect "the journal has nothing left to forward" [ "$(pending)" = 0 ]
mkdir -p "$TMP/archived"
for id in $(api 8050 /instances | jq -r '.[]'); do api 8050 "/instances/$id/file" -o "$TMP/archived/$id.dcm"; done
expect "the archive holds protected files only" \
    [ "$("$CLI" inspect "$TMP"/archived/*.dcm | grep -c '^protected: yes')" = "$(ls "$TMP/archived" | wc -l)" ]
"$CLI" restore -k "$KEY" -s "$PG_URI" -o "$TMP/archive-back" "$TMP/archived" 2>"$TMP/archive-restore.err"
expect "every archived instance restores" [ ! -s "$TMP/archive-restore.err" ]
for f in "$TMP"/archive-back/*; do ds_sha "$f"; done | sort -u >"$TMP/archive.sha"
missing=0
while read -r f; do grep -qx "$(ds_sha "$f")" "$TMP/archive.sha" || missing=$((missing + 1)); done <"$TMP/acked.txt"
echo "archive: $(wc -l <"$TMP/archive.sha") distinct originals; $(wc -l <"$TMP/acked.txt") acknowledged, $missing missing"
expect "every acknowledged instance reached the archive (through gw2)" [ "$missing" = 0 ]

# 3. Everything in the shared index is protected and restores through either node.
gateway_start gw1 8042 4242 || fail "gw1 did not restart: $(tail -3 "$TMP/gw1/log")"
n=0 bad=0
: >"$TMP/index.sha"
for id in $(api 8043 /instances | jq -r '.[]'); do
    port=$((8042 + n % 2)) n=$((n + 1))
    api "$port" "/instances/$id/file" -o "$TMP/s.dcm" && "$CLI" inspect "$TMP/s.dcm" | grep -q '^protected: yes' &&
        [ "$(http_code $((8043 - n % 2)) /dcmguard/restore -X POST --data-binary @"$TMP/s.dcm" -o "$TMP/r.dcm")" = 200 ] &&
        r=$(ds_sha "$TMP/r.dcm") && grep -qx "$r" "$TMP/original.sha" && echo "$r" >>"$TMP/index.sha" ||
        bad=$((bad + 1))
done
missing=0
while read -r f; do grep -qx "$(ds_sha "$f")" "$TMP/index.sha" || missing=$((missing + 1)); done <"$TMP/acked.txt"
echo "index: $n instances, $bad not protected or not restorable; $missing acknowledged missing"
expect "every stored instance is protected and restores through either gateway" [ "$n" -gt 0 ] && [ "$bad" = 0 ]
expect "nothing acknowledged is lost" [ "$missing" = 0 ]

# 3a. Storage commitment, asked of the gateway that did not receive the instances.
# commit_ask NODE FILES...: the archive asks NODE about FILES' original UIDs; prints how many succeed.
commit_ask() {
    local node=$1 tx f
    shift
    for f in "$@"; do
        dcmdump -q -Un +P SOPClassUID +P SOPInstanceUID "$f" | sed 's/.*\[\(.*\)\].*/\1/' | paste -sd' '
    done | jq -Rsc 'split("\n") | map(select(length > 0) | split(" ") |
        {SOPClassUID: .[0], SOPInstanceUID: .[1]}) | {DicomInstances: .}' >"$TMP/ask.json"
    tx=$(api 8050 "/modalities/$node/storage-commitment" -X POST -d @"$TMP/ask.json" | jq -r .ID)
    for _ in $(seq 100); do
        api 8050 "/storage-commitment/$tx" >"$TMP/commit.json" &&
            [ "$(jq -r .Status "$TMP/commit.json")" != Pending ] && break
        sleep 0.1
    done
    jq '.Success | length' "$TMP/commit.json"
}
mapfile -t acked_a < <(acked "$TMP/a.txt")
mapfile -t acked_b < <(acked "$TMP/b.txt")
expect "storage commitment: gw2 answers success for the ${#acked_a[@]} instances sent to gw1" \
    [ "$(commit_ask gw2 "${acked_a[@]}")" = "${#acked_a[@]}" ]
expect "storage commitment: gw1 answers success for the ${#acked_b[@]} instances sent to gw2" \
    [ "$(commit_ask gw1 "${acked_b[@]}")" = "${#acked_b[@]}" ]

# 3b. One single-use pad, 8 concurrent restores through the two gateways: exactly one original.
one=$DATA/files/pydicom_CT_small.dcm
"$CLI" protect --otp-policy single-use -k "$KEY" -s "$PG_URI" -o "$TMP/single.dcm" "$one" ||
    fail "protect --otp-policy single-use on the PostgreSQL store"
restores=()
for i in 0 1 2 3 4 5 6 7; do
    http_code $((8042 + i % 2)) /dcmguard/restore -X POST --data-binary @"$TMP/single.dcm" \
        -o "$TMP/single-$i.dcm" >"$TMP/single-$i.code" &
    restores+=($!)
done
wait "${restores[@]}"
want=$(sha "$one") originals=0
for i in 0 1 2 3 4 5 6 7; do
    [ "$(cat "$TMP/single-$i.code")" = 200 ] && [ "$(sha "$TMP/single-$i.dcm")" = "$want" ] &&
        originals=$((originals + 1))
done
echo "8 concurrent restores of one single-use pad through two gateways: $originals original(s)," \
    "HTTP answers: $(for i in 0 1 2 3 4 5 6 7; do cat "$TMP/single-$i.code"; echo; done | sort | uniq -c | tr -s ' \n' ' ')"
expect "exactly one of 8 concurrent restores of a single-use pad gets the original" [ "$originals" = 1 ]

# 4. PostgreSQL stopped: refused and not stored; back: stored protected.
extra=$DATA/files/pydicom_CT_small.dcm
before=$(api 8043 /instances | jq length)
expect "PostgreSQL stops" pg_request stop
cstore 4243 GW "$TMP/down.txt" "$extra"
echo "with PostgreSQL stopped: $(cat "$TMP/down.txt")"
expect "with PostgreSQL stopped the ingest is refused with a failure status" \
    [ "$(acked "$TMP/down.txt" | wc -l)" = 0 ] && grep -qv '^unsent' "$TMP/down.txt"
expect "PostgreSQL starts again" pg_request start
for _ in $(seq 60); do api 8043 /instances >/dev/null 2>&1 && break; sleep 0.5; done
expect "the refused instance was not stored" [ "$(api 8043 /instances | jq length)" = "$before" ]
# Orthanc's PostgreSQL index fails the first store after a server restart
# (its connection is dead; it reconnects on the next one): a sender retries.
for try in 1 2 3; do
    cstore 4243 GW "$TMP/up.txt" "$extra"
    [ "$(acked "$TMP/up.txt" | wc -l)" = 1 ] && break
    sleep 1
done
echo "PostgreSQL back: stored at attempt $try"
expect "PostgreSQL back: the same instance is stored" [ "$(acked "$TMP/up.txt" | wc -l)" = 1 ]
expect "...protected" [ "$(api 8043 /instances | jq length)" = $((before + 1)) ]
for id in $(api 8043 /instances | jq -r '.[]'); do api 8043 "/instances/$id/file" -o "$TMP/all-$id.dcm"; done
expect "nothing in the index is unprotected" \
    [ "$("$CLI" inspect "$TMP"/all-*.dcm | grep -c '^protected: yes')" = $((before + 1)) ]
summary
