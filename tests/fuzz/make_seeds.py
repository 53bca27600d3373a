#!/usr/bin/env python3
# make_seeds.py KIND OUT ARGS... - builds seed inputs for the harnesses of
# tests/fuzz/ that are not plain files (run.sh calls it):
#
#   restore OUT PROTECTED_DIR SLICES_DIR
#       one input per protected file: the file, then each of its slices as
#       MARK + name + newline + bytes (the layout fuzz_restore.c reads)
#   format OUT PROTECTED_DIR JPEGLS_FILES...
#       inputs for fuzz_format.c: a selector byte, then a clear header taken
#       from a protected file (0), a hand-made envelope (1), a record head
#       taken from a protected file (2), or a JPEG-LS codestream cut out of
#       a DICOM file (3)
import os
import struct
import sys

MARK = b"\n--dcmguard-fuzz-slice--\n"


def restore_seeds(out, protected, slices):
    names = sorted(os.listdir(slices)) if os.path.isdir(slices) else []
    for name in sorted(os.listdir(protected)):
        with open(os.path.join(protected, name), "rb") as f:
            data = f.read()
        for s in names:
            if s.startswith(name + "."):
                with open(os.path.join(slices, s), "rb") as f:
                    data += MARK + s.encode() + b"\n" + f.read()
        with open(os.path.join(out, "restore-" + name), "wb") as f:
            f.write(data)


def envelope(kind, model, prefix, covered, suffix):
    """The envelope plaintext format.c decodes (model as put_model writes it)."""
    body = b"DGEN" + struct.pack("<H", 1) + bytes(32)
    size = len(prefix) + covered + len(suffix)
    body += struct.pack("<QQ", size, len(prefix)) + model
    body += struct.pack("<H", 0)
    body += struct.pack("<Q", len(prefix)) + prefix + struct.pack("<Q", len(suffix)) + suffix
    return body


def model(kind, sb=0, comps=0, w=0, h=0, frames=0, tr=0, tc=0, segs=0, fb=0, chunk=0, cov=0):
    return struct.pack("<BBBBHHIIIHHIQQQ", kind, sb, 0, 0, 0, comps, w, h, frames, tr, tc, segs,
                       fb, chunk, cov)


def format_seeds(out, protected, jpegls_files):
    n = 0

    def put(selector, data):
        nonlocal n
        with open(os.path.join(out, "format-%02d" % n), "wb") as f:
            f.write(bytes([selector]) + data)
        n += 1

    for name in sorted(os.listdir(protected))[:8]:
        with open(os.path.join(protected, name), "rb") as f:
            data = f.read()
        at = data.find(b"DGPH")
        if at >= 4:
            length = struct.unpack("<I", data[at - 4:at])[0]
            put(0, data[at:at + length])
        at = data.find(b"DGTL")
        if at >= 0:
            put(2, data[at:at + 52])
    put(1, envelope(0, model(0), b"prefix", 0, b""))
    put(1, envelope(1, model(1, 1, 1, 4, 4, 1, 2, 2, 4, 16, 0, 16), b"pre", 16, b"suf"))
    put(1, envelope(3, model(3, chunk=1 << 20, segs=1, cov=10), b"p", 10, b""))
    put(1, envelope(2, model(2, segs=2, cov=40), b"p", 40, b"s"))
    for path in jpegls_files:
        with open(path, "rb") as f:
            data = f.read()
        start = data.find(b"\xff\xd8\xff\xf7")
        end = data.find(b"\xff\xd9", start)
        if start >= 0 and end > start:
            put(3, data[start:end + 2])


def main():
    kind, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    if kind == "restore":
        restore_seeds(out, sys.argv[3], sys.argv[4])
    elif kind == "format":
        format_seeds(out, sys.argv[3], sys.argv[4:])
    else:
        sys.exit("make_seeds.py: unknown kind " + kind)


if __name__ == "__main__":
    main()
