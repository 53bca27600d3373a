#!/bin/bash
# tsan.sh [SERIES_DIR] - builds dcmguard with ThreadSanitizer (clang,
# -fsanitize=thread, in build-tsan/) and runs what has threads in it:
#   - test_threads: one context and key store shared by 4 caller threads,
#     a pool of 4 workers, a thread listing and purging the key store;
#   - test_keystore: the key store's concurrent writers (threads and processes);
#   - test_pipeline: the pipeline tests, with the pool on every core;
#   - the CLI with --threads 4: protect and restore of the CT series
#     (testdata/series, 54 slices), tile path and pool, then byte comparison.
# Any data race or lock-order report fails the run (halt_on_error). Prints one
# line per step. Not part of ctest: the build is separate, and it is run by
# hand or from tests/run-tests.sh (unless DG_CI_TSAN=0).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=$ROOT/build-tsan
SERIES=${1:-$ROOT/testdata/series}
JOBS=$(nproc)
TMP=$(mktemp -d /tmp/dcmguard-tsan.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

command -v clang >/dev/null || { echo "tsan.sh: clang is missing (bash tests/install-deps.sh)" >&2; exit 2; }
echo "== build with -fsanitize=thread in build-tsan/"
CC=clang CXX=clang++ cmake -S "$ROOT" -B "$B" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_FLAGS="-fsanitize=thread -fno-omit-frame-pointer" \
    -DCMAKE_CXX_FLAGS="-fsanitize=thread -fno-omit-frame-pointer" \
    -DCMAKE_EXE_LINKER_FLAGS=-fsanitize=thread -DCMAKE_SHARED_LINKER_FLAGS=-fsanitize=thread \
    -DCMAKE_MODULE_LINKER_FLAGS=-fsanitize=thread >/dev/null
nice -n 10 cmake --build "$B" -j "$JOBS" --target test_threads test_keystore test_pipeline dcmguard_cli -- \
    --no-print-directory >/dev/null

export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:history_size=4:exitcode=66"
status=0
step() { # step NAME COMMAND...: runs one step, reports its time and result
    local name=$1 start rc
    shift
    start=$(date +%s)
    set +e
    "$@" >"$TMP/$name.log" 2>&1
    rc=$?
    set -e
    if [ $rc -eq 0 ] && ! grep -q "WARNING: ThreadSanitizer" "$TMP/$name.log"; then
        printf '  %-28s ok     %4ss\n' "$name" "$(($(date +%s) - start))"
    else
        printf '  %-28s FAILED %4ss (exit %d)\n' "$name" "$(($(date +%s) - start))" $rc
        grep -A 30 -m 1 "WARNING: ThreadSanitizer" "$TMP/$name.log" || tail -n 20 "$TMP/$name.log"
        status=1
    fi
}

cli_series() {
    local cli=$B/dcmguard
    "$cli" keygen -o "$TMP/key"
    "$cli" protect --threads 4 -k "$TMP/key" -s "$TMP/keys.db" -o "$TMP/prot" "$SERIES"
    "$cli" restore --threads 4 -k "$TMP/key" -s "$TMP/keys.db" -o "$TMP/back" "$TMP/prot"
    diff -r "$SERIES" "$TMP/back" >/dev/null
    echo "$(find "$TMP/back" -type f | wc -l) files round-tripped"
}

echo "== ThreadSanitizer runs"
step test_threads "$B/tests/test_threads" "$ROOT/testdata/files"
step test_keystore bash -c "cd '$TMP' && '$B/tests/test_keystore'"
step test_pipeline "$B/tests/test_pipeline" "$ROOT/testdata/files"
step cli_series_threads_4 cli_series
[ $status -eq 0 ] && echo "tsan: no data race reported" || echo "tsan: FAILED"
exit $status
