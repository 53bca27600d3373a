#!/bin/bash
# man.sh CLI MANPAGE [HOOK HOOKPAGE] - one source of truth for the options:
# every option that 'dcmguard --help' and each command's --help print
# appears in the manual page, in the subsection (.SS) of OPTIONS named for
# that command; every option and DCMGUARD_* setting of the storescp hook's
# --help appears in its page; the pages render without a warning.
source "$(dirname "$0")/lib.sh"
CLI=$1 PAGE=$2 HOOK=${3:-} HOOKPAGE=${4:-}

# options_of TEXT: the option names (-x, --long-name) a help text mentions.
options_of() { grep -oE '(^|[ ,|])--?[a-z][a-z-]*' | sed 's/^[ ,|]//' | sort -u; }

# section_text NAME: the .SS subsections of the page whose title names NAME.
section_text() {
    awk -v want="$1" '/^\.SS / { on = (index($0, want) > 0) } /^\.S[HS] / && !/^\.SS / { on = 0 } on' "$PAGE" |
        sed 's/\\-/-/g'
}

check_command() { # check_command NAME HELP-ARGS...
    local name=$1 opt
    shift
    local help
    help=$("$CLI" "$@" 2>&1)
    [ -n "$help" ] || { fail "$name: no help text"; return; }
    while read -r opt; do
        [ -n "$opt" ] || continue
        if section_text "$name" | grep -qE -- "(^|[^a-z-])$opt([^a-z-]|$)"; then ok; else fail "$opt of '$name' is not in $PAGE (section $name)"; fi
    done < <(options_of <<<"$help")
}

check_command general --help
for c in keygen protect restore inspect keys analyze; do
    check_command "$c" "$c" --help
done
# every command of the top-level help has its entry under COMMANDS
while read -r c; do
    grep -q "^\.B $c\$" "$PAGE" && ok || fail "command $c is not under COMMANDS in $PAGE"
done < <("$CLI" --help | awk '/^commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 } /^$/ { on = 0 }')
if [ -n "$HOOK" ]; then
    while read -r opt; do
        grep -qF -- "$(sed 's/-/\\-/g' <<<"$opt")" "$HOOKPAGE" && ok || fail "$opt of the storescp hook is not in $HOOKPAGE"
    done < <("$HOOK" --help | grep -oE -- '(--[a-z-]+|DCMGUARD[A-Z_]*)' | sort -u)
fi
for page in "$PAGE" ${HOOKPAGE:+"$HOOKPAGE"}; do
    warnings=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
    expect "$(basename "$page") renders without warnings${warnings:+: $warnings}" [ -z "$warnings" ]
done
summary
