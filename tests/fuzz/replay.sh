#!/bin/bash
# replay.sh HARNESS DIR - runs a libFuzzer harness once over every file in
# DIR (no fuzzing): each must pass the harness's checks without a crash,
# a sanitizer report or a leak. Exits 77 (skipped) when DIR holds no file.
# A unit that takes more than 10 s fails (format-charls-slow took 15-20 s
# before the fix).
set -u
harness=$1
dir=$2
files=()
while IFS= read -r -d '' f; do files+=("$f"); done < <(find "$dir" -type f ! -name '*.md' ! -name EXPECT -print0 | sort -z)
[ ${#files[@]} -gt 0 ] || { echo "no reproducer in $dir: skipped"; exit 77; }
"$harness" -rss_limit_mb=2048 -timeout=10 "${files[@]}" 2>&1 | grep -E "^(Executed|Running|==|SUMMARY|dcmguard fuzz)" | tail -n 20
rc=${PIPESTATUS[0]}
echo "$(basename "$harness"): ${#files[@]} reproducers, exit $rc"
exit "$rc"
