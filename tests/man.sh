#!/bin/bash
# man.sh CLI MANPAGE - one source of truth for the options: every option that
# 'dcmguard --help' and each command's --help print appears in the manual
# page, in the subsection (.SS) of OPTIONS named for that command; and the
# page renders without a warning from man/groff.
source "$(dirname "$0")/lib.sh"
CLI=$1 PAGE=$2

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
warnings=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$PAGE" 2>&1 >/dev/null)
expect "the page renders without warnings${warnings:+: $warnings}" [ -z "$warnings" ]
summary
