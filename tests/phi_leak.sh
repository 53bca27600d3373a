#!/bin/bash
# phi_leak.sh CLI TESTDATA - no patient value survives protection in clear.
#
# Distinctive values are written (with dcmodify) into 24 PHI attributes (and a private LT known to DCMTK) of
# several test files: at the top level, inside a nested sequence, and in a
# private tag. The files are protected (tiles kept inside, and as slices),
# then every byte of every output file and slice is searched for every word
# of every value: as written, upper case, lower case, each also in UTF-16LE
# and UTF-16BE. Any hit is a failure. The test checks itself first: the
# same search over the unprotected files must find every value.
. "$(dirname "$0")/lib.sh"
CLI=$1
F=$2/files
command -v dcmodify >/dev/null || { echo "dcmodify missing: skipped"; exit 77; }

# tag|value: words of 6+ letters that occur in no test file
phi=(
    "(0010,0010)|Quimbelor^Zaphirette"
    "(0010,0020)|PIDXQZ7781245"
    "(0010,0030)|19470312"
    "(0010,1000)|OTHERIDWQXZ99"
    "(0010,1001)|Brantovix^Ellamyra"
    "(0010,1040)|Vorlingstrasse Hemmelkamp"
    "(0010,1060)|Tharnwoodle"
    "(0010,2154)|0049718235566"
    "(0010,21B0)|Histormiax coughing"
    "(0010,4000)|Commentryx bluemoon"
    "(0008,0050)|ACCQZX50117"
    "(0008,0080)|Krankenhaus Plumbersdale"
    "(0008,0081)|Wobbleton Avenue"
    "(0008,0090)|Drakovian^Hildebrand"
    "(0008,1010)|STATIONQXZ"
    "(0008,1030)|Studiolux kneebrace"
    "(0008,103E)|Seriesmox ankletwist"
    "(0008,1050)|Perfomaxa^Gundrella"
    "(0008,1070)|Operatrix^Wendeline"
    "(0018,1000)|SERIALQZX4471"
    "(0020,0010)|STUDYQZ58"
    "(0020,4000)|Imagecommenta wristache"
    "(0032,1032)|Requestovic^Almaraz"
    "(0054,0016)[0].(0010,0010)|Nestorvian^Quillabel"
    "(0009,0012)|GEMS_IDEN_01"
    "(0009,1217)|Privatissimo Sekretwert"
)
files=(pydicom_CT_small.dcm pydicom_MR_small.dcm pydicom_MR_small_bigendian.dcm
    pydicom_MR_small_implicit.dcm pydicom_MR_small_jpeg_ls_lossless.dcm d3t_0051.dcm)

mkdir -p "$TMP/in"
for name in "${files[@]}"; do
    cp "$F/$name" "$TMP/in/$name"
    args=()
    for entry in "${phi[@]}"; do args+=(-i "${entry%%|*}=${entry#*|}"); done
    dcmodify -nb -q "${args[@]}" "$TMP/in/$name" || fail "dcmodify $name"
done
for entry in "${phi[@]}"; do printf '%s\n' "${entry#*|}"; done >"$TMP/values"

search() { # search DIR... : prints every hit as "file: word (form)"; tests/deid/search.py --words
    python3 "$(dirname "$0")/deid/search.py" --words "$TMP/values" "$@"
}

# The search must see the values where they are in clear.
search "$TMP/in" >"$TMP/control" 2>/dev/null
for entry in "${phi[@]}"; do
    word=$(echo "${entry#*|}" | tr '^' ' ' | awk '{print $1}')
    grep -q "$word" "$TMP/control" && ok || fail "control: '$word' not found in the unprotected files"
done

"$CLI" keygen -o "$TMP/key"
for mode in binary vigenere numeric; do
    "$CLI" protect --otp $mode -k "$TMP/key" -s "$TMP/store" -o "$TMP/out-$mode" "$TMP/in" \
        || fail "protect ($mode)"
done
mkdir -p "$TMP/slices"
"$CLI" protect -k "$TMP/key" -s "$TMP/store" -o "$TMP/out-sliced" --slices-dir "$TMP/slices" "$TMP/in" \
    || fail "protect with slices"
search "$TMP/out-binary" "$TMP/out-vigenere" "$TMP/out-numeric" "$TMP/out-sliced" "$TMP/slices" \
    >"$TMP/hits" 2>"$TMP/count"
cat "$TMP/count"
if [ -s "$TMP/hits" ]; then fail "patient values found in protected output:"; head -20 "$TMP/hits" >&2; else ok; fi

# And they all come back.
"$CLI" restore -k "$TMP/key" -s "$TMP/store" -o "$TMP/back" "$TMP/out-numeric" || fail "restore"
for name in "${files[@]}"; do
    cmp -s "$TMP/in/$name" "$TMP/back/$name" && ok || fail "$name: not restored byte for byte"
done
summary
