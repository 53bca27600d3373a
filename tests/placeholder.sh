#!/bin/bash
# placeholder.sh CLI TESTDATA - the placeholder image says what it is:
#   1. rendered by DCMTK (dcmdjpls, dcm2pnm) it shows ink on a flat
#      background, in a band across the middle (the notice), for a
#      grayscale (MONOCHROME1 and 2), a signed and a colour image; the clear header's Image
#      Comments says PROTECTED BY DCMGUARD;
#   2. its pixels depend on no patient value: changing the patient's name,
#      id and birth date in the input leaves the placeholder identical;
#      they do depend on the pseudonymous instance id (another master key,
#      another placeholder);
#   3. the file restores byte for byte.
source "$(dirname "$0")/lib.sh"
CLI=$1 DATA=$2
command -v dcm2pnm >/dev/null && command -v dcmdjpls >/dev/null || { echo "SKIP: DCMTK tools missing"; exit 77; }
"$CLI" keygen -o "$TMP/a.key" >/dev/null
"$CLI" keygen -o "$TMP/b.key" >/dev/null

# render FILE PGM: the placeholder as an 8-bit PGM (P5), its header on one line.
render() {
    dcmdjpls "$1" "$TMP/raw.dcm" && dcm2pnm +Wm "$TMP/raw.dcm" "$TMP/r.pnm" 2>/dev/null &&
        { [ "$(head -c2 "$TMP/r.pnm")" = P5 ] && cp "$TMP/r.pnm" "$2" || ppm_to_pgm "$TMP/r.pnm" "$2"; }
}
# a PPM (P6) as its first channel, P5
ppm_to_pgm() {
    python3 - "$1" "$2" <<'PY'
import sys
d = open(sys.argv[1], 'rb').read().split(b'\n', 3)
w, h = map(int, d[1].split()); px = d[3][::3]
open(sys.argv[2], 'wb').write(b'P5\n%d %d\n255\n' % (w, h) + px[:w * h])
PY
}
# ink PGM: "fraction_of_ink_pixels first_ink_row last_ink_row height background_level"
ink() {
    python3 - "$1" <<'PY'
import sys
d = open(sys.argv[1], 'rb').read().split(b'\n', 3)
w, h = map(int, d[1].split()); px = d[3][:w * h]
bg = max(set(px), key=px.count)
rows = [y for y in range(h) if any(abs(px[y * w + x] - bg) > 64 for x in range(w))]
n = sum(1 for v in px if abs(v - bg) > 64)
print("%.4f %d %d %d %d" % (n / (w * h), rows[0] if rows else -1, rows[-1] if rows else -1, h, bg))
PY
}

echo "== 1. the notice is drawn"
for f in wg04_US1_UNCR.dcm pydicom_CT_small.dcm fodicom_CR-MONO1-10-chest.dcm dcmqa12_12bitUnsigned.dcm; do
    [ -f "$DATA/files/$f" ] || continue
    "$CLI" protect -k "$TMP/a.key" -s "$TMP/s.db" -o "$TMP/$f" "$DATA/files/$f" || { fail "$f: protect"; continue; }
    render "$TMP/$f" "$TMP/$f.pgm" || { fail "$f: DCMTK cannot render the placeholder"; continue; }
    read -r frac first last h bg < <(ink "$TMP/$f.pgm")
    echo "$f: ink on $frac of the pixels, rows $first..$last of $h, background $bg"
    expect "$f: white on black as displayed (background $bg)" [ "$bg" -lt 32 ]
    expect "$f: the placeholder shows ink (the notice)" python3 -c "import sys; sys.exit(not (0.01 < $frac < 0.35))"
    expect "$f: the notice lies across the middle" [ "$first" -gt $((h / 10)) -a "$last" -lt $((h - h / 10)) ]
    expect "$f: Image Comments says so" sh -c "dcmdump +P ImageComments '$TMP/$f' | grep -q 'PROTECTED BY DCMGUARD'"
    "$CLI" restore -k "$TMP/a.key" -s "$TMP/s.db" -o "$TMP/$f.back" "$TMP/$f" >/dev/null
    expect "$f: restores byte for byte" [ "$(sha "$TMP/$f.back")" = "$(sha "$DATA/files/$f")" ]
done

echo "== 2. no patient value in the placeholder; the pseudonymous id is"
f=wg04_US1_UNCR.dcm
cp "$DATA/files/$f" "$TMP/other.dcm"
dcmodify -nb -ma PatientName="Other^Patient^Entirely" -ma PatientID=ZZ999999 -ma PatientBirthDate=19011231 "$TMP/other.dcm"
"$CLI" protect -k "$TMP/a.key" -s "$TMP/s.db" -o "$TMP/other.p.dcm" "$TMP/other.dcm"
"$CLI" protect -k "$TMP/b.key" -s "$TMP/s2.db" -o "$TMP/b.p.dcm" "$DATA/files/$f"
render "$TMP/other.p.dcm" "$TMP/other.pgm"
render "$TMP/b.p.dcm" "$TMP/b.pgm"
expect "another patient name, id and birth date: the same placeholder" cmp -s "$TMP/$f.pgm" "$TMP/other.pgm"
refuse "another master key (another pseudonymous id): another placeholder" cmp -s "$TMP/$f.pgm" "$TMP/b.pgm"
summary
