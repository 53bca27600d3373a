# lib.sh - helpers shared by the shell tests (sourced, not run).
# Each test gets a private temporary directory, removed on exit.

set -u
TMP=$(mktemp -d /tmp/dcmguard-test.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
FAILED=0
PASSED=0

ok() { PASSED=$((PASSED + 1)); }
fail() { echo "FAIL: $*" >&2; FAILED=$((FAILED + 1)); }
expect() { # expect DESCRIPTION COMMAND... : the command must succeed
    local what=$1; shift
    if "$@"; then ok; else fail "$what"; fi
}
refuse() { # refuse DESCRIPTION COMMAND... : the command must fail (non-zero, no crash)
    local what=$1; shift
    "$@"
    local rc=$?
    if [ $rc -ne 0 ] && [ $rc -lt 128 ]; then ok; else fail "$what (exit $rc)"; fi
}
summary() {
    echo "$(basename "$0" .sh): $PASSED passed, $FAILED failed"
    [ "$FAILED" -eq 0 ]
}
sha() { sha256sum "$1" | cut -d' ' -f1; }
# pad_id CLI FILE: the one-time pad id that `inspect` names for the protected FILE (no store needed).
pad_id() { "$1" inspect "$2" | sed -n 's/^pad: .* id \([0-9a-f]*\)$/\1/p'; }
# flip_byte FILE OFFSET: inverts every bit of the byte at OFFSET, so that it always changes (writing a
# fixed value left random ciphertext unchanged once in 256 runs).
flip_byte() {
    local b
    b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
    printf "\\$(printf %03o $((b ^ 255)))" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}
# largest_raw FILE DIR: dcmdump +W writes each binary value of FILE to its own
# .raw file in DIR (made afresh); prints the largest, which is the Pixel Data.
largest_raw() {
    rm -rf "$2" && mkdir -p "$2" && dcmdump +W "$2" "$1" >/dev/null 2>&1 && ls -S "$2"/*.raw | head -1
}
