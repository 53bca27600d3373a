#!/bin/bash
# keystore_pg.sh TEST_KEYSTORE_PG TEST_QUEUE CLI TESTDATA: the key store and
# the gateway's journal on a PostgreSQL server started here (tests/pg.sh):
# the C tests of tests/unit/test_keystore_pg.c and tests/orthanc/test_queue.c,
# then the CLI on a postgresql:// store: four protect processes at once, one
# restore of everything (SHA-256 equal), keys, 8 concurrent restores of a
# single-use pad, the audit trail (one chain, edits and removals found).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/pg.sh"
trap 'pg_stop; rm -rf "$TMP"' EXIT
TEST=$1 QUEUE=$2 CLI=$3 DATA=$4
pg_start || exit 1
for db in ks_basic ks_race ks_threads ks_version ks_foreign ks_restart journal; do
    pg_createdb "$db" >/dev/null || exit 1
done
pg_psql postgres -c "CREATE DATABASE ks_pw OWNER dgpw" >/dev/null || exit 1
export DG_PG_HALT="bash -c 'source $(dirname "$0")/pg.sh; PG_BASE=$PG_BASE; pg_halt'"
export DG_PG_RESUME="bash -c 'source $(dirname "$0")/pg.sh; PG_BASE=$PG_BASE; pg_resume'"
expect "the key store's C tests on PostgreSQL" "$TEST" "$PG_BASE"
expect "the journal's C tests on PostgreSQL" "$QUEUE" "$DATA/files" \
    "postgresql:///journal?host=$PG_BASE&user=postgres"

# The CLI: four protect processes on one store, then restore through another.
"$CLI" keygen -o "$TMP/key" >/dev/null || fail keygen
mapfile -t files < <(find "$DATA/series" -type f | sort | head -n 24)
[ ${#files[@]} -ge 8 ] || fail "fewer than 8 files in $DATA/series"
for p in 0 1 2 3; do
    part=()
    for ((i = p; i < ${#files[@]}; i += 4)); do part+=("${files[i]}"); done
    mkdir -p "$TMP/in$p" && cp "${part[@]}" "$TMP/in$p/"
    "$CLI" protect -k "$TMP/key" -s "$PG_URI" -o "$TMP/prot$p" "$TMP/in$p" 2>"$TMP/protect$p.err" &
done
wait
cat "$TMP"/protect?.err >&2
for p in 0 1 2 3; do [ -s "$TMP/protect$p.err" ] && fail "protect process $p refused a file"; done
expect "keys list on PostgreSQL" "$CLI" keys list -s "$PG_URI" --json >"$TMP/keys.json"
pads=$(grep -o '"id"' "$TMP/keys.json" | wc -l)
[ "$pads" -eq ${#files[@]} ] && ok || fail "keys list shows $pads pads for ${#files[@]} files"
for p in 0 1 2 3; do
    "$CLI" restore -k "$TMP/key" -s "$PG_URI" -o "$TMP/back$p" "$TMP/prot$p" 2>>"$TMP/restore.err"
done
[ -s "$TMP/restore.err" ] && fail "restore refused: $(head -3 "$TMP/restore.err")"
same=0
for p in 0 1 2 3; do
    for f in "$TMP/in$p"/*; do
        b=$TMP/back$p/$(basename "$f")
        [ -f "$f" ] && [ -f "$b" ] && [ "$(sha "$f")" = "$(sha "$b")" ] && same=$((same + 1))
    done
done
[ $same -eq ${#files[@]} ] && ok || fail "$same of ${#files[@]} files restored bit for bit"
# The 4 processes drew the store's pseudonym secret at once: one won, all use it (issue 12).
npids=$(for f in "$TMP"/prot?/*; do dcmdump +P PatientID "$f" 2>/dev/null; done | sort -u | wc -l)
[ "$npids" = 1 ] && ok || fail "one patient got $npids pseudonyms from 4 processes on one store"
echo "$same of ${#files[@]} files protected by 4 processes and restored through PostgreSQL"
# One single-use pad, 8 restore processes at once: exactly one original.
one=${files[0]}
"$CLI" protect --otp-policy single-use -k "$TMP/key" -s "$PG_URI" -o "$TMP/single.dcm" "$one" || fail "single-use protect"
pids=()
for i in 0 1 2 3 4 5 6 7; do
    "$CLI" restore -k "$TMP/key" -s "$PG_URI" -o "$TMP/single-$i.dcm" "$TMP/single.dcm" 2>"$TMP/single-$i.err" &
    pids+=($!)
done
wait "${pids[@]}"
originals=0
for i in 0 1 2 3 4 5 6 7; do
    [ -f "$TMP/single-$i.dcm" ] && [ "$(sha "$TMP/single-$i.dcm")" = "$(sha "$one")" ] && originals=$((originals + 1))
done
echo "8 concurrent CLI restores of one single-use pad on PostgreSQL: $originals original(s)"
[ "$originals" = 1 ] && ok || fail "$originals of 8 concurrent restores of a single-use pad got the original"
# The audit trail on PostgreSQL: one chain for the 4 + 4 + 8 processes above.
"$CLI" audit list -s "$PG_URI" --json >"$TMP/audit.json" || fail "audit list on PostgreSQL"
records=$(grep -o '"seq"' "$TMP/audit.json" | wc -l)
protects=$(grep -o '"action": *"protect"' "$TMP/audit.json" | wc -l)
echo "audit trail on PostgreSQL: $records records, $protects protect"
[ "$protects" -ge $((${#files[@]} + 1)) ] && ok || fail "$protects protect records for $((${#files[@]} + 1)) files"
expect "the audit chain written by concurrent processes verifies" "$CLI" audit verify -s "$PG_URI"
pg_psql dcmguard -c "UPDATE dcmguard.audit SET outcome = 'success (edited)' WHERE seq = 3" >/dev/null
refuse "audit verify finds a record edited in PostgreSQL" "$CLI" audit verify -s "$PG_URI"
pg_psql dcmguard -c "DELETE FROM dcmguard.audit WHERE seq = 3" >/dev/null
refuse "audit verify finds a record removed in PostgreSQL" "$CLI" audit verify -s "$PG_URI"
# A password in the store URI is refused before anything is done.
refuse "a password in the URI" "$CLI" keys list -s "postgresql://postgres:pw@/dcmguard?host=$PG_BASE"
summary
