# dicomgen.py - a minimal writer of Part-10 DICOM files (explicit VR little endian) for the
# de-identification tests and the synthetic files of testdata/files (make_testfiles.py).
# Elements are (tag, vr, value): value is bytes, str, a number or a list of numbers (by VR),
# or, for SQ, a list of items, each a list of elements. Elements are written in tag order.
import struct

LONG_VRS = {"OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV"}
NUMBERS = {"US": "<H", "SS": "<h", "UL": "<I", "SL": "<i", "FL": "<f", "FD": "<d",
           "SV": "<q", "UV": "<Q", "AT": "<I"}


def encode_value(vr, value):
    if isinstance(value, bytes):
        data = value
    elif vr in NUMBERS:
        values = value if isinstance(value, (list, tuple)) else [value]
        data = b"".join(struct.pack(NUMBERS[vr], v) for v in values)
    else:
        data = str(value).encode("latin-1")
    if len(data) % 2:
        data += b"\0" if vr in ("UI", "OB", "UN") else b" "
    return data


def encode_element(tag, vr, value):
    group, element = tag >> 16, tag & 0xFFFF
    if vr == "SQ":
        data = b"".join(encode_item(item) for item in value)
    else:
        data = encode_value(vr, value)
    head = struct.pack("<HH", group, element) + vr.encode()
    if vr in LONG_VRS:
        head += b"\0\0" + struct.pack("<I", len(data))
    else:
        head += struct.pack("<H", len(data))
    return head + data


def encode_item(elements):
    body = encode_dataset(elements)
    return struct.pack("<HHI", 0xFFFE, 0xE000, len(body)) + body


def encode_dataset(elements):
    return b"".join(encode_element(t, vr, v) for t, vr, v in sorted(elements, key=lambda e: e[0]))


def part10(elements, sop_class, sop_instance, meta_extra=()):
    """A whole file: preamble, DICM, File Meta (with meta_extra elements), dataset."""
    meta = [
        (0x00020001, "OB", b"\0\1"),
        (0x00020002, "UI", sop_class),
        (0x00020003, "UI", sop_instance),
        (0x00020010, "UI", "1.2.840.10008.1.2.1"),
        (0x00020012, "UI", "2.25.100200300400500600700800900"),
        (0x00020013, "SH", "DG_TESTGEN"),
    ] + list(meta_extra)
    body = encode_dataset(meta)
    meta_bytes = encode_element(0x00020000, "UL", len(body)) + body
    return b"\0" * 128 + b"DICM" + meta_bytes + encode_dataset(elements)


def dictionary(path="/usr/share/libdcmtk17/dicom.dic"):
    """(gggg,eeee) upper case -> first VR, from DCMTK's data dictionary."""
    vrs = {}
    with open(path, encoding="latin-1") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            cols = line.split("\t")
            if len(cols) >= 2:
                vrs.setdefault(cols[0].upper(), cols[1].split("/")[0].strip())
    return vrs
