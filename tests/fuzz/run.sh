#!/bin/bash
# run.sh SECONDS [HARNESS...] - builds the libFuzzer harnesses (clang, in
# build-fuzz/), makes their seed corpora from testdata/, runs each harness
# for SECONDS, one after the other, and prints one line per harness:
# executions, time, peak memory, corpus size and findings.
#
# Findings (crash-*, leak-*, timeout-*, oom-* reproducers) are kept in
# build-fuzz/artifacts/HARNESS/; a harness that finds one stops there, and
# the script exits 1. Each finding must become a regression: copy it to
# tests/fuzz/regressions/ (ctest of the fuzz build replays them through the
# harnesses; ctest -R fuzz_regressions in the normal builds, through the CLI).
#
# The corpora grown by a run stay in build-fuzz/corpus/HARNESS/ and seed the
# next run. Environment: FUZZ_NICE (default 10), FUZZ_JOBS (build jobs,
# default nproc), FUZZ_ARGS (extra libFuzzer flags).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE=$ROOT/tests/fuzz
B=$ROOT/build-fuzz
ALL=(fuzz_dicom fuzz_protect fuzz_protect_chaos fuzz_restore fuzz_format fuzz_otp fuzz_queue)
SECONDS_EACH=${1:?usage: run.sh SECONDS [${ALL[*]} fuzz_config]}
shift
HARNESSES=("$@")
NICE=${FUZZ_NICE:-10}
JOBS=${FUZZ_JOBS:-$(nproc)}

command -v clang >/dev/null && command -v clang++ >/dev/null ||
    { echo "run.sh: clang is missing (bash tests/install-deps.sh)" >&2; exit 2; }

echo "== build (clang, -fsanitize=fuzzer-no-link,address,undefined) in build-fuzz/"
CC=clang CXX=clang++ cmake -S "$ROOT" -B "$B" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDG_FUZZ=ON >/dev/null
if [ ${#HARNESSES[@]} -eq 0 ]; then
    HARNESSES=("${ALL[@]}")
    # the gateway's configuration reader (tests/orthanc/fuzz_config.c), when the gateway is built
    [ "$(cmake --build "$B" --target help | grep -c ' fuzz_config$')" -gt 0 ] && HARNESSES+=(fuzz_config)
fi
nice -n "$NICE" cmake --build "$B" -j "$JOBS" --target "${HARNESSES[@]}" dcmguard_cli -- \
    --no-print-directory >/dev/null

# The fuzz build's CLI is instrumented too; leaks are for the harnesses to report.
export ASAN_OPTIONS=detect_leaks=0
CLI=$B/dcmguard
SEEDS=$B/seeds
rm -rf "$SEEDS"
mkdir -p "$SEEDS"/{dicom,restore,format} "$SEEDS/work"

echo "== seed corpora"
# DICOM inputs: the small files of testdata/files, the broken ones of
# testdata/bad, and the hostile files of tests/hostile/.
find "$ROOT/testdata/files" -name '*.dcm' -size -64k -exec cp {} "$SEEDS/dicom/" \;
cp "$ROOT"/testdata/bad/*.dcm "$SEEDS/dicom/"
python3 "$ROOT/tests/hostile/gen_hostile.py" "$SEEDS/work/hostile"
cp "$SEEDS"/work/hostile/* "$SEEDS/dicom/"

# Protected files, with and without slices, under the key the harnesses load.
export DG_FUZZ_MASTER_KEY=$B/fuzz-master.key
[ -f "$DG_FUZZ_MASTER_KEY" ] || "$CLI" keygen -o "$DG_FUZZ_MASTER_KEY"
mkdir -p "$SEEDS/work/small" "$SEEDS/work/slices"
find "$ROOT/testdata/files" -name '*.dcm' -size -40k -exec cp {} "$SEEDS/work/small/" \;
"$CLI" protect -k "$DG_FUZZ_MASTER_KEY" -s "$SEEDS/work/keys.db" --threads 1 \
    -o "$SEEDS/work/prot" "$SEEDS/work/small" 2>/dev/null || true
"$CLI" protect -k "$DG_FUZZ_MASTER_KEY" -s "$SEEDS/work/keys.db" --threads 1 \
    --slices-dir "$SEEDS/work/slices" -o "$SEEDS/work/prot-sliced" \
    "$SEEDS"/work/small/pydicom_{CT_small,MR_small,SC_rgb_small_odd,MR_small_RLE}.dcm 2>/dev/null || true
python3 "$HERE/make_seeds.py" restore "$SEEDS/restore" "$SEEDS/work/prot" /nonexistent
python3 "$HERE/make_seeds.py" restore "$SEEDS/restore" "$SEEDS/work/prot-sliced" "$SEEDS/work/slices"
python3 "$HERE/make_seeds.py" format "$SEEDS/format" "$SEEDS/work/prot" \
    "$ROOT"/testdata/files/pydicom_JLSL_08_07_0_1F.dcm "$ROOT"/testdata/files/pydicom_MR_small_jpeg_ls_lossless.dcm \
    "$ROOT"/testdata/files/pydicom_JPEGLSNearLossless_08.dcm
for d in dicom restore format; do echo "  $d: $(find "$SEEDS/$d" -type f | wc -l) seeds"; done

seeds_of() {
    case $1 in
    fuzz_config) echo "$ROOT/tests/orthanc/config-seeds" ;;
    fuzz_restore) echo "$SEEDS/restore" ;;
    fuzz_format | fuzz_otp) echo "$SEEDS/format" ;;
    *) echo "$SEEDS/dicom" ;;
    esac
}
max_len_of() {
    case $1 in
    fuzz_restore) echo 131072 ;;
    fuzz_format | fuzz_otp | fuzz_config) echo 16384 ;;
    *) echo 65536 ;;
    esac
}

unset ASAN_OPTIONS
status=0
report=()
for h in "${HARNESSES[@]}"; do
    corpus=$B/corpus/$h
    artifacts=$B/artifacts/$h
    mkdir -p "$corpus" "$artifacts"
    touch "$B/.start-$h"
    dict=()
    case $h in fuzz_format | fuzz_otp | fuzz_config) ;; *) dict=(-dict="$HERE/dicom.dict") ;; esac
    bin=$B/tests/fuzz/$h
    [ -x "$bin" ] || bin=$B/tests/$h
    echo "== $h for ${SECONDS_EACH}s"
    start=$(date +%s)
    set +e
    # shellcheck disable=SC2086
    nice -n "$NICE" "$bin" "$corpus" "$(seeds_of "$h")" "${dict[@]}" \
        -max_total_time="$SECONDS_EACH" -rss_limit_mb=2048 -max_len="$(max_len_of "$h")" \
        -timeout=30 -print_final_stats=1 -artifact_prefix="$artifacts/" ${FUZZ_ARGS:-} \
        >"$B/$h.log" 2>&1
    rc=$?
    set -e
    elapsed=$(($(date +%s) - start))
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$B/$h.log" | tail -1)
    rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$B/$h.log" | tail -1)
    cov=$( (grep -Eo 'cov: [0-9]+' "$B/$h.log" || true) | tail -1 | cut -d' ' -f2)
    found=$(find "$artifacts" -type f -newer "$B/.start-$h" | wc -l)
    [ "$rc" -eq 0 ] && [ "$found" -eq 0 ] || status=1
    line=$(printf '%-18s %9s execs  %5ss  %6s exec/s  cov %6s  peak %5s MB  corpus %5s  findings %d (exit %d)' \
        "$h" "${execs:-?}" "$elapsed" "$(( ${execs:-0} / (elapsed > 0 ? elapsed : 1) ))" "${cov:-?}" \
        "${rss:-?}" "$(find "$corpus" -type f | wc -l)" "$found" "$rc")
    report+=("$line")
    echo "$line"
    if [ "$found" -gt 0 ]; then
        find "$artifacts" -type f -newer "$B/.start-$h" | head -5 | sed 's/^/  finding: /'
        grep -E "^(==[0-9]+==ERROR|SUMMARY|dcmguard fuzz)" "$B/$h.log" | head -5 | sed 's/^/  /'
    fi
done
echo "== summary (${SECONDS_EACH}s per harness; logs in build-fuzz/*.log)"
printf '%s\n' "${report[@]}"
exit $status
