#!/bin/bash
# replay.sh HARNESS DIR - runs a libFuzzer harness once over every file in
# DIR (no fuzzing): each must pass the harness's checks without a crash,
# a sanitizer report or a leak. Exits 77 (skipped) when DIR holds no file.
# Inputs of the open findings of tests/fuzz/open-findings are skipped, as in
# run.sh (their reproducers are checked through the CLI by the
# fuzz_regressions*_open_* ctests until they are fixed).
set -u
export DG_FUZZ_MASK=${DG_FUZZ_MASK-$(cat "$(dirname "$0")/open-findings")}
harness=$1
dir=$2
files=()
while IFS= read -r -d '' f; do files+=("$f"); done < <(find "$dir" -type f ! -name '*.md' ! -name EXPECT -print0 | sort -z)
[ ${#files[@]} -gt 0 ] || { echo "no reproducer in $dir: skipped"; exit 77; }
"$harness" -rss_limit_mb=2048 -timeout=60 "${files[@]}" 2>&1 | grep -E "^(Executed|Running|==|SUMMARY|dcmguard fuzz)" | tail -n 20
rc=${PIPESTATUS[0]}
echo "$(basename "$harness"): ${#files[@]} reproducers, exit $rc"
exit "$rc"
