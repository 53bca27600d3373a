#!/bin/bash
# validity.sh CLI TESTDATA - protected files are valid DICOM: dcmdump reads
# each without error, and dciodvfy (dicom3tools) reports no error that the
# input did not already have. Also: no original date (of any DA or DT
# attribute, at any depth) of a file that has an exam or birth date is left
# anywhere in its protected file. Skipped (77) when the tools are missing.
. "$(dirname "$0")/lib.sh"
CLI=$1
F=$2/files
command -v dcmdump >/dev/null && command -v dciodvfy >/dev/null || { echo "dcmdump/dciodvfy missing: skipped"; exit 77; }
"$CLI" keygen -o "$TMP/key"
"$CLI" protect -k "$TMP/key" -s "$TMP/s" -o "$TMP/p" "$F" 2>/dev/null
errors_of() { dciodvfy "$1" 2>&1 | grep '^Error' | sed 's/ - .*//' | sort -u; }
for f in "$TMP"/p/*; do
    name=$(basename "$f")
    expect "dcmdump reads $name" dcmdump -q "$f" >/dev/null 2>&1
    if ! dciodvfy "$F/$name" >/dev/null 2>&1 && dciodvfy "$F/$name" 2>&1 | grep -q 'Assertion'; then
        echo "$name: dciodvfy cannot check the input itself; output not compared"
        continue
    fi
    errors_of "$F/$name" >"$TMP/before"
    errors_of "$f" >"$TMP/after"
    new=$(comm -13 "$TMP/before" "$TMP/after")
    if [ -z "$new" ]; then ok; else fail "$name: new dciodvfy errors: $new"; fi
done
# Dates: every YYYYMMDD of a DA or DT value of the input (any depth, File Meta included), searched in
# the protected file's bytes; files without a Study, Series, Acquisition, Content or birth date skipped.
dates_left() { # dates_left IN OUT: prints the original dates found in OUT
    dcmdump -q +L "$1" 2>/dev/null | python3 -c '
import re, sys
text = sys.stdin.read()
exam = re.search(r"\((0008,002[0-3]|0010,0030)\) DA \[\d{8}", text)
dates = {m for m in re.findall(r"\) (?:DA|DT) \[([^\]]*)\]", text) for m in re.findall(r"\d{8}", m)}
dates.discard("19000101")
out = open(sys.argv[1], "rb").read()
if exam:
    print(" ".join(sorted(d for d in dates if d.encode() in out)))
else:
    print("-")' "$2"
}
checked=0
for f in "$TMP"/p/*; do
    name=$(basename "$f")
    left=$(dates_left "$F/$name" "$f")
    [ "$left" = "-" ] && continue
    checked=$((checked + 1))
    if [ -z "$left" ]; then ok; else fail "$name: original dates left in the protected file: $left"; fi
done
echo "dates checked in $checked files"
[ "$checked" -gt 30 ] && ok || fail "only $checked files with exam or birth dates"
summary
