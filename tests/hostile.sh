#!/bin/bash
# hostile.sh CLI MALLOC_LIMIT_SO SOURCE MODE [FILE...] - feeds hostile files to
# `dcmguard protect --mode MODE` (aes or chaos) and checks the outcome an
# EXPECT file gives each: a clean refusal (exit 1, one line naming the file,
# no output, no temporary file), or a byte-exact round trip. SOURCE is
# "generated" (the files tests/hostile/gen_hostile.py writes, with
# tests/hostile/EXPECT) or a directory holding the files and their EXPECT
# (tests/fuzz/regressions/). Every run is bounded: no single allocation above
# 256 MB (the LD_PRELOAD library MALLOC_LIMIT_SO in a plain build, ASan's
# max_allocation_size_mb in a sanitizer build), a peak RSS under 256 MB
# (plain) or 1 GB (ASan), and 10 seconds (or the case's time:SECONDS).
#
# Without FILE arguments every case not open in MODE runs; with them, just
# those (each open case is run that way, in a ctest of its own).
. "$(dirname "$0")/lib.sh"
CLI=$1
SHIM=$2
SOURCE=$3
MODE=$4
shift 4
TIME_LIMIT=10
HERE=$(cd "$(dirname "$0")" && pwd)
LIMIT_MB=256

if [ "$SOURCE" = generated ]; then
    python3 "$HERE/hostile/gen_hostile.py" "$TMP/in" || { fail "gen_hostile.py"; summary; exit; }
    EXPECT=$HERE/hostile/EXPECT
else
    mkdir -p "$TMP/in"
    find "$SOURCE" -maxdepth 1 -type f ! -name EXPECT ! -name '*.md' -exec cp {} "$TMP/in/" \;
    EXPECT=$SOURCE/EXPECT
fi
"$CLI" keygen -o "$TMP/key" >/dev/null || { fail "keygen"; summary; exit; }

ASAN=0
if grep -qa __asan_init "$CLI"; then # gcc (libasan.so) and clang (static) builds alike
    ASAN=1
    export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}max_allocation_size_mb=$LIMIT_MB:allocator_may_return_null=0"
    RSS_LIMIT_KB=$((1024 * 1024))
else
    RSS_LIMIT_KB=$((LIMIT_MB * 1024))
fi
TIME=()
[ -x /usr/bin/time ] && TIME=(/usr/bin/time -f %M -o "$TMP/rss")

# run_cli ARGS...: the CLI under the memory bound; sets rc and rss (KB, or ?)
run_cli() {
    local pre=()
    [ $ASAN -eq 1 ] || pre=(env "LD_PRELOAD=$SHIM" "DG_MALLOC_LIMIT_MB=$LIMIT_MB")
    rm -f "$TMP/rss"
    timeout "$TIME_LIMIT" "${TIME[@]}" "${pre[@]}" "$CLI" "$@" 2>"$TMP/err" >/dev/null
    rc=$?
    [ $rc -ne 124 ] || echo "dcmguard: killed after $TIME_LIMIT seconds" >>"$TMP/err"
    rss=$(tail -n 1 "$TMP/rss" 2>/dev/null)
    case $rss in '' | *[!0-9]*) rss='?' ;; esac
}

check_memory() { # check_memory NAME (and the time bound)
    if [ $rc -eq 124 ]; then
        fail "$1: still running after $TIME_LIMIT seconds"
        return 1
    fi
    if grep -q "malloc_limit:\|allocation-size-too-big\|requested allocation size" "$TMP/err"; then
        fail "$1: an allocation above $LIMIT_MB MB: $(grep -m1 'malloc_limit:\|allocation' "$TMP/err")"
        return 1
    fi
    if [ "$rss" != '?' ] && [ "$rss" -gt "$RSS_LIMIT_KB" ]; then
        fail "$1: peak RSS ${rss} KB above $RSS_LIMIT_KB KB"
        return 1
    fi
    return 0
}

check_refusal() { # check_refusal NAME FILE OUT [COMMAND]
    local name=$1 file=$2 out=$3 cmd=${4:-protect}
    check_memory "$name" || return
    if [ $rc -ne 1 ]; then
        fail "$name: expected a refusal (exit 1), got exit $rc: $(head -c 300 "$TMP/err")"
        return
    fi
    if [ "$(wc -l <"$TMP/err")" -ne 1 ] || ! grep -q "^dcmguard: $cmd: $file: ." "$TMP/err"; then
        fail "$name: the refusal is not one line naming the file: $(head -c 300 "$TMP/err")"
        return
    fi
    if [ -e "$out" ] || [ -n "$(find "$TMP/out" -name "$name*" -print -quit)" ]; then
        fail "$name: refused, but an output or temporary file was left"
        return
    fi
    ok
    printf '  %-34s refused  %6s KB  %s\n' "$name" "$rss" "$(sed "s|^dcmguard: $cmd: $file: ||" "$TMP/err")"
}

check_roundtrip() { # check_roundtrip NAME FILE OUT [decoded]
    local name=$1 file=$2 out=$3 decoded=${4:-} prss
    check_memory "$name" || return
    if [ $rc -ne 0 ] || [ ! -f "$out" ]; then
        fail "$name: expected protection, got exit $rc: $(head -c 300 "$TMP/err")"
        return
    fi
    prss=$rss
    run_cli restore -k "$TMP/key" -s "$TMP/store" -o "$out.back" "$out"
    check_memory "$name (restore)" || return
    if [ -n "$decoded" ] && [ $rc -eq 0 ] && [ -s "$out.back" ]; then
        ok
        printf '  %-34s restored (decoded)  %6s KB\n' "$name" "$prss"
        return
    fi
    if [ $rc -ne 0 ] || ! cmp -s "$file" "$out.back"; then
        fail "$name: protected, but not restored byte for byte (exit $rc): $(head -c 300 "$TMP/err")"
        return
    fi
    ok
    printf '  %-34s round trip  %6s KB\n' "$name" "$prss"
}

# EXPECT: FILE OUTCOME [chaos:OUTCOME] [open:OWNER] [chaos-open:OWNER] [time:SECONDS]
declare -A expect limit
open_cases=()
while read -r name outcome rest; do
    case $name in '' | '#'*) continue ;; esac
    expect[$name]=$outcome
    for field in $rest; do
        case $field in
        chaos:*) [ "$MODE" = chaos ] && expect[$name]=${field#chaos:} ;;
        open:*) [ "$MODE" = aes ] && open_cases+=("$name") ;;
        chaos-open:*) [ "$MODE" = chaos ] && open_cases+=("$name") ;;
        time:*) limit[$name]=${field#time:} ;;
        esac
    done
done <"$EXPECT"

for f in "$TMP"/in/*; do
    [ -n "${expect[$(basename "$f")]:-}" ] || fail "$(basename "$f"): generated but not in EXPECT"
done

if [ $# -gt 0 ]; then
    cases=("$@")
else
    cases=()
    for name in "${!expect[@]}"; do
        [[ " ${open_cases[*]} " == *" $name "* ]] || cases+=("$name")
    done
    [ ${#cases[@]} -eq 0 ] || mapfile -t cases < <(printf '%s\n' "${cases[@]}" | sort)
fi

# The bound must really be in force: a 2 MB allocation under a 1 MB limit aborts.
if [ $ASAN -eq 0 ] && env LD_PRELOAD="$SHIM" DG_MALLOC_LIMIT_MB=1 \
    python3 -c 'bytearray(2 << 20)' 2>/dev/null; then
    fail "the allocation limit ($SHIM) is not in force"
fi

mkdir -p "$TMP/out"
for name in "${cases[@]}"; do
    file=$TMP/in/$name
    out=$TMP/out/$name
    TIME_LIMIT=${limit[$name]:-10}
    if [ ! -f "$file" ]; then
        fail "$name: in EXPECT but not generated"
        continue
    fi
    [ "${expect[$name]}" = harness-only ] && continue
    if [ "${expect[$name]}" = restore-refuse ]; then
        run_cli restore -k "$TMP/key" -s "$TMP/store" -o "$out" "$file"
        check_refusal "$name" "$file" "$out" restore
        continue
    fi
    run_cli protect --mode "$MODE" -k "$TMP/key" -s "$TMP/store" -o "$out" "$file"
    case ${expect[$name]} in
    refuse) check_refusal "$name" "$file" "$out" ;;
    roundtrip) check_roundtrip "$name" "$file" "$out" ;;
    restores) check_roundtrip "$name" "$file" "$out" decoded ;;
    either)
        if [ $rc -eq 0 ]; then check_roundtrip "$name" "$file" "$out"; else check_refusal "$name" "$file" "$out"; fi
        ;;
    *) fail "$name: unknown outcome '${expect[$name]}' in EXPECT" ;;
    esac
done
echo "mode $MODE; time bound 10s unless EXPECT says otherwise; memory bound: one allocation <= $LIMIT_MB MB ($([ $ASAN -eq 1 ] && echo ASan max_allocation_size_mb || echo LD_PRELOAD malloc_limit)), peak RSS <= $((RSS_LIMIT_KB / 1024)) MB"
summary
