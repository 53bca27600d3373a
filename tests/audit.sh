#!/bin/bash
# audit.sh CLI TESTDATA - the audit trail of the key store (docs/audit.md):
#   1. key-store creation, protect, restore, restore --deidentified, the
#      single-use claim, destroy (and a refused one), expiry: one record each,
#      with the OS user@host, the right outcome, and no patient value or
#      original UID in any record (text, JSON, XML);
#   2. editing, removing, inserting (a genuine record replayed elsewhere) and
#      reordering records in the SQLite table: each found by audit verify,
#      which names the record; an anchor that no longer matches;
#   3. every record as a DICOM audit message valid against
#      tests/audit-message.rng (xmllint --relaxng);
#   4. --audit-syslog: the messages reach syslog (a /dev/log socket of the
#      test's own, in a private mount namespace), facility authpriv.
. "$(dirname "$0")/lib.sh"
CLI=$1 DATA=$2
S=$TMP/keys.db K=$TMP/key
ME="$(id -un)@$(hostname)"
"$CLI" keygen -o "$K"

# Identifying values injected into a copy of a test file, with fresh original UIDs.
ROOT=1.2.826.0.1.3680043.10.1447.7313
cp "$DATA/files/pydicom_CT_small.dcm" "$TMP/in.dcm"
chmod u+w "$TMP/in.dcm"
dcmodify -nb -q -i "(0010,0010)=Qzvrtlp^Wxmnbq" -i "(0010,0020)=PID-88213407" -i "(0010,0030)=19410723" \
    -i "(0008,0050)=ACC-7719342" -i "(0020,000d)=$ROOT.1" -i "(0020,000e)=$ROOT.2" \
    -i "(0008,0018)=$ROOT.3" "$TMP/in.dcm"
cp "$DATA/files/pydicom_MR_small.dcm" "$TMP/in2.dcm"
chmod u+w "$TMP/in2.dcm"
dcmodify -nb -q -i "(0010,0010)=Qzvrtlp^Wxmnbq" -i "(0008,0018)=$ROOT.4" "$TMP/in2.dcm"
VALUES=(Qzvrtlp Wxmnbq PID-88213407 19410723 ACC-7719342 "$ROOT")

echo "== 1. one record per act, no patient value"
expect "protect (single-use pad)" "$CLI" protect -k "$K" -s "$S" --otp-policy single-use -o "$TMP/p.dcm" "$TMP/in.dcm"
expect "protect (a pad that expires in 1 s)" "$CLI" protect -k "$K" -s "$S" --otp-ttl 1s -o "$TMP/p2.dcm" "$TMP/in2.dcm"
expect "protect (a pad to destroy)" "$CLI" protect -k "$K" -s "$S" -o "$TMP/p3.dcm" "$DATA/files/pydicom_MR_small.dcm"
expect "restore --deidentified" "$CLI" restore -k "$K" -s "$S" --deidentified --allow-burned-in -o "$TMP/d.dcm" "$TMP/p.dcm"
expect "restore" "$CLI" restore -k "$K" -s "$S" -o "$TMP/r.dcm" "$TMP/p.dcm"
expect "the restore gives the original" cmp -s "$TMP/r.dcm" "$TMP/in.dcm"
refuse "a second restore of the single-use pad" "$CLI" restore -k "$K" -s "$S" -o "$TMP/r2.dcm" "$TMP/p.dcm" 2>/dev/null
pad3=$("$CLI" keys list -s "$S" --json | jq -r 'map(select(.expires == "never" and .policy == "reusable")) | .[0].id')
expect "keys destroy" "$CLI" keys destroy -s "$S" "$pad3" >/dev/null
refuse "keys destroy of a pad that is gone" "$CLI" keys destroy -s "$S" "$pad3" 2>/dev/null
sleep 1.2
expect "keys list (opening the store destroys the expired pad)" "$CLI" keys list -s "$S" >/dev/null
"$CLI" audit list -s "$S" --json >"$TMP/audit.json"
"$CLI" audit list -s "$S" >"$TMP/audit.txt"
"$CLI" audit list -s "$S" --xml >"$TMP/audit.xml"
count() { jq --arg a "$1" --arg o "$2" '[.[] | select(.action == $a and (.outcome | startswith($o)))] | length' "$TMP/audit.json"; }
expect "keystore-create: one record" [ "$(count keystore-create success)" = 1 ]
expect "protect: one record per file" [ "$(count protect success)" = 3 ]
expect "restore-deidentified: one record" [ "$(count restore-deidentified success)" = 1 ]
expect "restore: one success" [ "$(count restore success)" = 1 ]
expect "restore: one refusal (the pad is gone)" [ "$(count restore refused)" = 1 ]
expect "pad-claim: one record" [ "$(count pad-claim success)" = 1 ]
expect "pad-destroy: one success with the pad's id" \
    [ "$(jq --arg p "$pad3" '[.[] | select(.action == "pad-destroy" and .outcome == "success" and .pad == $p)] | length' "$TMP/audit.json")" = 1 ]
expect "pad-destroy: one refusal" [ "$(count pad-destroy refused)" = 1 ]
expect "pad-expire: one record" [ "$(count pad-expire success)" = 1 ]
expect "every record names this user and host ($ME)" [ "$(jq --arg m "$ME" 'all(.[]; .actor == $m)' "$TMP/audit.json")" = true ]
pseudo=$(dcmdump -s +P 0008,0018 "$TMP/p.dcm" | sed 's/.*\[\(.*\)\].*/\1/')
expect "the restore record names the pseudonymous instance UID ($pseudo)" \
    [ "$(jq --arg u "$pseudo" '[.[] | select(.action == "restore" and .instance == $u)] | length' "$TMP/audit.json")" = 2 ]
for v in "${VALUES[@]}"; do
    expect "no \"$v\" in any record (text, JSON, XML)" \
        sh -c "! grep -q -i -F -- '$v' '$TMP/audit.json' '$TMP/audit.txt' '$TMP/audit.xml'"
done
expect "the audit trail verifies" "$CLI" audit verify -s "$S" >"$TMP/verify.out"
head=$(sed -n 's/.*head \([0-9]*:[0-9a-f]*\).*/\1/p' "$TMP/verify.out")
expect "--since a future time lists nothing" [ -z "$("$CLI" audit list -s "$S" --since 2100-01-01)" ]
expect "--since 1970-01-01 lists everything" [ "$("$CLI" audit list -s "$S" --since 1970-01-01T00:00:00Z | wc -l)" = "$(wc -l <"$TMP/audit.txt")" ]

echo "== 2. tampering with the SQLite table"
n=$(jq length "$TMP/audit.json")
tamper() { # tamper NAME SQL EXPECTED-MESSAGE
    cp "$S" "$TMP/$1.db"
    chmod 600 "$TMP/$1.db"
    sqlite3 "$TMP/$1.db" "$2"
    "$CLI" audit verify -s "$TMP/$1.db" >"$TMP/$1.out" 2>&1
    local rc=$?
    expect "$1: verify fails (exit $rc): $(cat "$TMP/$1.out")" [ $rc = 1 ]
    expect "$1: verify says which record: $3" grep -q -- "$3" "$TMP/$1.out"
}
tamper edited "UPDATE audit SET actor = 'mallory@elsewhere' WHERE seq = 5" "record 5 was edited"
tamper removed "DELETE FROM audit WHERE seq = 5" "record 5 was removed"
tamper inserted "UPDATE audit SET seq = seq + 1000 WHERE seq >= 5; UPDATE audit SET seq = seq - 999 WHERE seq >= 1005;
    INSERT INTO audit SELECT 5, time, actor, action, instance, pad, outcome, prev, hash FROM audit WHERE seq = 3" \
    "record 5 was inserted"
tamper reordered "UPDATE audit SET seq = 1000 WHERE seq = 4; UPDATE audit SET seq = 4 WHERE seq = 5;
    UPDATE audit SET seq = 5 WHERE seq = 1000" "records were reordered: record 4 follows record 5"
cp "$S" "$TMP/cut.db"
chmod 600 "$TMP/cut.db"
sqlite3 "$TMP/cut.db" "DELETE FROM audit WHERE seq = $n"
expect "cut at the end: the chain alone still verifies" "$CLI" audit verify -s "$TMP/cut.db" >/dev/null
refuse "cut at the end: the anchor $head catches it" "$CLI" audit verify -s "$TMP/cut.db" --anchor "$head" 2>/dev/null
expect "the intact trail matches its anchor" "$CLI" audit verify -s "$S" --anchor "$head" >/dev/null

echo "== 3. DICOM audit messages"
i=0 bad=0
while IFS= read -r line; do
    i=$((i + 1))
    printf '%s\n' "$line" >"$TMP/msg.xml"
    xmllint --noout --relaxng "$(dirname "$0")/audit-message.rng" "$TMP/msg.xml" 2>"$TMP/xmllint.err" ||
        { bad=$((bad + 1)); fail "message $i: $(cat "$TMP/xmllint.err")"; }
done <"$TMP/audit.xml"
expect "every record as XML ($i) is a valid DICOM audit message" [ "$i" = "$n" -a "$bad" = 0 ]
expect "a restore is a \"Patient Record\" event (110110, read)" \
    grep -q 'EventActionCode="R".*csd-code="110110"' "$TMP/audit.xml"
expect "a refusal has EventOutcomeIndicator 4" grep -q 'EventOutcomeIndicator="4"' "$TMP/audit.xml"

echo "== 4. --audit-syslog"
# In a user + mount namespace: a tmpfs over /dev with the few devices needed, and a
# listener on /dev/log that writes each datagram it receives to a file.
syslog_run() {
    set -e
    mkdir -p "$TMP/hostdev"
    mount --rbind /dev "$TMP/hostdev"
    mount -t tmpfs -o mode=755 tmpfs /dev
    for n in null zero urandom random; do
        touch "/dev/$n"
        mount --bind "$TMP/hostdev/$n" "/dev/$n"
    done
    python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("/dev/log")
s.settimeout(3)
out = open(sys.argv[1], "wb")
while True:
    try:
        d = s.recv(65536)
    except socket.timeout:
        break
    out.write(d + b"\n")
    out.flush()
' "$TMP/syslog.out" &
    for _ in $(seq 50); do [ -S /dev/log ] && break; sleep 0.1; done
    "$CLI" protect --audit-syslog -k "$K" -s "$TMP/syslog.db" -o "$TMP/syslog.dcm" "$DATA/files/pydicom_MR_small.dcm"
    wait
}
if unshare -rm true 2>/dev/null; then
    export -f syslog_run
    TMP=$TMP CLI=$CLI K=$K DATA=$DATA unshare -rm bash -c syslog_run
    expect "two records, two syslog messages (creation, protect)" [ "$(grep -c '<AuditMessage>' "$TMP/syslog.out")" = 2 ]
    expect "facility authpriv, level notice (<85>)" [ "$(grep -c '^<85>' "$TMP/syslog.out")" = 2 ]
    bad=0
    while IFS= read -r line; do
        printf '%s\n' "${line#*dcmguard: }" >"$TMP/msg.xml"
        xmllint --noout --relaxng "$(dirname "$0")/audit-message.rng" "$TMP/msg.xml" 2>/dev/null || bad=$((bad + 1))
    done < <(grep '<AuditMessage>' "$TMP/syslog.out")
    expect "each syslog message is a valid DICOM audit message" [ "$bad" = 0 ]
    expect "the protect message names the pseudonymous instance" grep -q 'EventActionCode="C".*ParticipantObjectID="' "$TMP/syslog.out"
else
    echo "NOTE: unshare -rm is not permitted here: --audit-syslog delivery not tested"
fi
summary
