#!/bin/bash
# run-tests.sh - builds dcmguard twice (plain, then with AddressSanitizer and
# UndefinedBehaviorSanitizer) and runs the whole ctest suite on each build.
# Build trees go to build/ and build-asan/ under the repository.
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
