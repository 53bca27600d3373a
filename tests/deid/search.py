#!/usr/bin/env python3
# search.py VALUES PATH... - prints every occurrence of every value of VALUES (one a line) in
# the bytes of every file under PATH: as written, upper case, lower case, each in ASCII and
# UTF-16LE/BE. The last line (stderr) counts the forms searched and the hits; exit 1 on a hit.
# search.py --all-found VALUES PATH...: the self-check; exit 1 unless every value is found.
import os
import sys

all_found = sys.argv[1] == "--all-found"
if all_found:
    del sys.argv[1]
values = [v.strip() for v in open(sys.argv[1], encoding="ascii") if v.strip()]
forms = set()
for v in values:
    for w in {v, v.upper(), v.lower()}:
        for enc in ("ascii", "utf-16-le", "utf-16-be"):
            forms.add((v, enc, w.encode(enc)))
hits = 0
found = set()
for top in sys.argv[2:]:
    paths = [top] if os.path.isfile(top) else [os.path.join(r, n) for r, _, ns in os.walk(top) for n in ns]
    for path in paths:
        data = open(path, "rb").read()
        for v, enc, b in sorted(forms):
            if b in data:
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
