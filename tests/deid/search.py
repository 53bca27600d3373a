#!/usr/bin/env python3
# search.py [--all-found] [--words] VALUES PATH... - prints every occurrence of every value of VALUES
# (one a line) in the bytes of every file under PATH: as written, upper case, lower case, each in
# ASCII and UTF-16LE/BE. The last line (stderr) counts the forms searched and the hits; exit 1 on a
# hit.
#   --all-found  the self-check: exit 1 unless every value is found.
#   --words      search each word of 6 characters or more of a value (split at spaces and ^)
#                instead of the whole value.
# A value made of digits only (a date, an ID) is not counted where it lies inside a pseudonymous
# UID, 2.25. and up to 39 random decimal digits: an 8-digit date turns up by chance in one of a
# file's dozens of such UIDs about once in a few hundred files, and that is no leak.
import os
import re
import sys

args = sys.argv[1:]
all_found = "--all-found" in args
words = "--words" in args
args = [a for a in args if a not in ("--all-found", "--words")]
values = [v.strip() for v in open(args[0], encoding="ascii") if v.strip()]
if words:
    values = sorted({w for v in values for w in re.split(r"[\s^]+", v) if len(w) >= 6})
forms = set()
for v in values:
    for w in {v, v.upper(), v.lower()}:
        for enc in ("ascii", "utf-16-le", "utf-16-be"):
            forms.add((v, enc, w.encode(enc)))

PSEUDONYM = re.compile(rb"2\.25\.[0-9]{1,39}")


def occurs(data, b, pseudonyms):
    """Whether b occurs in data other than wholly inside a pseudonymous UID (digits only)."""
    if not b.isdigit():
        return b in data
    at = data.find(b)
    while at >= 0:
        if not any(s <= at and at + len(b) <= e for s, e in pseudonyms):
            return True
        at = data.find(b, at + 1)
    return False


hits = 0
found = set()
for top in args[1:]:
    paths = [top] if os.path.isfile(top) else [os.path.join(r, n) for r, _, ns in os.walk(top) for n in ns]
    for path in paths:
        data = open(path, "rb").read()
        pseudonyms = [(m.start() + 5, m.end()) for m in PSEUDONYM.finditer(data)]
        for v, enc, b in sorted(forms):
            if occurs(data, b, pseudonyms):
                found.add(v)
                if not all_found:
                    print(f"{path}: {v} ({enc})")
                hits += 1
print(f"{len(forms)} forms of {len(values)} values searched, {hits} hits", file=sys.stderr)
if all_found:
    for v in values:
        if v not in found:
            print(f"not found: {v}")
    sys.exit(0 if len(found) == len(set(values)) else 1)
sys.exit(1 if hits else 0)
