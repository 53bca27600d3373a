#!/bin/bash
# slices.sh CLI TESTDATA - --slices-dir: one .enc file per tile, named from
# the protection id (never from the input's name, which the protected file
# does not keep either); restore reassembles them; a missing, swapped or
# altered slice is a clear error and gives no output.
. "$(dirname "$0")/lib.sh"
CLI=$1
F=$2/files
K=$TMP/key
"$CLI" keygen -o "$K"

expect "protect with slices" "$CLI" protect -k "$K" -s "$TMP/s" -o "$TMP/p" --slices-dir "$TMP/sl" \
    "$F/wg04_CT1_UNC_explicit_le.dcm" "$F/pydicom_CT_small.dcm" "$F/dp_IM00001_US_rgb_8frames_ivrle.dcm" "$F/pydicom_JPEG-LL.dcm"
pid_of() { "$CLI" inspect "$TMP/p/$1" | sed -n 's/.*protection id: *\([0-9a-f]\{32\}\).*/\1/p'; }
CTID=$(pid_of wg04_CT1_UNC_explicit_le.dcm)
USID=$(pid_of dp_IM00001_US_rgb_8frames_ivrle.dcm)
SMID=$(pid_of pydicom_CT_small.dcm)
expect "inspect shows the protection ids" [ ${#CTID} -eq 32 -a ${#USID} -eq 32 -a ${#SMID} -eq 32 ]
expect "4 slices for the 2x2 CT" [ "$(ls "$TMP/sl" | grep -c "^$CTID\.r[01]c[01]\.enc\$")" -eq 4 ]
expect "multi-frame slices carry the frame" [ -n "$(ls "$TMP/sl" | grep "^$USID\.f7\.r1c1\.enc\$")" ]
expect "no slice name has the input's name" [ -z "$(ls "$TMP/sl" | grep -i 'dcm\|wg04\|pydicom\|US_rgb')" ]
for f in wg04_CT1_UNC_explicit_le.dcm dp_IM00001_US_rgb_8frames_ivrle.dcm; do
    expect "$f: its name is not in the protected file" [ "$(grep -c -a "${f%.dcm}" "$TMP/p/$f")" -eq 0 ]
done
expect "protected file holds no tiles" sh -c "'$CLI' inspect '$TMP/p/wg04_CT1_UNC_explicit_le.dcm' | grep -q 'tiles: 0 bytes'"
expect "restore with slices" "$CLI" restore -k "$K" -s "$TMP/s" -o "$TMP/b" --slices-dir "$TMP/sl" "$TMP/p"
for f in wg04_CT1_UNC_explicit_le.dcm pydicom_CT_small.dcm dp_IM00001_US_rgb_8frames_ivrle.dcm pydicom_JPEG-LL.dcm; do
    expect "$f identical" cmp -s "$F/$f" "$TMP/b/$f"
done
refuse "restore without --slices-dir" "$CLI" restore -k "$K" -s "$TMP/s" -o "$TMP/x.dcm" "$TMP/p/pydicom_CT_small.dcm" 2>/dev/null

CT=$TMP/p/wg04_CT1_UNC_explicit_le.dcm
s00=$TMP/sl/$CTID.r0c0.enc
s01=$TMP/sl/$CTID.r0c1.enc
# Missing.
mv "$s00" "$TMP/held"
refuse "missing slice" "$CLI" restore -k "$K" -s "$TMP/s" -o "$TMP/m.dcm" --slices-dir "$TMP/sl" "$CT" 2>"$TMP/err"
expect "missing slice named" grep -q "r0c0.enc" "$TMP/err"
expect "no output when a slice is missing" [ ! -e "$TMP/m.dcm" ]
mv "$TMP/held" "$s00"
# Swapped.
mv "$s00" "$TMP/t"; mv "$s01" "$s00"; mv "$TMP/t" "$s01"
refuse "swapped slices" "$CLI" restore -k "$K" -s "$TMP/s" -o "$TMP/w.dcm" --slices-dir "$TMP/sl" "$CT" 2>/dev/null
expect "no output when swapped" [ ! -e "$TMP/w.dcm" ]
mv "$s00" "$TMP/t"; mv "$s01" "$s00"; mv "$TMP/t" "$s01"
# Altered.
cp "$s01" "$TMP/orig.enc"
flip_byte "$s01" 500
refuse "altered slice" "$CLI" restore -k "$K" -s "$TMP/s" -o "$TMP/a.dcm" --slices-dir "$TMP/sl" "$CT" 2>/dev/null
expect "no output when altered" [ ! -e "$TMP/a.dcm" ]
cp "$TMP/orig.enc" "$s01"
# A slice from another instance under the same name.
ct_small=$TMP/sl/$SMID.r0c1.enc
cp "$ct_small" "$s01"
refuse "slice of another instance" "$CLI" restore -k "$K" -s "$TMP/s" -o "$TMP/o.dcm" --slices-dir "$TMP/sl" "$CT" 2>/dev/null
cp "$TMP/orig.enc" "$s01"
expect "restores again once repaired" "$CLI" restore -k "$K" -s "$TMP/s" -o "$TMP/r.dcm" --slices-dir "$TMP/sl" "$CT"
expect "repaired identical" cmp -s "$F/wg04_CT1_UNC_explicit_le.dcm" "$TMP/r.dcm"
summary
