#!/bin/bash
# demo.sh [DIR] - the main job on the embedded default: installs what is
# missing, builds dcmguard, makes a master key, protects every file of
# testdata/ and restores them all into DIR (default /tmp/dcmguard-demo),
# then prints one line per file and a total. Then the gateway: Orthanc with
# the dcmguard plugin on a private loopback receives testdata/ and shows
# what it stored and a restore (tests/demo-gateway.sh, in DIR-gateway).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${1:-/tmp/dcmguard-demo}
bash "$ROOT/tests/install-deps.sh"
cmake -S "$ROOT" -B "$ROOT/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$ROOT/build" -j "$(nproc)" -- --no-print-directory >/dev/null
CLI=$ROOT/build/dcmguard

rm -rf "$OUT"
mkdir -p "$OUT"
"$CLI" keygen -o "$OUT/master.key"
echo "demo folder: $OUT (master key: $OUT/master.key)"
IN=("$ROOT/testdata/files" "$ROOT/testdata/series" "$ROOT/testdata/bad")
set +e
"$CLI" protect -k "$OUT/master.key" -s "$OUT/keystore" -o "$OUT/protected" "${IN[@]}" 2>"$OUT/protect-errors.txt"
"$CLI" restore -k "$OUT/master.key" -s "$OUT/keystore" -o "$OUT/restored" "$OUT/protected" 2>"$OUT/restore-errors.txt"
set -e

files=0 before=0 after=0 identical=0 refused=0
printf '%-52s %10s %10s  %s\n' "file" "original" "protected" "restored byte-identical"
for dir in "${IN[@]}"; do
    while IFS= read -r -d '' f; do
        rel=${f#"$dir"/}
        size=$(stat -c %s "$f")
        if [ ! -f "$OUT/protected/$rel" ]; then
            why=$(grep -F "$f: " "$OUT/protect-errors.txt" | head -1 | sed 's/.*: protect: [^:]*: //')
            printf '%-52s %10d %10s  refused: %s\n' "$rel" "$size" "-" "$why"
            refused=$((refused + 1))
            continue
        fi
        psize=$(stat -c %s "$OUT/protected/$rel")
        same=no
        cmp -s "$f" "$OUT/restored/$rel" && same=yes && identical=$((identical + 1))
        printf '%-52s %10d %10d  %s\n' "$rel" "$size" "$psize" "$same"
        files=$((files + 1)) before=$((before + size)) after=$((after + psize))
    done < <(find "$dir" -type f -name '*' ! -name '*.md' ! -name '*.txt' -print0 | sort -z)
done
all=no
[ "$identical" -eq "$files" ] && all=yes
echo "total: $files files protected, $refused refused (malformed inputs); $before bytes before, $after bytes after; all restored byte-identical: $all"

echo
echo "== the gateway: Orthanc with the dcmguard plugin (tests/demo-gateway.sh)"
bash "$ROOT/tests/demo-gateway.sh" "$OUT-gateway" ||
    echo "the gateway demo failed (it needs unshare -rn for a private loopback): see above"
