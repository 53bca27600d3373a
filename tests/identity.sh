#!/bin/bash
# identity.sh CLI ATTACKER TESTDATA - only the pad reveals who the patient is
# (issue 12; docs/threat-model.md names the claim each part attacks):
#   - pseudonyms come from the key store's secret: same master key, two fresh
#     stores -> different pseudonyms; one store -> the same; a store made
#     from the exported secret -> the same;
#   - a brute force of a 6-digit Patient ID with the master key and the
#     protected file confirms nothing (with the exported secret it does: the
#     inherent limit, and the proof that the attacker program works);
#   - no 32-byte field readable with the master key is a digest of the
#     original or of a hole;
#   - the key store and the files without the master key: no patient value;
#   - 8 concurrent restores of one single-use pad, 20 rounds: one original;
#   - a flipped policy, a record naming another instance's pad, a block on
#     another instance's clear header: refused (one message for the first two);
#   - a failed output gives the claimed pad back;
#   - keys destroy with a concurrent reader: pending scrub until it closes,
#     then the pad's bytes are in no file;
#   - version-2 files (testdata/v2) still restore; transcoded files restore.
. "$(dirname "$0")/lib.sh"
CLI=$1
ATTACK=$2
DATA=$3
CT=$DATA/files/pydicom_CT_small.dcm
SMALL=$DATA/files/pydicom_SC_rgb_small_odd.dcm
K=$TMP/key
"$CLI" keygen -o "$K" >/dev/null || fail keygen
pid() { dcmdump +P PatientID "$1" 2>/dev/null | sed -n 's/.*\[\(.*\)\].*/\1/p' | head -1; }
uid() { dcmdump +P "$2" "$1" 2>/dev/null | sed -n 's/.*\[\(.*\)\].*/\1/p' | head -1; }
msg() { sed 's/^dcmguard: restore: [^:]*: //' "$1"; } # the reason, without the file name

# --- Pseudonyms from the store's secret --------------------------------------------------------
"$CLI" protect -k "$K" -s "$TMP/a.db" -o "$TMP/a1.dcm" "$CT" || fail "protect on store a"
"$CLI" protect -k "$K" -s "$TMP/a.db" -o "$TMP/a2.dcm" "$CT" || fail "protect again on store a"
"$CLI" protect -k "$K" -s "$TMP/b.db" -o "$TMP/b1.dcm" "$CT" || fail "protect on store b"
[ -n "$(pid "$TMP/a1.dcm")" ] && [ "$(pid "$TMP/a1.dcm")" = "$(pid "$TMP/a2.dcm")" ] && ok ||
    fail "one store gives two pseudonyms for one patient"
[ "$(pid "$TMP/a1.dcm")" != "$(pid "$TMP/b1.dcm")" ] && ok ||
    fail "two fresh stores under one master key give the same pseudonym"
[ "$(uid "$TMP/a1.dcm" StudyInstanceUID)" != "$(uid "$TMP/b1.dcm" StudyInstanceUID)" ] && ok ||
    fail "two fresh stores under one master key give the same UID pseudonym"
"$CLI" keys export-secret -k "$K" -s "$TMP/a.db" -o "$TMP/secret" >/dev/null || fail "export-secret"
[ "$(stat -c %a "$TMP/secret")" = 600 ] && ok || fail "the secret file is not mode 0600"
"$CLI" keys import-secret -k "$K" -s "$TMP/c.db" "$TMP/secret" >/dev/null || fail "import-secret"
refuse "import into a store that has a secret" "$CLI" keys import-secret -k "$K" -s "$TMP/b.db" \
    "$TMP/secret" 2>/dev/null
"$CLI" protect -k "$K" -s "$TMP/c.db" -o "$TMP/c1.dcm" "$CT" || fail "protect on store c"
[ "$(pid "$TMP/a1.dcm")" = "$(pid "$TMP/c1.dcm")" ] && ok ||
    fail "a store made from the exported secret gives other pseudonyms"
"$CLI" keygen -o "$TMP/key2" >/dev/null
refuse "another master key on the store" "$CLI" protect -k "$TMP/key2" -s "$TMP/a.db" \
    -o "$TMP/x.dcm" "$CT" 2>/dev/null

# --- Brute force of a 6-digit Patient ID with the master key -----------------------------------
mrn=$(printf '%06d' $((RANDOM * 32768 % 1000000 + RANDOM % 1000)))
mrn=$(printf '%06d' $((10#$mrn % 1000000)))
cp "$CT" "$TMP/mrn.dcm" && dcmodify -nb -m "(0010,0020)=$mrn" "$TMP/mrn.dcm" >/dev/null 2>&1 ||
    fail "cannot set the Patient ID"
"$CLI" protect -k "$K" -s "$TMP/a.db" -o "$TMP/mrn-p.dcm" "$TMP/mrn.dcm" || fail "protect mrn"
"$ATTACK" pseudonym "$K" "$TMP/mrn-p.dcm" >"$TMP/brute" || fail "the attacker did not run"
grep -qx "confirmed: 0" "$TMP/brute" && ok ||
    fail "the master key alone confirmed a Patient ID: $(head -3 "$TMP/brute")"
"$ATTACK" pseudonym "$K" "$TMP/mrn-p.dcm" "$TMP/secret" >"$TMP/brute2" || fail "attacker (secret)"
grep -q "^confirmed $mrn " "$TMP/brute2" && grep -qx "confirmed: 1" "$TMP/brute2" && ok ||
    fail "control: with the store's secret the attacker should confirm $mrn: $(cat "$TMP/brute2")"

# --- No digest of the original or of a hole readable with the master key -----------------------
for f in "$TMP/mrn.dcm:$TMP/mrn-p.dcm" "$CT:$TMP/a1.dcm"; do
    "$ATTACK" digests "$K" "${f#*:}" "${f%%:*}" >"$TMP/digests" || fail "digest attacker did not run"
    grep -qx "digest matches: 0" "$TMP/digests" && ok || fail "a digest is readable: $(cat "$TMP/digests")"
    grep -qx "raw master key unwraps: 0" "$TMP/digests" && ok || fail "the master key wraps directly"
    grep -qx "control matches: 1" "$TMP/digests" && ! grep -qx "holes: 0" "$TMP/digests" && ok ||
        fail "control: the scan does not find the holed digest: $(cat "$TMP/digests")"
done

# --- The key store and the files, without the master key ---------------------------------------
# XOR every stored pad (at every offset) with the patient record's ciphertext; look for the values.
xor_attack() { # xor_attack STORE PROTECTED NEEDLE...: prints how many needles were recovered
    python3 - "$@" <<'EOF'
import sqlite3, struct, sys
store, prot, needles = sys.argv[1], sys.argv[2], [n.encode() for n in sys.argv[3:]]
data = open(prot, 'rb').read()
at = data.index(b'DGPI')
clen = struct.unpack('<Q', data[at + 48:at + 56])[0]
ct = data[at + 56:at + 56 + clen]
db = sqlite3.connect('file:' + store + '?mode=ro', uri=True)
found = set()
for (pad,) in db.execute('SELECT pad FROM pads'):
    for off in range(0, max(1, len(pad) - len(ct) + 1)):
        plain = bytes(a ^ b for a, b in zip(ct, pad[off:off + len(ct)]))
        found |= {n for n in needles if n in plain}
for blob in [open(store, 'rb').read(), data]:
    found |= {n for n in needles if n in blob}
print(len(found))
EOF
}
[ "$(xor_attack "$TMP/a.db" "$TMP/a1.dcm" CompressedSamples 1CT1)" = 0 ] && ok ||
    fail "the key store and the file reveal a patient value without the master key"
cp -r "$DATA/v2" "$TMP/v2" && chmod 600 "$TMP/v2/master.key" "$TMP/v2/keystore.db"
[ "$(xor_attack "$TMP/v2/keystore.db" "$TMP/v2/ct_binary.dcm" CompressedSamples 1CT1)" = 2 ] && ok ||
    fail "control: the XOR attack should read a version-2 file's values"

"$ATTACK" digests "$TMP/v2/master.key" "$TMP/v2/ct_binary.dcm" "$CT" >"$TMP/digests2" || fail "attacker v2"
grep -qx "digest matches: 1" "$TMP/digests2" && grep -qx "raw master key unwraps: 1" "$TMP/digests2" && ok ||
    fail "control: the attacker should find a version-2 file's digest and raw wrap: $(cat "$TMP/digests2")"

# --- Version-2 files still restore --------------------------------------------------------------
for f in ct_binary:pydicom_CT_small rle_vigenere:pydicom_SC_rgb_rle rgb_numeric_single:pydicom_SC_rgb_small_odd; do
    "$CLI" restore -k "$TMP/v2/master.key" -s "$TMP/v2/keystore.db" -o "$TMP/v2/${f%%:*}.out" \
        "$TMP/v2/${f%%:*}.dcm" && [ "$(sha "$TMP/v2/${f%%:*}.out")" = "$(sha "$DATA/files/${f#*:}.dcm")" ] &&
        ok || fail "version-2 file ${f%%:*} does not restore bit for bit"
done

# --- Single-use: 8 concurrent restores, 20 rounds ----------------------------------------------
want=$(sha "$SMALL")
for round in $(seq 1 20); do
    rm -f "$TMP/once.dcm"
    "$CLI" protect --otp-policy single-use -k "$K" -s "$TMP/a.db" -o "$TMP/once.dcm" "$SMALL" ||
        fail "protect single-use"
    rm -f "$TMP"/race.*
    for i in 1 2 3 4 5 6 7 8; do
        "$CLI" restore -k "$K" -s "$TMP/a.db" -o "$TMP/race.$i.dcm" "$TMP/once.dcm" 2>/dev/null &
    done
    wait
    n=0 good=0
    for i in 1 2 3 4 5 6 7 8; do
        [ -f "$TMP/race.$i.dcm" ] && n=$((n + 1)) && [ "$(sha "$TMP/race.$i.dcm")" = "$want" ] &&
            good=$((good + 1))
    done
    [ $n = 1 ] && [ $good = 1 ] && ok || fail "round $round: $n restores wrote output ($good original)"
done

# --- Forged records and grafted blocks ---------------------------------------------------------
"$CLI" protect --otp-policy single-use -k "$K" -s "$TMP/a.db" -o "$TMP/su.dcm" "$CT" || fail protect
other=$(pad_id "$CLI" "$TMP/a1.dcm")
"$ATTACK" forge "$K" "$TMP/su.dcm" "$TMP/flip.dcm" policy >/dev/null || fail "forge policy"
"$ATTACK" forge "$K" "$TMP/su.dcm" "$TMP/steal.dcm" "pad=$other" >/dev/null || fail "forge pad id"
refuse "a flipped policy" "$CLI" restore -k "$K" -s "$TMP/a.db" -o "$TMP/out1.dcm" "$TMP/flip.dcm" 2>"$TMP/e1"
refuse "another instance's pad" "$CLI" restore -k "$K" -s "$TMP/a.db" -o "$TMP/out2.dcm" \
    "$TMP/steal.dcm" 2>"$TMP/e2"
[ -s "$TMP/e1" ] && [ "$(msg "$TMP/e1")" = "$(msg "$TMP/e2")" ] && ok ||
    fail "the refusals differ: '$(msg "$TMP/e1")' / '$(msg "$TMP/e2")'"
[ ! -e "$TMP/out1.dcm" ] && [ ! -e "$TMP/out2.dcm" ] && ok || fail "a refused restore wrote output"
mkdir -p "$TMP/outdir/su.dcm/full" # the output's name is taken by a directory: rename fails
refuse "output that cannot be written" "$CLI" restore -k "$K" -s "$TMP/a.db" -o "$TMP/outdir" \
    "$TMP/su.dcm" 2>/dev/null
"$CLI" restore -k "$K" -s "$TMP/a.db" -o "$TMP/su-back.dcm" "$TMP/su.dcm" &&
    [ "$(sha "$TMP/su-back.dcm")" = "$(sha "$CT")" ] && ok ||
    fail "the single-use pad was lost by the refused or failed restores"
# A crash between claim and output (simulated: the row marked claimed as a killed restore leaves it).
"$CLI" protect --otp-policy single-use -k "$K" -s "$TMP/a.db" -o "$TMP/crash.dcm" "$CT" || fail protect
cid=$(pad_id "$CLI" "$TMP/crash.dcm")
sqlite3 "$TMP/a.db" "UPDATE pads SET claimed = 1 WHERE id = '$cid'" || fail "cannot mark the pad claimed"
"$CLI" keys list -s "$TMP/a.db" | grep "^$cid " | grep -q CLAIMED && ok || fail "keys list does not show the claim"
refuse "a claimed pad" "$CLI" restore -k "$K" -s "$TMP/a.db" -o "$TMP/crash-1.dcm" "$TMP/crash.dcm" 2>/dev/null
"$CLI" keys release -s "$TMP/a.db" "$cid" >/dev/null && ok || fail "keys release"
"$CLI" restore -k "$K" -s "$TMP/a.db" -o "$TMP/crash-2.dcm" "$TMP/crash.dcm" &&
    [ "$(sha "$TMP/crash-2.dcm")" = "$(sha "$CT")" ] && ok || fail "the released pad does not restore"
refuse "release of a pad that is not claimed" "$CLI" keys release -s "$TMP/a.db" "$cid" 2>/dev/null
for field in "PatientID:$(pid "$TMP/b1.dcm")" "SOPInstanceUID:$(uid "$TMP/b1.dcm" SOPInstanceUID)" \
    "StudyInstanceUID:$(uid "$TMP/b1.dcm" StudyInstanceUID)"; do
    cp "$TMP/a1.dcm" "$TMP/graft.dcm"
    dcmodify -nb -m "${field%%:*}=${field#*:}" "$TMP/graft.dcm" >/dev/null 2>&1 || fail "dcmodify"
    refuse "the block on another ${field%%:*}" "$CLI" restore -k "$K" -s "$TMP/a.db" \
        -o "$TMP/graft-out.dcm" "$TMP/graft.dcm" 2>"$TMP/e3"
    grep -q "belongs to another instance" "$TMP/e3" && ok || fail "graft message: $(cat "$TMP/e3")"
    "$CLI" inspect "$TMP/graft.dcm" | grep -q "^binding: MISMATCH" && ok || fail "inspect shows no mismatch"
done
"$CLI" inspect "$TMP/a1.dcm" >"$TMP/inspect"
grep -q "dcmguard format 3" "$TMP/inspect" && grep -q "^binding: the clear header matches" "$TMP/inspect" &&
    grep -q "^bound Patient ID: $(pid "$TMP/a1.dcm")$" "$TMP/inspect" && ok || fail "inspect: $(cat "$TMP/inspect")"

# --- The clear part transcoded as an archive might -----------------------------------------------
dcmdjpls "$TMP/a1.dcm" "$TMP/t-dec.dcm" >/dev/null 2>&1 || fail "dcmdjpls"
dcmconv +ti "$TMP/t-dec.dcm" "$TMP/t-ivr.dcm" >/dev/null 2>&1 || fail "dcmconv +ti"
dcmcrle "$TMP/t-dec.dcm" "$TMP/t-rle.dcm" >/dev/null 2>&1 || fail "dcmcrle"
for t in dec ivr rle; do
    "$CLI" restore -k "$K" -s "$TMP/a.db" -o "$TMP/t-$t.out" "$TMP/t-$t.dcm" &&
        [ "$(sha "$TMP/t-$t.out")" = "$(sha "$CT")" ] && ok || fail "the $t-transcoded file does not restore"
done

# --- Destroyed means scrubbed, even with a reader ----------------------------------------------
"$CLI" protect -k "$K" -s "$TMP/d.db" -o "$TMP/d.dcm" "$CT" >/dev/null || fail "protect d"
id=$(pad_id "$CLI" "$TMP/d.dcm")
sqlite3 "$TMP/d.db" "SELECT hex(pad) FROM pads WHERE id = '$id'" >"$TMP/padhex"
[ -s "$TMP/padhex" ] && ok || fail "the pad is not in the store"
in_files() { # in_files: how many of the store's files hold the pad's first or last 48 bytes
    python3 - "$TMP/padhex" "$TMP"/d.db* <<'EOF'
import sys
pad = bytes.fromhex(open(sys.argv[1]).read().strip())
print(sum(1 for f in sys.argv[2:] for part in (pad[:48], pad[-48:]) if part in open(f, 'rb').read()))
EOF
}
mkfifo "$TMP/hold"
sqlite3 "$TMP/d.db" <"$TMP/hold" >/dev/null &
reader=$!
exec 9>"$TMP/hold"
echo "BEGIN; SELECT count(*) FROM pads;" >&9
sleep 0.5
"$CLI" keys destroy -s "$TMP/d.db" "$id" >"$TMP/destroy" || fail "keys destroy"
grep -q "destroyed, not yet scrubbed" "$TMP/destroy" && ok || fail "destroy says: $(cat "$TMP/destroy")"
"$CLI" keys list -s "$TMP/d.db" | grep -q "^pending scrub" && ok || fail "keys list shows no pending scrub"
exec 9>&-
wait $reader
"$CLI" keys list -s "$TMP/d.db" >"$TMP/list-after"
grep -q "^pending scrub" "$TMP/list-after" && fail "the scrub is still pending after the reader closed" || ok
[ "$(in_files)" = 0 ] && ok || fail "the destroyed pad's bytes are still in a store file"

summary
