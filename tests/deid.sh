#!/bin/bash
# deid.sh CLI TESTDATA SOURCE_DIR - the de-identification of issue 11, attacked from outside:
#  1. a generated file with a distinctive value in every PS3.15 2026c E.1-1 attribute whose basic
#     action is not K (plus nested sequences, 50xx/60xx groups, unknown tags, private values and
#     File Meta): none of the values anywhere in the protected file, its slices or the
#     restore --deidentified output (ASCII any case, UTF-16); restore is byte-identical;
#  2. an ECG waveform and an encapsulated PDF naming the patient: no 32-byte run of either
#     payload and no name in the output; restore byte-identical;
#  3. --retain modified-dates: one shift per patient, another for another patient, intervals kept;
#  4. --retain safe-private: a Table E.3.10-1 attribute kept, an unlisted one removed;
#  5. restore --deidentified refuses Burned In Annotation YES without --allow-burned-in.
. "$(dirname "$0")/lib.sh"
CLI=$1
F=$2/files
SRC=$3
ATTACK=$4 # attack_identity: its "envelope" mode shows what the master key alone opens
GEN=$SRC/tests/deid
K=$TMP/key
command -v python3 >/dev/null && command -v dcmdump >/dev/null || { echo "python3/dcmdump missing: skipped"; exit 77; }
"$CLI" keygen -o "$K"
value() { dcmdump -q +P "$1" "$2" 2>/dev/null | head -1 | sed -n 's/.*\[\(.*\)\].*/\1/p'; }

# 1. Every attribute of the table.
python3 "$GEN/make_phi_file.py" "$SRC/plugin/deid_data/table-E.1-1.tsv" "$TMP/phi.dcm" "$TMP/values" || fail "generate"
expect "the search finds every value in the input" python3 "$GEN/search.py" --all-found "$TMP/values" "$TMP/phi.dcm"
expect "protect" "$CLI" protect -k "$K" -s "$TMP/s" -o "$TMP/phi.p" "$TMP/phi.dcm"
expect "protect with slices" "$CLI" protect --otp vigenere -k "$K" -s "$TMP/s" -o "$TMP/phi.sl.p" --slices-dir "$TMP/sl" "$TMP/phi.dcm"
expect "restore --deidentified" "$CLI" restore --deidentified --allow-burned-in -k "$K" -o "$TMP/phi.deid" "$TMP/phi.p" 2>/dev/null
expect "no value in the protected files, slices, de-identified output" \
    python3 "$GEN/search.py" "$TMP/values" "$TMP/phi.p" "$TMP/phi.sl.p" "$TMP/sl" "$TMP/phi.deid"
# What the master key alone opens: the envelope (everything outside the pixels, holes zeroed).
envelope() { "$ATTACK" envelope "$K" "$1" "$2" >/dev/null; }
expect "the master key opens the envelope" envelope "$TMP/phi.p" "$TMP/phi.env"
# Overlay Data (its word ends in OVB) is sealed under the data key like the pixels, by design
# (docs/header.md): it is the search's control, every other value must be absent.
grep -v 'OVB$' "$TMP/values" >"$TMP/env.values"
expect "the envelope view holds the overlay (control)" grep -qa "$(grep 'OVB$' "$TMP/values")" "$TMP/phi.env"
expect "no other value in the envelope" python3 "$GEN/search.py" "$TMP/env.values" "$TMP/phi.env"
expect "restore" "$CLI" restore -k "$K" -s "$TMP/s" -o "$TMP/phi.back" "$TMP/phi.p"
expect "restored byte for byte" cmp -s "$TMP/phi.dcm" "$TMP/phi.back"
expect "restore from slices" "$CLI" restore -k "$K" -s "$TMP/s" --slices-dir "$TMP/sl" -o "$TMP/phi.sl.back" "$TMP/phi.sl.p"
expect "restored from slices byte for byte" cmp -s "$TMP/phi.dcm" "$TMP/phi.sl.back"

# 1b. The same file in implicit VR (unknown tags then have no VR at all) and in big endian.
for ts in ti tb; do
    expect "convert to +$ts" dcmconv +$ts "$TMP/phi.dcm" "$TMP/phi.$ts.dcm"
    expect "protect ($ts)" "$CLI" protect -k "$K" -s "$TMP/s" -o "$TMP/phi.$ts.p" "$TMP/phi.$ts.dcm"
    expect "restore --deidentified ($ts)" "$CLI" restore --deidentified --allow-burned-in -k "$K" -o "$TMP/phi.$ts.deid" "$TMP/phi.$ts.p" 2>/dev/null
    expect "envelope ($ts)" envelope "$TMP/phi.$ts.p" "$TMP/phi.$ts.env"
    expect "no value in the protected file or the de-identified output ($ts)" \
        python3 "$GEN/search.py" "$TMP/values" "$TMP/phi.$ts.p" "$TMP/phi.$ts.deid"
    expect "none but the overlay in the envelope ($ts)" python3 "$GEN/search.py" "$TMP/env.values" "$TMP/phi.$ts.env"
    expect "restore ($ts)" "$CLI" restore -k "$K" -s "$TMP/s" -o "$TMP/phi.$ts.back" "$TMP/phi.$ts.p"
    expect "restored byte for byte ($ts)" cmp -s "$TMP/phi.$ts.dcm" "$TMP/phi.$ts.back"
done

# 2. Payloads: the ECG's samples and the PDF document.
for f in dcmguard_ecg.dcm dcmguard_pdf.dcm; do
    expect "protect $f" "$CLI" protect -k "$K" -s "$TMP/s" -o "$TMP/$f.p" "$F/$f"
    expect "$f: no 32-byte run of its payload, no name" python3 - "$F/$f" "$TMP/$f.p" <<'EOF'
import struct, sys
src, out = (open(p, "rb").read() for p in sys.argv[1:3])
payload = None
for tag in (b"\x00\x54\x10\x10OW\0\0", b"\x42\x00\x11\x00OB\0\0"):  # Waveform Data, Encapsulated Document
    at = src.find(tag)
    if at >= 0:
        n = struct.unpack("<I", src[at + 8:at + 12])[0]
        payload = src[at + 12:at + 12 + n]
assert payload and len(payload) > 64, "payload not found in the input"
runs = sum(1 for i in range(0, len(payload) - 31) if payload[i:i + 32] in out)
names = [w for w in (b"Quimbelor", b"Zaphirette", b"PIDXQZ7781245") if w in out or w.lower() in out.lower()]
print(f"{sys.argv[1]}: {len(payload)} payload bytes, {runs} runs of 32 found, names found: {names}")
sys.exit(1 if runs or names else 0)
EOF
    expect "restore $f" "$CLI" restore -k "$K" -s "$TMP/s" -o "$TMP/$f.b" "$TMP/$f.p"
    expect "$f restored byte for byte" cmp -s "$F/$f" "$TMP/$f.b"
done
expect "the dummy document is a PDF" python3 -c "
import struct, sys
d = open(sys.argv[1], 'rb').read(); at = d.find(b'\\x42\\x00\\x11\\x00OB')
sys.exit(0 if at >= 0 and d[at + 12:at + 17] == b'%PDF-' else 1)" "$TMP/dcmguard_pdf.dcm.p"

# 3. Modified dates: patient A twice (two exams 46 days apart), patients B and C once.
CT=$F/pydicom_CT_small.dcm
mk() { cp "$CT" "$TMP/$1.dcm"; dcmodify -nb -q -i "(0010,0020)=$2" -i "(0008,0020)=$3" -i "(0008,0018)=1.2.826.0.1.3680043.9.7777.3.$4" "$TMP/$1.dcm"; }
mk a1 PATIENTAAA 20200115 1; mk a2 PATIENTAAA 20200301 2; mk b PATIENTBBB 20200115 3; mk c PATIENTCCC 20200115 4
mkdir -p "$TMP/md"; mv "$TMP"/a1.dcm "$TMP"/a2.dcm "$TMP"/b.dcm "$TMP"/c.dcm "$TMP/md/"
expect "protect --retain modified-dates" "$CLI" protect --retain modified-dates -k "$K" -s "$TMP/s" -o "$TMP/md.p" "$TMP/md"
expect "modified dates: one shift per patient, kept intervals, documented range" python3 - "$TMP/md.p" <<EOF
import datetime, subprocess, sys
def study_date(name):
    out = subprocess.run(["dcmdump", "-q", "+P", "0008,0020", sys.argv[1] + "/" + name], capture_output=True, text=True).stdout
    return datetime.datetime.strptime(out.split("[")[1][:8], "%Y%m%d").date()
orig = {"a1.dcm": "20200115", "a2.dcm": "20200301", "b.dcm": "20200115", "c.dcm": "20200115"}
shift = {n: (study_date(n) - datetime.datetime.strptime(d, "%Y%m%d").date()).days for n, d in orig.items()}
print("shifts (days):", shift)
ok = shift["a1.dcm"] == shift["a2.dcm"]                               # same patient, same shift
ok &= shift["b.dcm"] != shift["a1.dcm"] or shift["c.dcm"] != shift["a1.dcm"]  # other patients differ
ok &= all(-3652 <= s <= -1 for s in shift.values())                  # docs/header.md's range
sys.exit(0 if ok else 1)
EOF
expect "modified dates recorded (0028,0303) MODIFIED" [ "$(value 0028,0303 "$TMP/md.p/a1.dcm")" = MODIFIED ]
expect "modified dates recorded as code 113107" sh -c "dcmdump -q '$TMP/md.p/a1.dcm' | grep -q '\[113107\]'"
expect "restore --deidentified replays the shifted date" sh -c "'$CLI' restore --deidentified --allow-burned-in -k '$K' -o '$TMP/a1.deid' '$TMP/md.p/a1.dcm' 2>/dev/null && [ \"\$(dcmdump -q +P 0008,0020 '$TMP/a1.deid')\" = \"\$(dcmdump -q +P 0008,0020 '$TMP/md.p/a1.dcm')\" ]"
expect "restore after modified-dates" "$CLI" restore -k "$K" -s "$TMP/s" -o "$TMP/md.b" "$TMP/md.p"
for n in a1 a2 b c; do expect "$n restored byte for byte" cmp -s "$TMP/md/$n.dcm" "$TMP/md.b/$n.dcm"; done
refuse "dates and modified-dates together" "$CLI" protect --retain dates,modified-dates -k "$K" -s "$TMP/s" -o "$TMP/x.dcm" "$CT" 2>/dev/null
# A range or trailing text is not a date that can be shifted: it gets the dummy,
# so no unshifted date stands beside a shifted one; a DT's time and offset stay.
cp "$CT" "$TMP/range.dcm"
dcmodify -nb -q -i "(0008,0021)=19970430-19970502" -i "(0008,002A)=19970430112936-19970501120000" \
    -i "(0008,0022)=19970503" -i "(0018,1078)=19970504093000.25+0100" "$TMP/range.dcm"
expect "protect a range under modified-dates" "$CLI" protect --retain modified-dates -k "$K" -s "$TMP/s" -o "$TMP/range.p" "$TMP/range.dcm"
printf '%s\n' 19970430 19970501 19970502 19970503 19970504 >"$TMP/range.dates"
expect "the dates are in the input" python3 "$GEN/search.py" --all-found "$TMP/range.dates" "$TMP/range.dcm" 2>/dev/null
expect "no original date left beside the shifted ones" python3 "$GEN/search.py" "$TMP/range.dates" "$TMP/range.p"
expect "a range gets the dummy" [ "$(value 0008,0021 "$TMP/range.p")" = 19000101 ]
dt=$(value 0018,1078 "$TMP/range.p")
expect "a shifted DT keeps its time and offset ($dt)" bash -c '[[ $1 =~ ^[0-9]{8}093000\.25\+0100$ ]] && [ "${1:0:8}" != 19970504 ]' _ "$dt"

# 4. Safe private: (7053,xx00) of "Philips PET Private Group" is in Table E.3.10-1, (7053,xx99) is not.
PYTHONPATH=$GEN python3 - "$TMP/priv.dcm" <<'EOF'
import sys, dicomgen
els = [(0x00080016, "UI", "1.2.840.10008.5.1.4.1.1.7"), (0x00080018, "UI", "1.2.826.0.1.3680043.9.7777.4.1"),
       (0x00080060, "CS", "OT"), (0x00100010, "PN", "Quimbelor^Zaphirette"),
       (0x70530010, "LO", "Philips PET Private Group"), (0x70531000, "DS", "2.718"),
       (0x70531099, "LO", "Privatissimoz")]
open(sys.argv[1], "wb").write(dicomgen.part10(els, els[0][2], els[1][2]))
EOF
expect "protect --retain safe-private" "$CLI" protect --retain safe-private -k "$K" -s "$TMP/s" -o "$TMP/priv.safe" "$TMP/priv.dcm"
expect "protect without safe-private" "$CLI" protect -k "$K" -s "$TMP/s" -o "$TMP/priv.none" "$TMP/priv.dcm"
expect "safe private attribute kept" sh -c "dcmdump -q '$TMP/priv.safe' | grep -q '(7053,1000).*2.718'"
expect "its creator kept" sh -c "dcmdump -q '$TMP/priv.safe' | grep -q 'Philips PET Private Group'"
expect "unlisted private attribute gone" sh -c "! grep -qa Privatissimoz '$TMP/priv.safe' '$TMP/priv.none'"
expect "no private attribute without the option" sh -c "! dcmdump -q '$TMP/priv.none' | grep -q '(7053,'"
expect "safe-private recorded as code 113111" sh -c "dcmdump -q '$TMP/priv.safe' | grep -q '\[113111\]'"
expect "restore (safe-private)" "$CLI" restore -k "$K" -s "$TMP/s" -o "$TMP/priv.back" "$TMP/priv.safe"
expect "restored byte for byte (safe-private)" cmp -s "$TMP/priv.dcm" "$TMP/priv.back"

# 6. Unlisted attributes: a UID the table does not list, a number written as text, Pixel Data
#    inside a sequence item, a standard UID under 1.2.840.10008. (kept as it is).
PYTHONPATH=$GEN python3 - "$TMP/unl.dcm" <<'EOF'
import sys, dicomgen
cls, inst = "1.2.840.10008.5.1.4.1.1.7", "1.2.826.0.1.3680043.9.7777.6.1"
els = [(0x00080016, "UI", cls), (0x00080018, "UI", inst), (0x00080060, "CS", "OT"),
       (0x00100010, "PN", "Quimbelor^Zaphirette"),
       (0x00081140, "SQ", [[(0x00081150, "UI", cls), (0x00081155, "UI", inst + ".9"),
                            (0x7FE00010, "OB", b"THUMBQUIMBELORPIXELS" * 4)]]),
       (0x00200012, "LO", "Zaphirettenumber"),
       (0x00200242, "UI", "1.2.826.0.1.3680043.9.7777.6.77"),
       (0x00209312, "UI", "1.2.840.10008.77.19620314.4711"),  # under the standard's root: no exemption
       (0x00280002, "US", 1), (0x00280004, "CS", "MONOCHROME2"), (0x00280010, "US", 8),
       (0x00280011, "US", 8), (0x00280100, "US", 8), (0x00280101, "US", 8), (0x00280102, "US", 7),
       (0x00280103, "US", 0), (0x00280301, "CS", "NO"), (0x7FE00010, "OB", bytes(64))]
open(sys.argv[1], "wb").write(dicomgen.part10(els, cls, inst))
EOF
printf '%s\n' THUMBQUIMBELORPIXELS Zaphirettenumber 1.2.826.0.1.3680043.9.7777.6.77 \
    1.2.840.10008.77.19620314.4711 >"$TMP/unl.values"
expect "the unlisted values are in the input" python3 "$GEN/search.py" --all-found "$TMP/unl.values" "$TMP/unl.dcm"
expect "protect (unlisted attributes)" "$CLI" protect -k "$K" -s "$TMP/s" -o "$TMP/unl.p" "$TMP/unl.dcm"
expect "restore --deidentified (unlisted attributes)" "$CLI" restore --deidentified --allow-burned-in -k "$K" -o "$TMP/unl.deid" "$TMP/unl.p" 2>/dev/null
expect "no unlisted UID, text-written number or nested pixel in the clear" python3 "$GEN/search.py" "$TMP/unl.values" "$TMP/unl.p"
expect "nor in the de-identified output" python3 "$GEN/search.py" "$TMP/unl.values" "$TMP/unl.deid"
cp "$F/dcmguard_overlay.dcm" "$TMP/ovl.dcm"
expect "protect an overlay" "$CLI" protect -k "$K" -s "$TMP/s" -o "$TMP/ovl.p" "$TMP/ovl.dcm"
expect "restore --deidentified of an overlay" "$CLI" restore --deidentified --allow-burned-in -k "$K" -o "$TMP/ovl.deid" "$TMP/ovl.p" 2>/dev/null
ovl() { dcmdump -q +P 6000,3000 "$1" | awk '{print $3}'; }
expect "the overlay has ink in the input" sh -c "[ -n '$(ovl "$TMP/ovl.dcm")' ] && ! echo '$(ovl "$TMP/ovl.dcm")' | grep -qx '[0\\]*'"
expect "the overlay is zeros in the protected file and the de-identified output" \
    sh -c "echo '$(ovl "$TMP/ovl.p")' '$(ovl "$TMP/ovl.deid")' | grep -qx '[0\\]* [0\\]*'"
expect "restore of an overlay" "$CLI" restore -k "$K" -s "$TMP/s" -o "$TMP/ovl.back" "$TMP/ovl.p"
expect "overlay restored byte for byte" cmp -s "$TMP/ovl.dcm" "$TMP/ovl.back"
uid=$(value 0020,0242 "$TMP/unl.p")
expect "the unlisted UID became a pseudonym ($uid)" [ "${uid:0:5}" = 2.25. ]
expect "a SOP Class UID stays as it is (allow-list)" sh -c "dcmdump -q '$TMP/unl.p' | grep -q '(0008,1150) UI =SecondaryCaptureImageStorage'"
expect "restore (unlisted attributes)" "$CLI" restore -k "$K" -s "$TMP/s" -o "$TMP/unl.back" "$TMP/unl.p"
expect "restored byte for byte (unlisted attributes)" cmp -s "$TMP/unl.dcm" "$TMP/unl.back"

# 6a. A sequence written as OB or OW (its items cannot be walked) is a hole: the names in
#     its items reach neither the clear header nor the envelope. Numbers that describe the
#     patient without being listed (Body Mass Index, an SR's NUM values) are holes too.
for vr in OB OW; do
    PYTHONPATH=$GEN python3 - "$TMP/sq$vr.dcm" "$vr" <<'EOF'
import sys, dicomgen as g
cls, inst = "1.2.840.10008.5.1.4.1.1.7", "1.2.826.0.1.3680043.9.7777.7.1"
inner = g.encode_item([(0x00100010, "PN", "Quimbelor^Zaphirette"), (0x00100020, "LO", "PIDXQZ7781245")])
els = [(0x00080016, "UI", cls), (0x00080018, "UI", inst), (0x00080060, "CS", "OT"),
       (0x00081125, sys.argv[2], inner),
       (0x00101022, "DS", "26.041"),
       (0x0040A730, "SQ", [[(0x0040A040, "CS", "NUM"),
                            (0x0040A043, "SQ", [[(0x00080100, "SH", "29463-7"), (0x00080102, "SH", "LN"),
                                                 (0x00080104, "LO", "Patient Weight")]]),
                            (0x0040A300, "SQ", [[(0x0040A30A, "DS", "82.517")]])]]),
       (0x00280002, "US", 1), (0x00280004, "CS", "MONOCHROME2"), (0x00280010, "US", 8),
       (0x00280011, "US", 8), (0x00280100, "US", 8), (0x00280101, "US", 8), (0x00280102, "US", 7),
       (0x00280103, "US", 0), (0x00280301, "CS", "NO"), (0x7FE00010, "OB", bytes(64))]
open(sys.argv[1], "wb").write(g.part10(els, cls, inst))
EOF
    printf '%s\n' Quimbelor Zaphirette PIDXQZ7781245 26.041 82.517 >"$TMP/sq.values"
    expect "the values are in the input ($vr)" python3 "$GEN/search.py" --all-found "$TMP/sq.values" "$TMP/sq$vr.dcm"
    expect "protect (a sequence written as $vr)" "$CLI" protect -k "$K" -s "$TMP/s" -o "$TMP/sq$vr.p" "$TMP/sq$vr.dcm"
    expect "envelope (a sequence written as $vr)" envelope "$TMP/sq$vr.p" "$TMP/sq$vr.env"
    expect "no value in the clear header or the envelope ($vr)" \
        python3 "$GEN/search.py" "$TMP/sq.values" "$TMP/sq$vr.p" "$TMP/sq$vr.env"
    expect "restore (a sequence written as $vr)" "$CLI" restore -k "$K" -s "$TMP/s" -o "$TMP/sq$vr.back" "$TMP/sq$vr.p"
    expect "restored byte for byte (a sequence written as $vr)" cmp -s "$TMP/sq$vr.dcm" "$TMP/sq$vr.back"
done
expect "protect --retain patient-chars" "$CLI" protect --retain patient-chars -k "$K" -s "$TMP/s" -o "$TMP/sqpc.p" "$TMP/sqOB.dcm"
expect "patient-chars keeps Body Mass Index and the SR's weight" \
    sh -c "grep -qa 26.041 '$TMP/sqpc.p' && grep -qa 82.517 '$TMP/sqpc.p'"

# 6b. An encapsulated icon (fragments in an item) in a JPEG-LS file: in the Icon Image Sequence
#     (removed) and in a sequence that is kept; neither in the clear nor in a de-identified restore.
for where in 00880200 00081140; do
    PYTHONPATH=$GEN python3 - "$F/pydicom_JLSL_08_07_0_1F.dcm" "$TMP/icon$where.dcm" "$where" <<'EOF'
import struct, sys, dicomgen as g
src, tag = open(sys.argv[1], "rb").read(), int(sys.argv[3], 16)
pos = 132
while True:  # the first top-level element (after File Meta) past tag: insert before it
    group, element = struct.unpack_from("<HH", src, pos)
    vr = src[pos + 4:pos + 6].decode()
    long_vr = vr in g.LONG_VRS
    length = struct.unpack_from("<I" if long_vr else "<H", src, pos + (8 if long_vr else 6))[0]
    if group != 2 and (group << 16 | element) > tag:
        break
    assert length != 0xFFFFFFFF
    pos += (12 if long_vr else 8) + length
frag = b"ICONQUIMBELORFRAGMENT" * 2
item = lambda tag_e, data: struct.pack("<HHI", 0xFFFE, tag_e, len(data)) + data
pix = struct.pack("<HH", 0x7FE0, 0x0010) + b"OB\0\0" + struct.pack("<I", 0xFFFFFFFF) + \
    item(0xE000, b"") + item(0xE000, frag) + struct.pack("<HHI", 0xFFFE, 0xE0DD, 0)
body = b"".join(g.encode_element(t, v, x) for t, v, x in [
    (0x00280002, "US", 1), (0x00280004, "CS", "MONOCHROME2"), (0x00280010, "US", 4),
    (0x00280011, "US", 4), (0x00280100, "US", 8), (0x00280101, "US", 8), (0x00280102, "US", 7),
    (0x00280103, "US", 0)]) + pix
seq = item(0xE000, body)
seq = struct.pack("<HH", tag >> 16, tag & 0xFFFF) + b"SQ\0\0" + struct.pack("<I", len(seq)) + seq
open(sys.argv[2], "wb").write(src[:pos] + seq + src[pos:])
EOF
    expect "an encapsulated icon in ($where) is in the input" grep -qa ICONQUIMBELORFRAGMENT "$TMP/icon$where.dcm"
    expect "protect (encapsulated icon in $where)" "$CLI" protect -k "$K" -s "$TMP/s" -o "$TMP/icon$where.p" "$TMP/icon$where.dcm"
    expect "restore --deidentified (encapsulated icon in $where)" "$CLI" restore --deidentified --allow-burned-in -k "$K" -o "$TMP/icon$where.deid" "$TMP/icon$where.p" 2>/dev/null
    expect "the icon is neither in the clear nor in the de-identified output ($where)" \
        sh -c "! grep -qa ICONQUIMBELORFRAGMENT '$TMP/icon$where.p' '$TMP/icon$where.deid'"
    expect "restore (encapsulated icon in $where)" "$CLI" restore -k "$K" -s "$TMP/s" -o "$TMP/icon$where.back" "$TMP/icon$where.p"
    expect "restored byte for byte (encapsulated icon in $where)" cmp -s "$TMP/icon$where.dcm" "$TMP/icon$where.back"
done

# 5. Burned-in identity: dcmguard_pdf.dcm says Burned In Annotation YES.
refuse "restore --deidentified of Burned In Annotation YES" "$CLI" restore --deidentified -k "$K" -o "$TMP/bi.dcm" "$TMP/dcmguard_pdf.dcm.p" 2>"$TMP/bi.err"
expect "the refusal says why" grep -q "Burned In Annotation YES" "$TMP/bi.err"
expect "no output when refused" [ ! -e "$TMP/bi.dcm" ]
expect "--allow-burned-in overrides" "$CLI" restore --deidentified --allow-burned-in -k "$K" -o "$TMP/bi.dcm" "$TMP/dcmguard_pdf.dcm.p"
expect "overridden output is not labelled identity removed" [ "$(value 0012,0062 "$TMP/bi.dcm")" = NO ]
expect "protect an ultrasound" "$CLI" protect -k "$K" -s "$TMP/s" -o "$TMP/us.p" "$F/wg04_US1_UNCR.dcm"
"$CLI" restore --deidentified --allow-burned-in -k "$K" -o "$TMP/us.deid" "$TMP/us.p" 2>"$TMP/us.err"
expect "ultrasound: a warning" grep -q "warning.*US" "$TMP/us.err"
# An absent Burned In Annotation says nothing about the pixels: refused too.
expect "protect a CT without Burned In Annotation" "$CLI" protect -k "$K" -s "$TMP/s" -o "$TMP/ct.p" "$F/pydicom_CT_small.dcm"
refuse "restore --deidentified of an absent Burned In Annotation" "$CLI" restore --deidentified -k "$K" -o "$TMP/ct.deid" "$TMP/ct.p" 2>"$TMP/ct.err"
expect "the refusal names the absent attribute" grep -q "Burned In Annotation absent" "$TMP/ct.err"
# Burned In Annotation NO: given back without the override, labelled identity removed.
cp "$F/pydicom_CT_small.dcm" "$TMP/ct-no.dcm"
dcmodify -nb -i "(0028,0301)=NO" "$TMP/ct-no.dcm" 2>/dev/null
expect "protect a CT that says Burned In Annotation NO" "$CLI" protect -k "$K" -s "$TMP/s" -o "$TMP/ctno.p" "$TMP/ct-no.dcm"
expect "restore --deidentified of Burned In Annotation NO" "$CLI" restore --deidentified -k "$K" -o "$TMP/ctno.deid" "$TMP/ctno.p"
expect "that output says Patient Identity Removed YES" [ "$(value 0012,0062 "$TMP/ctno.deid")" = YES ]
summary
