#!/bin/bash
# cli.sh CLI TESTDATA - the command-line contract: keygen, help and version,
# output naming, exit codes, one-line errors, no partial outputs.
. "$(dirname "$0")/lib.sh"
CLI=$1
DATA=$2
F=$DATA/files
K=$TMP/key

expect "keygen" "$CLI" keygen -o "$K"
expect "key file mode 0600" [ "$(stat -c %a "$K")" = 600 ]
cp "$K" "$TMP/key.copy"
refuse "keygen refuses to overwrite" "$CLI" keygen -o "$K" 2>/dev/null
expect "refused keygen left the key alone" cmp -s "$K" "$TMP/key.copy"

for c in "" keygen protect restore inspect; do
    expect "--help of '$c'" "$CLI" $c --help >/dev/null
done
expect "--version" sh -c "'$CLI' --version | grep -q '^dcmguard [0-9]'"
refuse "unknown command" "$CLI" frobnicate 2>/dev/null
refuse "protect without -k" "$CLI" protect -s "$TMP/s" -o "$TMP/o" "$F/pydicom_MR_small.dcm" 2>/dev/null
refuse "bad --tiles" "$CLI" protect -k "$K" -s "$TMP/s" -o "$TMP/o" --tiles 3 "$F/pydicom_MR_small.dcm" 2>/dev/null
# numbers that wrap around in 32 bits, or carry a sign or a space, are usage errors (exit 2)
for bad in 4294967298x4294967299 " 2x2" +2x2 2x2x 257x1; do
    "$CLI" protect -k "$K" -s "$TMP/s" -o "$TMP/o" --tiles "$bad" "$F/pydicom_MR_small.dcm" 2>/dev/null
    expect "--tiles '$bad' is a usage error" [ $? = 2 ]
done
for bad in 4294967297 " 1" -1 257; do
    "$CLI" protect -k "$K" -s "$TMP/s" -o "$TMP/o" --threads "$bad" "$F/pydicom_MR_small.dcm" 2>/dev/null
    expect "--threads '$bad' is a usage error" [ $? = 2 ]
done
expect "nothing written by a usage error" [ ! -e "$TMP/o" ]

# A group-readable key is refused.
cp "$K" "$TMP/loose.key"; chmod 644 "$TMP/loose.key"
refuse "group-readable key" "$CLI" protect -k "$TMP/loose.key" -s "$TMP/s" -o "$TMP/o.dcm" "$F/pydicom_MR_small.dcm" 2>/dev/null

# One input, OUT not a directory: OUT is the file.
expect "protect one file" "$CLI" protect -k "$K" -s "$TMP/s" -o "$TMP/one.dcm" "$F/pydicom_CT_small.dcm"
expect "output is a file" [ -f "$TMP/one.dcm" ]
expect "inspect" sh -c "'$CLI' inspect '$TMP/one.dcm' | grep -q 'tile grid: 2x2'"
expect "inspect prints no key" sh -c "! '$CLI' inspect '$TMP/one.dcm' | grep -q \"\$(cut -c24-40 '$K')\""
refuse "inspect of an unprotected file" "$CLI" inspect "$F/pydicom_CT_small.dcm" 2>/dev/null
expect "restore one file" "$CLI" restore -k "$K" -s "$TMP/s" -o "$TMP/one.back" "$TMP/one.dcm"
expect "restored identical" cmp -s "$F/pydicom_CT_small.dcm" "$TMP/one.back"
expect "restored file mode 0600" [ "$(stat -c %a "$TMP/one.back")" = 600 ]
# An existing output that is not the input is never overwritten: mirrored names from another
# folder must not replace an unrelated original (a reviewer lost one so).
mkdir -p "$TMP/ow/series2"
cp "$F/pydicom_CT_small.dcm" "$TMP/ow/IM1"
cp "$F/pydicom_MR_small.dcm" "$TMP/ow/series2/IM1"
sha256sum "$TMP/ow/IM1" >"$TMP/ow.sha"
refuse "protect onto an existing unrelated file" "$CLI" protect -k "$K" -s "$TMP/s" -o "$TMP/ow/" "$TMP/ow/series2/" 2>"$TMP/ow.err"
expect "the refusal says so" grep -q "IM1 already exists: not overwritten" "$TMP/ow.err"
expect "the unrelated original is untouched" sha256sum -c --quiet "$TMP/ow.sha"
expect "--overwrite replaces it when asked" "$CLI" protect --overwrite -k "$K" -s "$TMP/s" -o "$TMP/ow/" "$TMP/ow/series2/"
expect "in place (the output is the input) needs no --overwrite" "$CLI" protect -k "$K" -s "$TMP/s" -o "$TMP/ow/series2/IM1" "$TMP/ow/series2/IM1"
"$CLI" protect -k "$K" -s "$TMP/s" -o "$TMP/ow.sha/x.dcm" "$F/pydicom_CT_small.dcm" 2>"$TMP/notdir.err"
expect "an output under a plain file says why, not 'already exists'" grep -q "x.dcm: Not a directory" "$TMP/notdir.err"
mkdir -p "$TMP/sjc"
cp "$F/pydicom_CT_small.dcm" "$TMP/sjc/a.dcm"
sha256sum "$TMP/sjc/a.dcm" >"$TMP/sjc.sha"
"$CLI" protect --summary-json "$TMP/sjc/a.dcm" -k "$K" -s "$TMP/s" -o "$TMP/sjc" "$TMP/sjc" 2>/dev/null
rc=$?
expect "a --summary-json that is one of the run's files is a usage error" [ $rc = 2 ]
expect "and the file is untouched" sha256sum -c --quiet "$TMP/sjc.sha"
mkfifo "$TMP/fifo"
timeout 10 "$CLI" protect -k "$K" -s "$TMP/s" -o "$TMP/fifo.out" "$TMP/fifo" 2>"$TMP/fifo.err"
expect "a FIFO is refused at once, not waited on" [ $? = 1 ]
expect "the refusal names it" grep -q "fifo: not a regular file" "$TMP/fifo.err"
"$CLI" protect --summary-json "$TMP/nodir/x/summary.json" -k "$K" -s "$TMP/s" -o "$TMP/sj.dcm" "$F/pydicom_CT_small.dcm" 2>/dev/null
rc=$?
expect "an unwritable --summary-json is a usage error before any work" [ $rc = 2 -a ! -e "$TMP/sj.dcm" ]
expect "-o NEW/ (a directory not there yet) with one file" "$CLI" protect -k "$K" -s "$TMP/s" -o "$TMP/newdir/" "$F/pydicom_CT_small.dcm"
expect "the protected file is inside it, under the input's name" [ -f "$TMP/newdir/pydicom_CT_small.dcm" ]
expect "--tiles 4x3" "$CLI" protect -k "$K" -s "$TMP/s" -o "$TMP/t43.dcm" --tiles 4x3 "$F/pydicom_CT_small.dcm"
expect "inspect shows 4x3" sh -c "'$CLI' inspect '$TMP/t43.dcm' | grep -q 'tile grid: 4x3'"
refuse "grid larger than the image" "$CLI" protect -k "$K" -s "$TMP/s" -o "$TMP/big.dcm" --tiles 200x200 "$F/pydicom_MR_small.dcm" 2>/dev/null

# Several inputs: OUT is a directory; a bad input fails alone with one line naming it.
mkdir -p "$TMP/in/sub"
cp "$F/pydicom_MR_small.dcm" "$TMP/in/a.dcm"
cp "$F/pydicom_CT_small.dcm" "$TMP/in/sub/b.dcm"
cp "$DATA/bad/pydicom_MR_truncated.dcm" "$TMP/in/sub/trunc.dcm"
head -c 5000 "$F/pydicom_CT_small.dcm" >"$TMP/in/cut.dcm"
"$CLI" protect -k "$K" -s "$TMP/s" -o "$TMP/outdir" "$TMP/in" 2>"$TMP/err"
rc=$?
expect "exit 1 when one input fails" [ $rc -eq 1 ]
expect "two error lines" [ "$(wc -l <"$TMP/err")" -eq 2 ]
expect "error names the truncated file" grep -q "sub/trunc.dcm: " "$TMP/err"
expect "error names the cut file" grep -q "cut.dcm: " "$TMP/err"
expect "good inputs still protected" [ -f "$TMP/outdir/a.dcm" ] && [ -f "$TMP/outdir/sub/b.dcm" ]
expect "no output for bad input" [ ! -e "$TMP/outdir/sub/trunc.dcm" ] && [ ! -e "$TMP/outdir/cut.dcm" ]
expect "no temporary files left" [ -z "$(find "$TMP/outdir" -name '*.dcmguard-*')" ]
"$CLI" protect -k "$K" -s "$TMP/s" -o "$TMP/outdir2" "$F/pydicom_MR_small.dcm" "$DATA/bad/pydicom_no_meta.dcm" 2>"$TMP/err2"
expect "several files: directory output" [ -f "$TMP/outdir2/pydicom_MR_small.dcm" ]
expect "no_meta refused by name" grep -q "pydicom_no_meta.dcm: " "$TMP/err2"

# Restore: wrong key, altered file, truncated file: an error and no output.
"$CLI" keygen -o "$TMP/other.key" >/dev/null
refuse "wrong key" "$CLI" restore -k "$TMP/other.key" -s "$TMP/s" -o "$TMP/wrong.out" "$TMP/one.dcm" 2>"$TMP/err3"
expect "wrong key named" grep -q "master key" "$TMP/err3"
expect "no output with wrong key" [ ! -e "$TMP/wrong.out" ]
size=$(stat -c %s "$TMP/one.dcm")
head -c $((size - 100)) "$TMP/one.dcm" >"$TMP/short.dcm"
refuse "truncated protected file" "$CLI" restore -k "$K" -s "$TMP/s" -o "$TMP/short.out" "$TMP/short.dcm" 2>/dev/null
expect "no output for truncated" [ ! -e "$TMP/short.out" ]
cp "$TMP/one.dcm" "$TMP/flip.dcm"
flip_byte "$TMP/flip.dcm" $((size - 2000))
refuse "flipped byte" "$CLI" restore -k "$K" -s "$TMP/s" -o "$TMP/flip.out" "$TMP/flip.dcm" 2>/dev/null
expect "no output for flipped" [ ! -e "$TMP/flip.out" ]
refuse "restore of an unprotected file" "$CLI" restore -k "$K" -s "$TMP/s" -o "$TMP/x.out" "$F/pydicom_MR_small.dcm" 2>/dev/null

# Overlay bitmaps (and float pixel data) are zeroed in the clear header (the overlay group stays
# valid), icons leave it, and all come back on restore.
if command -v dcmodify >/dev/null && command -v dcmdump >/dev/null; then
    cp "$F/pydicom_CT_small.dcm" "$TMP/overlay.dcm"
    dcmodify -nb -i "(6000,0010)=128" -i "(6000,0011)=128" -i "(6000,3000)=4660\\22136" "$TMP/overlay.dcm" 2>/dev/null
    expect "test file has an overlay" sh -c "dcmdump '$TMP/overlay.dcm' | grep -q '(6000,3000)'"
    expect "protect with overlay" "$CLI" protect -k "$K" -s "$TMP/s" -o "$TMP/overlay.p" "$TMP/overlay.dcm"
    ov=$(dcmdump "$TMP/overlay.p" | awk '$1 == "(6000,3000)" {print $3}')
    expect "overlay data kept, every bit zero" [ -n "$ov" -a -z "$(printf %s "$ov" | tr -d '0\\\\')" ]
    expect "restore with overlay" "$CLI" restore -k "$K" -s "$TMP/s" -o "$TMP/overlay.b" "$TMP/overlay.p"
    expect "overlay restored identical" cmp -s "$TMP/overlay.dcm" "$TMP/overlay.b"
fi

# In place: the protected file replaces the input only once it is complete.
cp "$F/pydicom_MR_small.dcm" "$TMP/inplace.dcm"
expect "protect in place" "$CLI" protect -k "$K" -s "$TMP/s" -o "$TMP/inplace.dcm" "$TMP/inplace.dcm"
expect "in place restore" "$CLI" restore -k "$K" -s "$TMP/s" -o "$TMP/inplace.back" "$TMP/inplace.dcm"
expect "in place identical" cmp -s "$F/pydicom_MR_small.dcm" "$TMP/inplace.back"
summary
