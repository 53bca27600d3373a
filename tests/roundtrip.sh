#!/bin/bash
# roundtrip.sh CLI DIR... - protects every file under the DIRs, restores them
# all, and checks each restored file has the SHA-256 of its original. Files
# that are not DICOM (or are the known-broken test files) must be refused
# with one line naming them; any other refusal is a failure.
# The pad mode is DG_OTP (binary, vigenere or numeric; default binary).
# Exits 77 (skipped) when no DIR exists.
. "$(dirname "$0")/lib.sh"
CLI=$1; shift
dirs=()
for d in "$@"; do [ -d "$d" ] && dirs+=("$d"); done
[ ${#dirs[@]} -gt 0 ] || { echo "no test data directory: skipped"; exit 77; }

known_bad='(MANIFEST\.md|SHA1SUMS\.txt|README.*|pydicom_MR_truncated\.dcm|pydicom_no_meta\.dcm|pydicom_rtplan_truncated\.dcm)'

"$CLI" keygen -o "$TMP/key" || { fail "keygen"; summary; exit; }
"$CLI" protect --otp "${DG_OTP:-binary}" -k "$TMP/key" -s "$TMP/store" -o "$TMP/prot" "${dirs[@]}" \
    2>"$TMP/protect.err"
while read -r line; do
    if echo "$line" | grep -Eq "^dcmguard: protect: .*/$known_bad: "; then ok; else fail "unexpected refusal: $line"; fi
done <"$TMP/protect.err"

"$CLI" restore -k "$TMP/key" -s "$TMP/store" -o "$TMP/back" "$TMP/prot" 2>"$TMP/restore.err"
[ -s "$TMP/restore.err" ] && fail "restore refused: $(head -3 "$TMP/restore.err")"

count=0
for d in "${dirs[@]}"; do
    while IFS= read -r -d '' f; do
        rel=${f#"$d"/}
        if echo "$rel" | grep -Eq "(^|/)$known_bad$"; then
            [ -e "$TMP/prot/$rel" ] && fail "$rel was refused but an output exists"
            continue
        fi
        count=$((count + 1))
        if [ ! -f "$TMP/back/$rel" ]; then fail "$rel: not restored"; continue; fi
        if [ "$(sha "$f")" = "$(sha "$TMP/back/$rel")" ]; then ok; else fail "$rel: restored bytes differ"; fi
        if cmp -s "$f" "$TMP/prot/$rel"; then fail "$rel: protected file equals the original"; fi
    done < <(find "$d" -type f -print0 | sort -z)
done
echo "$count files round-tripped"
summary
