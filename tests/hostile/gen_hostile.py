#!/usr/bin/env python3
# gen_hostile.py OUTDIR - writes small hostile DICOM files, byte by byte (no
# DICOM library), for tests/hostile.sh. Each file breaks one rule a parser
# must not trust: nesting depth, declared lengths checked against the real
# size, odd lengths, VRs, fragment framing, tag order. good.dcm is the same
# construction without a defect, so that a refusal of the others is known to
# come from the defect and not from the generator.
#
# The list of what must happen to each file is in tests/hostile/EXPECT.
import os
import random
import struct
import sys
import zlib

UNDEFINED = 0xFFFFFFFF
TS_EXPLICIT_LE = "1.2.840.10008.1.2.1"
TS_IMPLICIT_LE = "1.2.840.10008.1.2"
TS_JPEGLS = "1.2.840.10008.1.2.4.80"
SC_CLASS = "1.2.840.10008.5.1.4.1.1.7"
LONG_VRS = {"OB", "OD", "OF", "OL", "OV", "OW", "SQ", "UC", "UN", "UR", "UT", "SV", "UV"}


def pad(value, vr):
    """DICOM values have even lengths: UIs pad with NUL, other text with a space."""
    if len(value) % 2 == 0:
        return value
    return value + (b"\0" if vr in ("UI", "OB", "UN") else b" ")


def ex(group, element, vr, value, length=None):
    """An explicit VR little endian element; length overrides the real one."""
    n = len(value) if length is None else length
    head = struct.pack("<HH", group, element) + vr.encode("ascii")
    if vr in LONG_VRS or len(vr) != 2 or not vr.isupper():
        head += b"\0\0" + struct.pack("<I", n)
    else:
        head += struct.pack("<H", n)
    return head + value


def exs(group, element, vr, text):
    return ex(group, element, vr, pad(text.encode("ascii"), vr))


def us(group, element, value):
    return ex(group, element, "US", struct.pack("<H", value))


def im(group, element, value, length=None):
    """An implicit VR little endian element."""
    n = len(value) if length is None else length
    return struct.pack("<HHI", group, element, n) + value


def item(value, length=None):
    n = len(value) if length is None else length
    return struct.pack("<HHI", 0xFFFE, 0xE000, n) + value


ITEM_END = struct.pack("<HHI", 0xFFFE, 0xE00D, 0)
SEQ_END = struct.pack("<HHI", 0xFFFE, 0xE0DD, 0)


def meta(ts):
    body = (ex(0x0002, 0x0001, "OB", b"\0\1") + exs(0x0002, 0x0002, "UI", SC_CLASS) +
            exs(0x0002, 0x0003, "UI", "2.25.1234") + exs(0x0002, 0x0010, "UI", ts) +
            exs(0x0002, 0x0012, "UI", "2.25.5678"))
    return b"\0" * 128 + b"DICM" + ex(0x0002, 0x0000, "UL", struct.pack("<I", len(body))) + body


def ids():
    return exs(0x0008, 0x0016, "UI", SC_CLASS) + exs(0x0008, 0x0018, "UI", "2.25.1234")


def image(rows=4, cols=4, bits=8, frames=None):
    """Image pixel module attributes (tags 0028,xxxx, in order)."""
    out = us(0x0028, 0x0002, 1) + exs(0x0028, 0x0004, "CS", "MONOCHROME2")
    if frames is not None:
        out += exs(0x0028, 0x0008, "IS", frames)
    out += us(0x0028, 0x0010, rows) + us(0x0028, 0x0011, cols)
    out += us(0x0028, 0x0100, bits) + us(0x0028, 0x0101, bits) + us(0x0028, 0x0102, bits - 1)
    return out + us(0x0028, 0x0103, 0)


def patient(name="Hostile^Test"):
    return exs(0x0010, 0x0010, "PN", name) + exs(0x0010, 0x0020, "LO", "HOSTILE1")


def pixels(data, vr="OB", length=None):
    return ex(0x7FE0, 0x0010, vr, data, length)


def ex_file(dataset, ts=TS_EXPLICIT_LE):
    return meta(ts) + dataset


def plain(extra_before_pixels=b"", pix=None, img=None, name="Hostile^Test"):
    """A 4x4 8-bit image; pieces may be replaced to make one defect."""
    img = image() if img is None else img
    pix = pixels(bytes(range(16))) if pix is None else pix
    return ex_file(ids() + patient(name) + img + extra_before_pixels + pix)


def nested_undefined(levels):
    """levels sequences, each in an item of the one above, undefined lengths."""
    open_one = ex(0x0040, 0xA730, "SQ", b"", UNDEFINED) + item(b"", UNDEFINED)
    inner = exs(0x0010, 0x0010, "PN", "Deep")
    return open_one * levels + inner + (ITEM_END + SEQ_END) * levels


def nested_defined(levels):
    """The same with defined lengths, worked out from the innermost level outwards."""
    inner = exs(0x0010, 0x0010, "PN", "Deep")
    heads = []
    length = len(inner)  # of the item's value at the current level
    for _ in range(levels):
        heads.append(ex(0x0040, 0xA730, "SQ", b"", 8 + length) + item(b"", length))
        length += 12 + 8
    return b"".join(reversed(heads)) + inner


def nested_implicit(levels):
    """Private (0009,1010) with undefined length in implicit VR: a sequence."""
    open_one = im(0x0009, 0x1010, b"", UNDEFINED) + item(b"", UNDEFINED)
    return open_one * levels + im(0x0010, 0x0010, b"Deep") + (ITEM_END + SEQ_END) * levels


def nested_un(levels):
    """UN of defined length whose value starts with an item: probed as a sequence.
    The value is item(im(0009,1010, item(... item(PN)))): levels items."""
    inner = im(0x0010, 0x0010, b"Deep")
    heads = []
    length = len(inner)
    for k in range(levels):
        heads.append(item(b"", length))
        length += 8
        if k < levels - 1:
            heads.append(im(0x0009, 0x1010, b"", length))
            length += 8
    value = b"".join(reversed(heads)) + inner
    return ex(0x0009, 0x0010, "LO", b"HOSTILE ") + ex(0x0009, 0x1010, "UN", value)


def encapsulated(fragments, bot=b"", end=SEQ_END):
    value = item(bot) + b"".join(fragments) + end
    return ex(0x7FE0, 0x0010, "OB", value, UNDEFINED)


def jls_file(pix_element, img=None):
    img = image() if img is None else img
    return meta(TS_JPEGLS) + ids() + patient() + img + pix_element


def deflated(dataset):
    """A deflated explicit VR little endian dataset (raw deflate, no zlib header)."""
    z = zlib.compressobj(9, zlib.DEFLATED, -15)
    return meta("1.2.840.10008.1.2.1.99") + z.compress(dataset) + z.flush()


def no_meta_big_endian_nested():
    """No File Meta. Read as implicit VR little endian (the scan's guess) it is one
    opaque element (4000,30A7) of 0x00101000 bytes; read as implicit VR big endian
    (DCMTK's guess, as (0040,A730) is a known sequence) the same bytes are 65,791
    nested sequences. The length bytes 00 10 10 00 read the same both ways."""
    total = 0x00101000
    heads = []
    left = total
    while left >= 16 + 8 + 4:
        heads.append(struct.pack(">HHI", 0xFFFE, 0xE000, left - 8))
        heads.append(struct.pack(">HHI", 0x0040, 0xA730, left - 16))
        left -= 16
    tail = struct.pack(">HHI", 0xFFFE, 0xE000, left - 8) + struct.pack(
        ">HHI", 0x0009, 0x1000, left - 16) + bytes(left - 16)
    return struct.pack(">HH", 0x0040, 0xA730) + b"\x00\x10\x10\x00" + b"".join(heads) + tail


def cases():
    c = {}
    c["good.dcm"] = plain()
    c["good_implicit.dcm"] = meta(TS_IMPLICIT_LE) + im(0x0008, 0x0016, pad(SC_CLASS.encode(), "UI")) + \
        im(0x0010, 0x0010, b"Hostile^Test") + im(0x0028, 0x0002, struct.pack("<H", 1)) + \
        im(0x0028, 0x0004, b"MONOCHROME2 ") + im(0x0028, 0x0010, struct.pack("<H", 4)) + \
        im(0x0028, 0x0011, struct.pack("<H", 4)) + im(0x0028, 0x0100, struct.pack("<H", 8)) + \
        im(0x0028, 0x0101, struct.pack("<H", 8)) + im(0x0028, 0x0102, struct.pack("<H", 7)) + \
        im(0x0028, 0x0103, struct.pack("<H", 0)) + im(0x7FE0, 0x0010, bytes(range(16)))

    # Pixels a codec may mishandle: two samples a pixel (CharLS cannot read back two
    # sample-interleaved components), and noise that JPEG-LS codes longer than CharLS's
    # own size estimate (8 and 16 bits, with bits set above Bits Stored).
    spp2 = us(0x0028, 0x0002, 2) + exs(0x0028, 0x0004, "CS", "MONOCHROME2") + \
        us(0x0028, 0x0006, 0) + us(0x0028, 0x0010, 10) + us(0x0028, 0x0011, 10) + \
        us(0x0028, 0x0100, 8) + us(0x0028, 0x0101, 8) + us(0x0028, 0x0102, 7) + us(0x0028, 0x0103, 0)
    c["samples_per_pixel_2.dcm"] = plain(img=spp2, pix=pixels(bytes(range(200))))
    noise = random.Random(7)
    c["noise_8bit.dcm"] = plain(img=image(256, 256, 8), pix=pixels(noise.randbytes(65536)))
    img12 = image(64, 96, 16)[:-4 * 10] + us(0x0028, 0x0100, 16) + us(0x0028, 0x0101, 12) + \
        us(0x0028, 0x0102, 11) + us(0x0028, 0x0103, 0)
    c["noise_16bit_above_bits_stored.dcm"] = plain(img=img12, pix=pixels(noise.randbytes(12288), "OW"))

    # Nesting: 1000 levels, every way a sequence can be written.
    c["nested_1000_undefined.dcm"] = ex_file(ids() + patient() + nested_undefined(1000))
    c["nested_1000_defined.dcm"] = ex_file(ids() + patient() + nested_defined(1000))
    c["nested_1000_implicit.dcm"] = meta(TS_IMPLICIT_LE) + im(0x0008, 0x0016, pad(
        SC_CLASS.encode(), "UI")) + nested_implicit(1000)
    c["nested_1000_un.dcm"] = ex_file(ids() + patient() + nested_un(1000))

    # Declared sizes far beyond the bytes: the image attributes and lengths.
    c["rows_cols_46341.dcm"] = plain(img=image(46341, 46341, 16), pix=pixels(b"\0\0", "OW"))
    c["rows_cols_46341_8bit.dcm"] = plain(img=image(46341, 46341, 8), pix=pixels(b"\0\0"))
    c["frames_2147483647.dcm"] = plain(img=image(frames="2147483647"))
    c["rows_cols_65535_encapsulated.dcm"] = jls_file(
        encapsulated([item(b"\xff\xd8\xff\xd9")]), img=image(65535, 65535, 16))
    c["length_fffffff0_pixels.dcm"] = plain(pix=pixels(bytes(16), "OB", 0xFFFFFFF0))
    c["length_fffffff0_private.dcm"] = plain(
        extra_before_pixels=b"",
        img=image() + ex(0x0029, 0x0010, "LO", b"HOSTILE ") +
        ex(0x0029, 0x1001, "OB", bytes(16), 0xFFFFFFF0))
    c["length_fffffff0_meta.dcm"] = (b"\0" * 128 + b"DICM" +
                                     ex(0x0002, 0x0001, "OB", b"\0\1", 0xFFFFFFF0) +
                                     exs(0x0002, 0x0010, "UI", TS_EXPLICIT_LE) + ids())
    c["length_fffffff0_item.dcm"] = ex_file(ids() + patient() + ex(
        0x0040, 0xA730, "SQ", item(bytes(16), 0xFFFFFFF0) + SEQ_END, UNDEFINED))
    c["length_fffffff0_fragment.dcm"] = jls_file(encapsulated([item(bytes(16), 0xFFFFFFF0)]))
    c["length_fffffff0_implicit.dcm"] = meta(TS_IMPLICIT_LE) + im(0x0010, 0x0010, b"A^B ",
                                                                  0xFFFFFFF0)

    # Odd lengths.
    c["odd_length_pixels_ow.dcm"] = plain(img=image(bits=16), pix=pixels(bytes(31), "OW"))
    c["odd_length_name.dcm"] = ex_file(
        ids() + ex(0x0010, 0x0010, "PN", b"Smith") + image() + pixels(bytes(range(16))))
    c["odd_length_fragment.dcm"] = jls_file(encapsulated([item(b"\xff\xd8\xff\xd9\x00")]))
    c["odd_length_sequence_item.dcm"] = ex_file(ids() + patient() + ex(
        0x0040, 0xA730, "SQ", item(exs(0x0010, 0x0010, "PN", "Deep") + b"\0")) + image() +
        pixels(bytes(range(16))))

    # Wrong VRs.
    c["vr_unknown.dcm"] = plain(name="X", img=ex(0x0028, 0x0002, "ZZ", struct.pack("<H", 1)) +
                                image()[10:])
    c["vr_lowercase.dcm"] = plain(pix=ex(0x7FE0, 0x0010, "ob", bytes(range(16))))
    c["vr_rows_ul.dcm"] = plain(img=us(0x0028, 0x0002, 1) + exs(0x0028, 0x0004, "CS", "MONOCHROME2") +
                                ex(0x0028, 0x0010, "UL", struct.pack("<I", 4)) +
                                image()[40:])
    c["vr_rows_sq.dcm"] = plain(img=us(0x0028, 0x0002, 1) + exs(0x0028, 0x0004, "CS", "MONOCHROME2") +
                                ex(0x0028, 0x0010, "SQ", item(us(0x0028, 0x0010, 4))) +
                                image()[40:])
    c["vr_pixels_sq.dcm"] = plain(pix=ex(0x7FE0, 0x0010, "SQ", item(us(0x0028, 0x0010, 4))))
    c["vr_pixels_ut_undefined.dcm"] = plain(pix=ex(0x7FE0, 0x0010, "UT", item(bytes(16)) +
                                                   SEQ_END, UNDEFINED))
    c["vr_name_ob_undefined.dcm"] = ex_file(ids() + ex(0x0010, 0x0010, "OB", item(b"AB") + SEQ_END,
                                                       UNDEFINED) + image() + pixels(bytes(16)))

    # Fragments.
    frag = item(b"\xff\xd8" + bytes(30) + b"\xff\xd9")
    c["fragment_truncated.dcm"] = jls_file(encapsulated([item(bytes(100))]))[:-60]
    c["fragment_no_delimiter.dcm"] = jls_file(encapsulated([frag], end=b""))
    c["fragment_undefined_length.dcm"] = jls_file(encapsulated([item(bytes(16), UNDEFINED)]))
    c["fragment_not_an_item.dcm"] = jls_file(encapsulated([struct.pack("<HHI", 0x0010, 0x0010, 4) +
                                                            b"ABCD"]))
    c["fragment_header_cut.dcm"] = jls_file(encapsulated([frag], end=b""))[:-4]
    c["fragment_item_delimiter.dcm"] = jls_file(encapsulated([frag, ITEM_END]))
    c["fragment_nested_sequence.dcm"] = jls_file(encapsulated([ex(0x7FE0, 0x0010, "OB", item(
        b"") + frag + SEQ_END, UNDEFINED)]))

    # Tags.
    c["duplicate_tag.dcm"] = ex_file(ids() + patient() + exs(0x0010, 0x0010, "PN", "Second^Name") +
                                     image() + pixels(bytes(range(16))))
    c["duplicate_pixels.dcm"] = plain(pix=pixels(bytes(range(16))) + pixels(bytes(range(16))))
    c["tags_descending.dcm"] = ex_file(ids() + image() + patient() + pixels(bytes(range(16))))
    c["file_meta_in_dataset.dcm"] = ex_file(exs(0x0002, 0x0013, "SH", "X") + ids() + patient() +
                                            image() + pixels(bytes(range(16))))
    c["item_at_top_level.dcm"] = ex_file(ids() + item(b"") + patient() + image() +
                                         pixels(bytes(range(16))))

    # Deflated datasets: the same defects, behind a compression the scan must see through.
    c["deflated_good.dcm"] = deflated(ids() + patient() + image() + pixels(bytes(range(16))))
    c["deflated_nested_1000.dcm"] = deflated(ids() + patient() + nested_undefined(1000))
    c["deflated_nested_100000.dcm"] = deflated(ids() + patient() + nested_undefined(100000))
    c["deflated_length_fffffff0.dcm"] = deflated(
        ids() + patient() + ex(0x0029, 0x0010, "LO", b"HOSTILE ") +
        ex(0x0029, 0x1001, "OB", bytes(16), 0xFFFFFFF0))
    c["deflated_truncated.dcm"] = deflated(ids() + patient() + image() +
                                           pixels(bytes(range(16))))[:-6]

    # No File Meta: the encoding is a guess, and DCMTK's may not be the scan's.
    c["no_meta_big_endian_length.dcm"] = (struct.pack("<HHI", 0x1E00, 0x0000, 0) +
                                          struct.pack("<HHI", 0x0000, 0x0000, 0xE0) + bytes(0xE0))
    c["no_meta_big_endian_nested.dcm"] = no_meta_big_endian_nested()

    # Truncation and tiny files.
    good = plain()
    c["truncated_in_header.dcm"] = good[:len(good) - 16 - 12 + 3]
    c["truncated_in_value.dcm"] = good[:len(good) - 5]
    c["empty.dcm"] = b""
    c["preamble_only.dcm"] = b"\0" * 128 + b"DICM"
    c["meta_only.dcm"] = meta(TS_EXPLICIT_LE)
    c["no_transfer_syntax.dcm"] = b"\0" * 128 + b"DICM" + ex(0x0002, 0x0001, "OB", b"\0\1") + ids()
    c["bad_transfer_syntax.dcm"] = meta("1.2.3.not.a.uid") + ids() + patient()
    c["meta_group_length_wrong.dcm"] = (b"\0" * 128 + b"DICM" +
                                        ex(0x0002, 0x0000, "UL", struct.pack("<I", 7)) +
                                        exs(0x0002, 0x0010, "UI", TS_EXPLICIT_LE) + ids())
    return c


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, data in cases().items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
