#!/bin/bash
# bench_chaos.sh - speed of the chaos cipher on one core (tests/bench/bench_chaos.c):
# builds a Release tree (build-bench/), prints the machine and a markdown table
# to paste into docs/performance.md.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cmake -S "$ROOT" -B "$ROOT/build-bench" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$ROOT/build-bench" -j 2 --target bench_chaos -- --no-print-directory >/dev/null
echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; $(gcc --version | head -1)"
echo "load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
taskset -c 0 "$ROOT/build-bench/bench_chaos" "${1:-5}" 2>/dev/null || "$ROOT/build-bench/bench_chaos" "${1:-5}"
