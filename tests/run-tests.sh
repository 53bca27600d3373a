#!/bin/bash
# run-tests.sh - builds dcmguard twice (plain, then with AddressSanitizer and
# UndefinedBehaviorSanitizer) and runs the whole ctest suite on each build;
# then a short fuzz run of every libFuzzer harness and the ThreadSanitizer
# run (docs/reliability.md). Build trees go to build/, build-asan/,
# build-fuzz/ and build-tsan/ under the repository. DG_CI_FUZZ_SECONDS
# (default 30, 0 to skip) and DG_CI_TSAN=0 control the last two steps.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
JOBS=$(nproc)

build_and_test() {
    local dir=$1; shift
    cmake -S "$ROOT" -B "$ROOT/$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
    cmake --build "$ROOT/$dir" -j "$JOBS" -- --no-print-directory >/dev/null
    (cd "$ROOT/$dir" && ctest --output-on-failure -j "$JOBS")
}

echo "== build and test"
build_and_test build
echo "== build and test with -fsanitize=address,undefined"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    build_and_test build-asan -DDG_SANITIZE=ON
if [ "${DG_CI_FUZZ_SECONDS:-30}" -gt 0 ]; then
    echo "== fuzz smoke: ${DG_CI_FUZZ_SECONDS:-30} s per harness (tests/fuzz/run.sh)"
    bash "$ROOT/tests/fuzz/run.sh" "${DG_CI_FUZZ_SECONDS:-30}"
fi
if [ "${DG_CI_TSAN:-1}" != 0 ]; then
    echo "== ThreadSanitizer (tests/tsan.sh)"
    bash "$ROOT/tests/tsan.sh"
fi
