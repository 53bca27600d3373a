#!/bin/bash
# validity.sh CLI TESTDATA - protected files are valid DICOM: dcmdump reads
# each without error, and dciodvfy (dicom3tools) reports no error that the
# input did not already have. Skipped (77) when the tools are missing.
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
summary
