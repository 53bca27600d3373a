#!/bin/bash
# header.sh CLI TESTDATA - the patient header and its key store, end to end:
#   - the key store is created mode 0600, keys list shows metadata only;
#   - single-use: the first restore consumes the pad, the second fails
#     naming the instance, restore --deidentified still gives the pixels;
#   - TTL: a pad past its time is destroyed by keys purge, restore says so;
#   - keys destroy: crypto-shredding of one instance;
#   - restore --deidentified: the clear header, the original pixels;
#   - 4 protect processes at once on one store lose no pad;
#   - a key store that is not one, or is readable by others, is refused.
. "$(dirname "$0")/lib.sh"
CLI=$1
F=$2/files
CT=$F/pydicom_CT_small.dcm
MR=$F/pydicom_MR_small.dcm
K=$TMP/key
S=$TMP/store.db
"$CLI" keygen -o "$K"

# The store: created 0600, listed without pad bytes.
expect "protect creates the store" "$CLI" protect -k "$K" -s "$S" -o "$TMP/ct.dcm" "$CT"
[ "$(stat -c %a "$S")" = 600 ] && ok || fail "key store mode is $(stat -c %a "$S"), not 600"
"$CLI" keys list -s "$S" >"$TMP/list" || fail "keys list"
[ "$(wc -l <"$TMP/list")" = 1 ] && ok || fail "keys list shows $(wc -l <"$TMP/list") pads, not 1"
grep -q "reusable" "$TMP/list" && ok || fail "keys list does not show the policy"
"$CLI" keys list --json -s "$S" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert len(d)==1 and "pad" not in d[0]' \
    && ok || fail "keys list --json is not a list of metadata"

# Single-use: the second restore fails and names the instance.
"$CLI" protect --otp-policy single-use --otp vigenere -k "$K" -s "$S" -o "$TMP/once.dcm" "$MR"
expect "first single-use restore" "$CLI" restore -k "$K" -s "$S" -o "$TMP/once-back.dcm" "$TMP/once.dcm"
cmp -s "$MR" "$TMP/once-back.dcm" && ok || fail "single-use restore differs from the original"
refuse "second single-use restore" "$CLI" restore -k "$K" -s "$S" -o "$TMP/twice.dcm" "$TMP/once.dcm" 2>"$TMP/err"
grep -q "destroyed or has expired" "$TMP/err" && grep -q "instance 2.25." "$TMP/err" && ok ||
    fail "second restore message: $(cat "$TMP/err")"
[ ! -e "$TMP/twice.dcm" ] && ok || fail "a failed restore left an output"
expect "deidentified restore without the pad" \
    "$CLI" restore --deidentified --allow-burned-in -k "$K" -o "$TMP/once-deid.dcm" "$TMP/once.dcm"

# TTL: a pad past its time is destroyed (by keys purge, or by any open of
# the store); restore then says so.
"$CLI" protect --otp-ttl 5s --otp numeric -k "$K" -s "$S" -o "$TMP/ttl.dcm" "$MR"
ttl_id=$(pad_id "$CLI" "$TMP/ttl.dcm")
"$CLI" keys list -s "$S" | grep -q "^$ttl_id " && ok || fail "the TTL pad is not listed at first"
sleep 6
"$CLI" keys purge -s "$S" >"$TMP/purge" 2>&1 && grep -q "expired pad" "$TMP/purge" && ok || fail "purge: $(cat "$TMP/purge")"
"$CLI" keys list -s "$S" | grep -q "^$ttl_id " && fail "the TTL pad is still listed after purge" || ok
refuse "restore after TTL" "$CLI" restore -k "$K" -s "$S" -o "$TMP/ttl-back.dcm" "$TMP/ttl.dcm" 2>"$TMP/err"
grep -q "destroyed or has expired" "$TMP/err" && ok || fail "TTL restore message: $(cat "$TMP/err")"
refuse "a bad duration" "$CLI" protect --otp-ttl 5x -k "$K" -s "$S" -o "$TMP/x.dcm" "$MR" 2>/dev/null
refuse "a duration past 64 bits (it wrapped to 'never')" "$CLI" protect --otp-ttl 99999999999999999999999s -k "$K" -s "$S" -o "$TMP/x.dcm" "$MR" 2>/dev/null

# keys destroy: that instance's identity is gone, its pixels are not. The
# CT says Burned In Annotation NO, so --deidentified needs no override.
cp "$CT" "$TMP/ct-clean.dcm"
dcmodify -nb -q -i "(0028,0301)=NO" "$TMP/ct-clean.dcm"
"$CLI" protect -k "$K" -s "$S" -o "$TMP/shred.dcm" "$TMP/ct-clean.dcm"
id=$(pad_id "$CLI" "$TMP/shred.dcm")
[ -n "$id" ] && ok || fail "inspect does not name the pad"
expect "keys destroy" "$CLI" keys destroy -s "$S" "$id"
refuse "keys destroy twice" "$CLI" keys destroy -s "$S" "$id" 2>/dev/null
refuse "restore after destroy" "$CLI" restore -k "$K" -s "$S" -o "$TMP/shred-back.dcm" "$TMP/shred.dcm" 2>/dev/null
expect "deidentified restore after destroy" \
    "$CLI" restore --deidentified -k "$K" -o "$TMP/shred-deid.dcm" "$TMP/shred.dcm"

# --deidentified: the header says so, the pixels are the original ones.
if command -v dcmdump >/dev/null; then
    dcmdump "$TMP/shred-deid.dcm" | grep -q "(0012,0062) CS \[YES\]" && ok || fail "no Patient Identity Removed"
    orig=$(largest_raw "$CT" "$TMP/w1")
    deid=$(largest_raw "$TMP/shred-deid.dcm" "$TMP/w2")
    if [ -n "$orig" ] && [ -n "$deid" ] && cmp -s "$orig" "$deid"; then ok; else
        fail "deidentified restore: pixel data differs from the original"
    fi
fi

# Four protect processes at once on one store: every pad is kept.
S4=$TMP/four.db
mkdir -p "$TMP/in4"
for i in 0 1 2 3; do mkdir -p "$TMP/in4/$i"; done
n=0
for f in "$F"/*.dcm; do
    cp "$f" "$TMP/in4/$((n % 4))/"
    n=$((n + 1))
done
for i in 0 1 2 3; do
    "$CLI" protect --otp-policy single-use -k "$K" -s "$S4" -o "$TMP/out4/$i" "$TMP/in4/$i" 2>"$TMP/p4.$i" &
done
wait
cat "$TMP"/p4.* | grep -v "pydicom_" | head -3 >&2
got=$("$CLI" keys list -s "$S4" | wc -l)
made=$(find "$TMP/out4" -type f | wc -l)
[ "$got" = "$made" ] && [ "$made" -gt 40 ] && ok || fail "4 parallel protects: $made files but $got pads"
"$CLI" restore -k "$K" -s "$S4" -o "$TMP/back4" "$TMP/out4" 2>"$TMP/r4" && ok || fail "restore after parallel protect: $(head -2 "$TMP/r4")"
bad=0
for i in 0 1 2 3; do
    for f in "$TMP/in4/$i"/*; do
        b=$TMP/back4/$i/$(basename "$f")
        [ -f "$b" ] || continue
        cmp -s "$f" "$b" || bad=$((bad + 1))
    done
done
[ "$bad" = 0 ] && ok || fail "$bad files differ after the parallel round trip"
left=$("$CLI" keys list -s "$S4" | wc -l)
[ "$left" = 0 ] && ok || fail "$left single-use pads left after restoring everything"

# Keyed pseudonyms: the same patient (or study) always maps to the same one,
# another patient to another one, and the original never shows.
if command -v dcmdump >/dev/null; then
    value() { dcmdump -q +P "$1" "$2" | sed 's/.*\[\(.*\)\].*/\1/'; }
    "$CLI" protect -k "$K" -s "$S" -o "$TMP/ct2.dcm" "$CT"
    "$CLI" protect -k "$K" -s "$S" -o "$TMP/mr2.dcm" "$MR"
    a=$(value 0010,0020 "$TMP/ct.dcm"); b=$(value 0010,0020 "$TMP/ct2.dcm"); c=$(value 0010,0020 "$TMP/mr2.dcm")
    case $a in DG-*) ok ;; *) fail "Patient ID is '$a', not a keyed pseudonym" ;; esac
    [ "$a" = "$b" ] && [ "$a" != "$c" ] && ok || fail "Patient ID pseudonyms: $a / $b / $c"
    [ "$(value 0020,000D "$TMP/ct.dcm")" = "$(value 0020,000D "$TMP/ct2.dcm")" ] && ok || fail "study pseudonym differs"
    [ "$(value 0008,0018 "$TMP/ct.dcm")" = "$(value 0008,0018 "$TMP/ct2.dcm")" ] && ok || fail "instance pseudonym differs"
    [ "$(value 0008,0018 "$TMP/ct.dcm")" != "$(value 0008,0018 "$CT")" ] && ok || fail "SOP Instance UID kept"
fi

# Stores that must be refused.
head -c 4096 /dev/urandom >"$TMP/junk.db"
refuse "a random file as key store" "$CLI" keys list -s "$TMP/junk.db" 2>/dev/null
cp "$S" "$TMP/open.db" && chmod 644 "$TMP/open.db"
refuse "a world-readable key store" "$CLI" keys list -s "$TMP/open.db" 2>/dev/null
refuse "protect without a key store" "$CLI" protect -k "$K" -o "$TMP/nostore.dcm" "$CT" 2>/dev/null
summary
