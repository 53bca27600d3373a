#!/bin/bash
# valgrind.sh CLI TESTDATA - the CLI round trip under valgrind memcheck: every
# run must end with zero errors and zero leaks of any kind
# (--leak-check=full --errors-for-leak-kinds=all, exit 99 otherwise).
#
# A subset of testdata/files that takes every path of the pipeline, so that
# the test stays within about three minutes on two cores:
#   tiles   CT_small (16-bit signed), MR_small_bigendian, MR_small_implicit,
#           SC_rgb_small_odd (RGB, odd size), SC_ybr_full_422 (4:2:2),
#           color-pl (planar RGB), emri_small (10 frames), dcmqaenh XA (6 frames)
#   items   MR_small_RLE, JPEGLSNearLossless_08, emri_small_jpeg_2k_lossless
#           (10 frames), dp_CT0012_jpegls81_frag_nobot (fragments, no offset table)
#   chunks  rtdose (32-bit, 15 frames), liver_1frame
#   none    image_dfl (deflated), test-SR (no pixel data)
#   refused testdata/bad/* (truncated, no File Meta)
# then slices (--slices-dir), inspect, and the refusals of restore: an
# altered byte, a wrong key, a missing slice.
#
# Runs in a plain build only (valgrind cannot run an ASan binary): the ctest
# has the label "valgrind" and is registered only when DG_SANITIZE is off.
. "$(dirname "$0")/lib.sh"
CLI=$1
DATA=$2
F=$DATA/files
command -v valgrind >/dev/null || { echo "valgrind is not installed: skipped"; exit 77; }

SUBSET=(pydicom_CT_small pydicom_MR_small_bigendian pydicom_MR_small_implicit
    pydicom_SC_rgb_small_odd pydicom_SC_ybr_full_422_uncompressed pydicom_color-pl
    pydicom_emri_small dcmqaenh_Siemens_XA10_6_1
    pydicom_MR_small_RLE pydicom_JPEGLSNearLossless_08 pydicom_emri_small_jpeg_2k_lossless
    dp_CT0012_jpegls81_frag_nobot pydicom_rtdose pydicom_liver_1frame
    pydicom_image_dfl pydicom_test-SR)

VG=(valgrind --quiet --leak-check=full --show-leak-kinds=all --errors-for-leak-kinds=all
    --error-exitcode=99 --num-callers=30 --suppressions="$(dirname "$0")/valgrind.supp")
RUNS=0

# vg EXPECTED_EXIT DESCRIPTION ARGS...: the CLI under valgrind; its exit must
# be EXPECTED_EXIT (never 99, valgrind's error exit).
vg() {
    local want=$1 what=$2
    shift 2
    RUNS=$((RUNS + 1))
    "${VG[@]}" --log-file="$TMP/vg.$RUNS.log" "$CLI" "$@" >/dev/null 2>"$TMP/stderr.$RUNS"
    local rc=$?
    if [ $rc -eq 99 ] || [ -s "$TMP/vg.$RUNS.log" ]; then
        fail "$what: valgrind found errors or leaks:"
        head -n 60 "$TMP/vg.$RUNS.log" >&2
    elif [ $rc -ne "$want" ]; then
        fail "$what: exit $rc, expected $want: $(head -c 300 "$TMP/stderr.$RUNS")"
    else
        ok
    fi
}

mkdir -p "$TMP/in" "$TMP/slices"
for f in "${SUBSET[@]}"; do cp "$F/$f.dcm" "$TMP/in/"; done
cp "$DATA"/bad/*.dcm "$TMP/in/"
K=$TMP/key
S=$TMP/store

vg 0 "keygen" keygen -o "$K"
# Exit 1: the files of testdata/bad are refused, each with its line.
vg 1 "protect of the subset" protect -k "$K" -s "$S" -o "$TMP/prot" "$TMP/in"
vg 0 "restore of the subset" restore -k "$K" -s "$S" -o "$TMP/back" "$TMP/prot"
for f in "${SUBSET[@]}"; do
    expect "$f restored byte for byte" cmp -s "$F/$f.dcm" "$TMP/back/$f.dcm"
done
for f in "$DATA"/bad/*.dcm; do
    expect "$(basename "$f") refused, no output" [ ! -e "$TMP/prot/$(basename "$f")" ]
done

vg 0 "protect with slices" protect -k "$K" -s "$S" --slices-dir "$TMP/slices" -o "$TMP/sl" \
    "$F/pydicom_CT_small.dcm" "$F/pydicom_MR_small_RLE.dcm"
vg 0 "restore with slices" restore -k "$K" -s "$S" --slices-dir "$TMP/slices" -o "$TMP/slb" "$TMP/sl"
expect "sliced CT_small restored" cmp -s "$F/pydicom_CT_small.dcm" "$TMP/slb/pydicom_CT_small.dcm"
vg 0 "inspect" inspect "$TMP/prot/pydicom_CT_small.dcm" "$TMP/sl/pydicom_MR_small_RLE.dcm"

# Refusals of restore.
cp "$TMP/prot/pydicom_CT_small.dcm" "$TMP/flip.dcm"
# A byte inside the first encrypted tile (after its record magic DGTL): the
# placeholder image is clear and not needed by restore, so it is not the target.
at=$(grep -obUa DGTL "$TMP/flip.dcm" | head -n 1 | cut -d: -f1)
flip_byte "$TMP/flip.dcm" $((at + 100))
vg 1 "restore of an altered file" restore -k "$K" -s "$S" -o "$TMP/flip.back" "$TMP/flip.dcm"
vg 0 "keygen of a second key" keygen -o "$TMP/other.key"
vg 1 "restore under a wrong key" restore -k "$TMP/other.key" -s "$S" -o "$TMP/wrong.back" \
    "$TMP/prot/pydicom_MR_small_RLE.dcm"
# Slice files are named from the protection id (docs/format.md): remove one
# of the RLE file's, found by the id inspect prints.
rle_id=$("$CLI" inspect "$TMP/sl/pydicom_MR_small_RLE.dcm" | sed -n 's/^protection id: *//p' | cut -c1-8)
[ -n "$rle_id" ] && ls "$TMP"/slices/ | grep -q "$rle_id" || fail "no slice of the RLE file found by its protection id"
rm -f "$(ls -d "$TMP"/slices/*"$rle_id"* | head -n 1)"
vg 1 "restore with a slice missing" restore -k "$K" -s "$S" --slices-dir "$TMP/slices" \
    -o "$TMP/miss.back" "$TMP/sl/pydicom_MR_small_RLE.dcm"
vg 1 "inspect of an unprotected file" inspect "$F/pydicom_CT_small.dcm"

echo "${#SUBSET[@]} files round-tripped under valgrind, $RUNS valgrind runs"
summary
