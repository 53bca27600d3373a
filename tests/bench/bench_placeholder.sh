#!/bin/bash
# bench_placeholder.sh [BUILD] - the cost of the placeholder's notice per
# instance (bytes, ms), against the flat placeholder; docs/performance.md.
BUILD=${1:-build}
cmake --build "$BUILD" --target bench_placeholder -j2 >/dev/null || exit 1
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
"$BUILD/bench_placeholder"
