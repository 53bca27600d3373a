#!/usr/bin/env python3
# make_phi_file.py TABLE OUT.dcm VALUES.txt - a DICOM file with a distinctive value in every
# attribute of PS3.15 Table E.1-1 (TABLE, the 2026c TSV) whose Basic Profile action is not K,
# plus: a nested value in every such sequence, the repeating groups (50xx curve, 60xx overlay),
# unknown even-group tags (explicit LO and UN), a private block, and identifying File Meta
# values. VALUES.txt gets every distinctive value, one a line (what must not survive).
import csv
import sys

sys.path.insert(0, __import__("os").path.dirname(__file__))
import dicomgen  # noqa: E402

DUMMY_VR = {"xs": "US", "ox": "OW", "lt": "OW", "up": "UL", "px": "OB", "na": None}
SKIP_GROUPS = {0x0000, 0x0002, 0x0004, 0xFFFA, 0xFFFC}


def word(i, kind):
    """A distinctive ASCII word: ZQW + the index in letters + kind."""
    letters = ""
    for _ in range(3):
        letters = chr(ord("A") + i % 26) + letters
        i //= 26
    return "ZQW" + letters + kind


def value_for(vr, i, values):
    w = word(i, "PHI")
    if vr in ("LO", "SH", "CS", "AE", "LT", "ST", "UT", "UC", "UR"):
        values.append(w)
        return w if vr != "UR" else "http://" + w.lower() + ".example/"
    if vr == "PN":
        values.append(w)
        values.append(word(i, "NAM"))
        return w + "^" + word(i, "NAM")
    if vr == "DA":
        d = "19%02d%02d%02d" % (20 + i % 70, 1 + i % 12, 1 + i % 28)
        values.append(d)
        return d
    if vr == "DT":
        d = "19%02d%02d%02d1122" % (20 + i % 70, 1 + (i + 5) % 12, 1 + (i + 3) % 28)
        values.append(d[:8])
        return d
    if vr == "TM":
        return "%02d%02d%02d" % (i % 24, i % 60, (i * 7) % 60)  # times alone are not searched
    if vr == "UI":
        u = "1.2.826.0.1.3680043.9.7777.%d" % (100000 + i)
        values.append(u)
        return u
    if vr == "AS":
        return "0%02dY" % (i % 100)
    if vr in ("OB", "UN"):
        values.append(w)
        return (w + " ").encode()
    if vr == "OW":
        values.append(w)
        return (w + " ").encode()
    if vr in ("DS", "IS"):
        return str(7000 + i)
    if vr in dicomgen.NUMBERS:
        return 7
    if vr in ("OF", "OD", "OL", "OV"):
        return b"\0" * 8
    return None


def main():
    table, out, values_path = sys.argv[1:4]
    vrs = dicomgen.dictionary()
    values, elements, seen = [], [], set()
    rows = list(csv.reader(open(table, encoding="utf-8"), delimiter="\t"))[1:]
    for i, r in enumerate(rows):
        tag_text, basic = r[1].strip().upper(), r[4].strip()
        if basic == "K" or "GGGG" in tag_text:
            continue
        g, e = tag_text.strip("()").split(",")
        if "X" in g + e:
            continue  # repeating groups: below
        tag = int(g + e, 16)
        if tag >> 16 in SKIP_GROUPS or tag in seen:
            continue
        vr = vrs.get(tag_text, "LO")
        vr = DUMMY_VR.get(vr, vr)
        if vr is None:
            continue
        seen.add(tag)
        if vr == "SQ":
            n = word(i, "SEQ")
            values.append(n)
            item = [(0x00080104, "LO", n), (0x00100010, "PN", n + "^" + word(i, "SQN"))]
            values.append(word(i, "SQN"))
            elements.append((tag, vr, [item]))
            continue
        v = value_for(vr, i, values)
        if v is not None:
            elements.append((tag, vr, v))
    extra = [
        (0x50000005, "US", 1), (0x50000022, "LO", word(9001, "CRV")),
        (0x60000010, "US", 8), (0x60000011, "US", 8), (0x60000022, "LO", word(9002, "OVD")),
        (0x60000040, "CS", "G"), (0x60000050, "SS", [1, 1]), (0x60000100, "US", 1),
        (0x60000102, "US", 0), (0x60001500, "LO", word(9003, "OVL")),
        (0x60003000, "OW", (word(9004, "OVB")).encode()), (0x60004000, "LT", word(9005, "OVC")),
        (0x77760010, "LO", word(9006, "UNK")), (0x77760012, "UN", (word(9007, "UNB") + " ").encode()),
        (0x00090010, "LO", "DCMGUARD TEST"), (0x00091001, "LO", word(9008, "PRV")),
        (0x00080104, "LO", word(9009, "CMN")), (0x0040A160, "UT", word(9010, "TXT")),
        (0x00081030, "LO", word(9011, "STD")),
        (0x00280002, "US", 1), (0x00280004, "CS", "MONOCHROME2"), (0x00280010, "US", 8),
        (0x00280011, "US", 8), (0x00280100, "US", 8), (0x00280101, "US", 8), (0x00280102, "US", 7),
        (0x00280103, "US", 0), (0x00280301, "CS", "NO"), (0x00080060, "CS", "OT"),
        (0x00080016, "UI", "1.2.840.10008.5.1.4.1.1.7"), (0x7FE00010, "OB", bytes(range(64))),
    ]
    have = {t for t, _, _ in elements}
    extra = [x for x in extra if x[0] not in have]
    for t, vr, v in extra:
        if isinstance(v, str) and "ZQW" in v:
            values.append(v)
        elif isinstance(v, bytes) and v.startswith(b"ZQW"):
            values.append(v.decode().strip())
    elements += extra
    sop = [v for t, vr, v in elements if t == 0x00080018][0]
    meta = [(0x00020016, "AE", word(9012, "AET")),
            (0x00020026, "UR", "dicom://" + word(9013, "URL").lower() + ".example:104")]
    values += [word(9012, "AET"), word(9013, "URL").lower()]
    with open(out, "wb") as f:
        f.write(dicomgen.part10(elements, "1.2.840.10008.5.1.4.1.1.7", sop, meta))
    with open(values_path, "w") as f:
        f.write("\n".join(sorted(set(values))) + "\n")


main()
