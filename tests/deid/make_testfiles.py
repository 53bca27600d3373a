#!/usr/bin/env python3
# make_testfiles.py OUTDIR - writes the synthetic test files of testdata/files (dcmguard_*.dcm):
# the cases of issue 11 that the public test suites do not have. Deterministic: the same bytes
# on every run (checked in; testdata/MANIFEST.md lists them). Every file names the same
# fictitious patient, "Quimbelor^Zaphirette", ID PIDXQZ7781245, born 19470312.
import os
import random
import struct
import sys

sys.path.insert(0, os.path.dirname(__file__))
import dicomgen  # noqa: E402

ROOT = "1.2.826.0.1.3680043.9.7777.2."  # a test root under a registered prefix


def uid(n):
    return ROOT + str(n)


def common(sop_class, sop_instance, modality, study_date="20190417"):
    """Patient, study, series, equipment and SOP common modules."""
    return [
        (0x00080005, "CS", "ISO_IR 100"),
        (0x00080012, "DA", study_date), (0x00080013, "TM", "101500"),
        (0x00080016, "UI", sop_class), (0x00080018, "UI", sop_instance),
        (0x00080020, "DA", study_date), (0x00080030, "TM", "101010"),
        (0x00080050, "SH", "ACCQZX50117"), (0x00080060, "CS", modality),
        (0x00080070, "LO", "DCMGUARD TESTGEN"), (0x00080090, "PN", "Drakovian^Hildebrand"),
        (0x00100010, "PN", "Quimbelor^Zaphirette"), (0x00100020, "LO", "PIDXQZ7781245"),
        (0x00100030, "DA", "19470312"), (0x00100040, "CS", "F"),
        (0x0020000D, "UI", uid(1)), (0x0020000E, "UI", uid(2) + "." + str(int.from_bytes(modality.encode(), "big"))),
        (0x00200010, "SH", "STUDYQZ58"), (0x00200011, "IS", "1"), (0x00200013, "IS", "1"),
    ]


def image(rows, cols, bits=8, samples=b""):
    return [
        (0x00280002, "US", 1), (0x00280004, "CS", "MONOCHROME2"),
        (0x00280010, "US", rows), (0x00280011, "US", cols),
        (0x00280100, "US", bits), (0x00280101, "US", bits), (0x00280102, "US", bits - 1),
        (0x00280103, "US", 0), (0x7FE00010, "OB" if bits <= 8 else "OW", samples),
    ]


def write(outdir, name, elements, sop_class, sop_instance, meta_instance=None):
    data = dicomgen.part10(elements, sop_class, meta_instance or sop_instance)
    with open(os.path.join(outdir, name), "wb") as f:
        f.write(data)


def ecg(outdir, rng):
    """12-lead ECG: 12 channels x 500 samples, SS, random-looking samples."""
    cls, inst = "1.2.840.10008.5.1.4.1.1.9.1.2", uid(10)
    channels, samples = 12, 500
    data = struct.pack("<%dh" % (channels * samples), *[rng.randint(-2000, 2000) for _ in range(channels * samples)])
    chdefs = [[(0x003A0203, "SH", "Lead %d" % (i + 1)),
               (0x003A0208, "SQ", [[(0x00080100, "SH", "5.6.3-9-%d" % (i + 1)), (0x00080102, "SH", "SCPECG"),
                                    (0x00080104, "LO", "Lead %d" % (i + 1))]]),
               (0x003A0210, "DS", "1"), (0x003A0211, "SQ", [[(0x00080100, "SH", "uV"), (0x00080102, "SH", "UCUM"),
                                                              (0x00080104, "LO", "microvolt")]]),
               (0x003A021A, "US", 16)] for i in range(channels)]
    seq = [[(0x00180068, "CS", "ORIGINAL"), (0x003A0004, "CS", "SIGNED"), (0x003A0005, "US", channels),
            (0x003A0010, "UL", samples), (0x003A001A, "DS", "500"), (0x003A0200, "SQ", chdefs),
            (0x54001004, "US", 16), (0x54001006, "CS", "SS"), (0x54001010, "OW", data)]]
    els = common(cls, inst, "ECG") + [
        (0x00080023, "DA", "20190417"), (0x00080033, "TM", "101600"),
        (0x0008002A, "DT", "20190417101500"), (0x00181000, "LO", "SERIALQZX4471"),
        (0x00200020, "CS", ""), (0x00400555, "SQ", []), (0x5400, "US", 0),
        (0x54000100, "SQ", seq),
    ]
    els = [e for e in els if e[0] != 0x5400]
    write(outdir, "dcmguard_ecg.dcm", els, cls, inst)


PDF = (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
       b"2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n"
       b"3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 100] /Contents 4 0 R"
       b" /Resources << /Font << /F1 5 0 R >> >> >>\nendobj\n"
       b"4 0 obj\n<< /Length 88 >>\nstream\nBT /F1 12 Tf 10 50 Td (Report for Quimbelor Zaphirette, PIDXQZ7781245) Tj ET\n"
       b"endstream\nendobj\n5 0 obj\n<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>\nendobj\n"
       b"trailer\n<< /Root 1 0 R >>\n%%EOF\n")


def pdf(outdir, rng):
    cls, inst = "1.2.840.10008.5.1.4.1.1.104.1", uid(20)
    doc = PDF + bytes(rng.randrange(256) for _ in range(200))  # a binary tail, as real PDFs have
    els = common(cls, inst, "DOC") + [
        (0x00080023, "DA", "20190417"), (0x00080033, "TM", "101600"),
        (0x0008002A, "DT", "20190417101500"), (0x00280301, "CS", "YES"),
        (0x00420010, "ST", "Report for Quimbelor Zaphirette"), (0x00420011, "OB", doc),
        (0x00420012, "LO", "application/pdf"), (0x00400555, "SQ", []), (0x0040A043, "SQ", []),
        (0x00420013, "SQ", []), (0x00420015, "UL", len(doc)),
        (0x00200020, "CS", ""),
    ]
    write(outdir, "dcmguard_pdf.dcm", els, cls, inst)


def enhanced_mr(outdir, rng):
    """Enhanced MR with a Referenced Performed Procedure Step Sequence of one item."""
    cls, inst = "1.2.840.10008.5.1.4.1.1.4.1", uid(30)
    frame = [[(0x00209111, "SQ", [[(0x00189074, "DT", "20190417101501"), (0x00189151, "DT", "20190417101501"),
                                   (0x00209157, "UL", [1])]]),
              (0x00209113, "SQ", [[(0x00200032, "DS", ["0", "0", "0"][0] + "\\0\\0")]])]]
    els = common(cls, inst, "MR") + image(8, 8, 16, bytes(128)) + [
        (0x00080008, "CS", "ORIGINAL\\PRIMARY\\M\\NONE"), (0x00080023, "DA", "20190417"),
        (0x00080033, "TM", "101600"), (0x0008002A, "DT", "20190417101500"),
        (0x00081111, "SQ", [[(0x00081150, "UI", "1.2.840.10008.3.1.2.3.3"), (0x00081155, "UI", uid(31))]]),
        (0x00200052, "UI", uid(32)), (0x00280008, "IS", "1"), (0x00280301, "CS", "NO"),
        (0x52009230, "SQ", frame), (0x00209221, "SQ", []),
    ]
    write(outdir, "dcmguard_enhmr_rpps.dcm", els, cls, inst)


def overlay(outdir, rng):
    cls, inst = "1.2.840.10008.5.1.4.1.1.7", uid(40)
    bits = bytes(rng.randrange(256) for _ in range(8))  # 8x8 overlay, 1 bit each
    els = common(cls, inst, "OT") + image(8, 8, 8, bytes(rng.randrange(256) for _ in range(64))) + [
        (0x00080064, "CS", "WSD"), (0x00280301, "CS", "NO"),
        (0x60000010, "US", 8), (0x60000011, "US", 8), (0x60000022, "LO", "Quimbelor overlay"),
        (0x60000040, "CS", "G"), (0x60000050, "SS", [1, 1]), (0x60000100, "US", 1),
        (0x60000102, "US", 0), (0x60001500, "LO", "Zaphirette"), (0x60003000, "OW", bits),
    ]
    write(outdir, "dcmguard_overlay.dcm", els, cls, inst)


def one_bit(outdir, rng):
    """Multi-frame Single Bit Secondary Capture: 16x16, 1 bit per pixel."""
    cls, inst = "1.2.840.10008.5.1.4.1.1.7.1", uid(50)
    els = common(cls, inst, "OT") + image(16, 16, 8, b"") + [
        (0x00080064, "CS", "WSD"), (0x00280008, "IS", "1"), (0x00280009, "AT", [0x00181063 << 0]),
        (0x00181063, "DS", "0"), (0x00280301, "CS", "NO"),
    ]
    els = [e for e in els if e[0] not in (0x00280100, 0x00280101, 0x00280102, 0x7FE00010)]
    els += [(0x00280100, "US", 1), (0x00280101, "US", 1), (0x00280102, "US", 0),
            (0x7FE00010, "OB", bytes(rng.randrange(256) for _ in range(32)))]
    els = [(t, vr, ([0x0018, 0x1063] and struct.pack("<HH", 0x0018, 0x1063)) if t == 0x00280009 else v)
           for t, vr, v in els]
    write(outdir, "dcmguard_1bit.dcm", els, cls, inst)


def sr(outdir, rng):
    """Basic Text SR whose Content Sequence names the patient."""
    cls, inst = "1.2.840.10008.5.1.4.1.1.88.11", uid(60)
    code = lambda v, s, m: [(0x00080100, "SH", v), (0x00080102, "SH", s), (0x00080104, "LO", m)]
    content = [[(0x0040A010, "CS", "CONTAINS"), (0x0040A040, "CS", "TEXT"),
                (0x0040A043, "SQ", [code("121071", "DCM", "Finding")]),
                (0x0040A160, "UT", "Quimbelor Zaphirette has a small lesion")],
               [(0x0040A010, "CS", "CONTAINS"), (0x0040A040, "CS", "PNAME"),
                (0x0040A043, "SQ", [code("121008", "DCM", "Person Observer Name")]),
                (0x0040A123, "PN", "Drakovian^Hildebrand")]]
    els = common(cls, inst, "SR") + [
        (0x00080023, "DA", "20190417"), (0x00080033, "TM", "101600"),
        (0x00081111, "SQ", []), (0x0040A040, "CS", "CONTAINER"), (0x0040A050, "CS", "SEPARATE"),
        (0x0040A043, "SQ", [code("18748-4", "LN", "Diagnostic Imaging Report")]),
        (0x0040A491, "CS", "COMPLETE"), (0x0040A493, "CS", "UNVERIFIED"),
        (0x0040A730, "SQ", content), (0x0040A375, "SQ", []), (0x0040A372, "SQ", []),
    ]
    write(outdir, "dcmguard_sr_content.dcm", els, cls, inst)


def no_sop_uid(outdir, rng):
    """SOP Instance UID absent from the dataset; the File Meta names one."""
    cls, inst = "1.2.840.10008.5.1.4.1.1.7", uid(70)
    els = common(cls, inst, "OT") + image(8, 8, 8, bytes(rng.randrange(256) for _ in range(64))) + [
        (0x00080064, "CS", "WSD"), (0x00280301, "CS", "NO"),
    ]
    els = [e for e in els if e[0] != 0x00080018]
    write(outdir, "dcmguard_no_sop_uid.dcm", els, cls, inst)


def main():
    outdir = sys.argv[1]
    for make in (ecg, pdf, enhanced_mr, overlay, one_bit, sr, no_sop_uid):
        make(outdir, random.Random(make.__name__))


main()
