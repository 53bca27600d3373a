#!/bin/bash
# progress.sh CLI TESTDATA - what protect and restore tell while they run:
#   1. not a terminal: nothing but the one line per failed input; --progress
#      forces the live line, --quiet silences it (and wins).
#   2. --summary-json: totals and each failed input with the reason printed
#      on stderr; no patient value of the inputs in it.
#   3. under a pseudo-terminal (script): the live line appears; -q hides it.
source "$(dirname "$0")/lib.sh"
CLI=$1 DATA=$2
"$CLI" keygen -o "$TMP/k" >/dev/null
P=(-k "$TMP/k" -s "$TMP/s.db")
ngood=$(find "$DATA/files" -type f ! -name '*.md' ! -name '*.txt' | wc -l)
nbad=$(find "$DATA/bad" -type f | wc -l)

echo "== 1. not a terminal"
"$CLI" protect "${P[@]}" -o "$TMP/o1" "$DATA/files" 2>"$TMP/err" </dev/null
expect "protect exits 0" [ $? = 0 ]
expect "nothing on stderr when it is not a terminal" [ ! -s "$TMP/err" ]
"$CLI" protect "${P[@]}" -o "$TMP/o2" "$DATA/files" "$DATA/bad" 2>"$TMP/err" >/dev/null
expect "with failures: one line per failure, no progress" [ "$(wc -l <"$TMP/err")" = "$nbad" ]
refuse "no carriage return on stderr" grep -q $'\r' "$TMP/err"
"$CLI" protect --progress "${P[@]}" -o "$TMP/o3" "$DATA/files" 2>"$TMP/err"
expect "--progress forces the line" grep -qE "protect: $ngood/$ngood files, [0-9.]+ MB/s, elapsed [0-9:]+, left [0-9:?]+, 0 failed" "$TMP/err"
"$CLI" protect --progress --quiet "${P[@]}" -o "$TMP/o4" "$DATA/files" 2>"$TMP/err"
expect "--quiet wins over --progress" [ ! -s "$TMP/err" ]
"$CLI" restore --progress "${P[@]}" -o "$TMP/r1" "$TMP/o1" 2>"$TMP/err"
expect "restore has the line too" grep -qE "restore: $ngood/$ngood files, .* 0 failed" "$TMP/err"

echo "== 2. --summary-json"
"$CLI" protect "${P[@]}" -o "$TMP/o5" --summary-json "$TMP/sum.json" "$DATA/files" "$DATA/bad" 2>"$TMP/err"
expect "protect exits 1 with failures" [ $? = 1 ]
expect "summary: totals" jq -e --argjson g "$ngood" --argjson b "$nbad" \
    '.command == "protect" and .files == $g + $b and .succeeded == $g and .failed == $b and
     (.failures | length) == $b and .bytes > 0 and .seconds >= 0' "$TMP/sum.json" >/dev/null
jq -r '.failures[] | "dcmguard: protect: \(.file): \(.reason)"' "$TMP/sum.json" >"$TMP/from-json"
expect "each failure with the reason stderr gave" diff "$TMP/from-json" "$TMP/err"
expect "the summary is mode 0600" [ "$(stat -c %a "$TMP/sum.json")" = 600 ]
# every patient value (name, id, birth date) of the inputs: those with a letter
# (4 characters or more) and the dates (short numbers also occur in tags, as 0010)
for f in $(find "$DATA/files" "$DATA/bad" -type f ! -name '*.md' ! -name '*.txt'); do
    dcmdump -q +P PatientName +P PatientID +P PatientBirthDate "$f" 2>/dev/null |
        sed -n 's/^[^[]*\[\(.*\)\].*/\1/p'
done | awk '(/[A-Za-z]/ && length($0) >= 4 && !/^[\^ ]*$/) || /^[0-9]{8}$/' | sort -u >"$TMP/phi"
jq -r '.failures[].reason' "$TMP/sum.json" >"$TMP/reasons"
leaks=$(grep -cFf "$TMP/phi" "$TMP/reasons")
expect "no patient value in the summary's reasons ($(wc -l <"$TMP/phi") values searched)" [ "$leaks" = 0 ]
echo not-dicom >"$TMP/junk.dcm"
"$CLI" restore "${P[@]}" -o "$TMP/r2" --summary-json "$TMP/rs.json" "$TMP/o1" "$TMP/junk.dcm" 2>/dev/null
expect "restore summary: one failure, the junk file" jq -e --arg j "$TMP/junk.dcm" \
    '.command == "restore" and .failed == 1 and .failures[0].file == $j' "$TMP/rs.json" >/dev/null
refuse "an unwritable summary is an error" "$CLI" protect "${P[@]}" -o "$TMP/o6" \
    --summary-json /proc/nonexistent/sum.json "$DATA/files/pydicom_CT_small.dcm" 2>/dev/null

echo "== 3. under a pseudo-terminal"
if command -v script >/dev/null; then
    script -qec "'$CLI' protect -k '$TMP/k' -s '$TMP/s.db' -o '$TMP/o7' '$DATA/files'" /dev/null >"$TMP/tty"
    expect "the live line appears on a terminal" grep -qE "protect: $ngood/$ngood files, [0-9.]+ MB/s, elapsed" "$TMP/tty"
    expect "it is redrawn in place (carriage return)" grep -q $'\r' "$TMP/tty"
    script -qec "'$CLI' protect -q -k '$TMP/k' -s '$TMP/s.db' -o '$TMP/o8' '$DATA/files'" /dev/null >"$TMP/tty"
    expect "-q: no line on a terminal" [ ! -s "$TMP/tty" ]
else
    echo "(no script(1): part 3 not run)"
fi
summary
