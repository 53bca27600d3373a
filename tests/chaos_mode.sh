#!/bin/bash
# chaos_mode.sh CLI TESTDATA - protect --mode chaos, end to end:
#   - every uncompressed image in testdata comes back byte-identical;
#   - compressed images DCMTK can decode losslessly (RLE, JPEG-LS) come back
#     decoded, with the pixel values DCMTK's own decoder gives; lossy JPEG
#     comes back as libjpeg-turbo decodes it;
#   - what cannot go through the cipher is refused with one line, and no
#     output is left;
#   - the protected file shows an image of the same geometry (dcm2pnm can
#     render it), uncompressed, with the de-identified header;
#   - a changed byte of the cipher image is refused (the image is
#     authenticated, the cipher alone is not).
. "$(dirname "$0")/lib.sh"
CLI=$1
F=$2/files
command -v dcmdump >/dev/null || { echo "dcmdump missing: skipped"; exit 77; }
"$CLI" keygen -o "$TMP/key"
mkdir -p "$TMP/p" "$TMP/b"

ts_of() { dcmdump -q +P 0002,0010 "$1" 2>/dev/null | sed 's/.*=\([A-Za-z0-9]*\).*/\1/'; }

native=0 decoded=0 refused=0
for f in "$F"/*.dcm "$2"/series/*/*; do
    name=$(basename "$f")
    if ! "$CLI" protect --mode chaos -k "$TMP/key" -s "$TMP/s" -o "$TMP/p/$name" "$f" 2>"$TMP/err"; then
        if [ "$(wc -l <"$TMP/err")" = 1 ] && grep -q "chaos mode" "$TMP/err" && [ ! -e "$TMP/p/$name" ]; then
            refused=$((refused + 1)); ok
        else
            fail "$name: refusal is not one clean line: $(cat "$TMP/err")"
        fi
        continue
    fi
    "$CLI" restore -k "$TMP/key" -s "$TMP/s" -o "$TMP/b/$name" "$TMP/p/$name" || { fail "$name: restore"; continue; }
    ts=$(ts_of "$f")
    case $ts in
    LittleEndianExplicit | LittleEndianImplicit | BigEndianExplicit)
        native=$((native + 1))
        cmp -s "$f" "$TMP/b/$name" && ok || fail "$name: not restored byte for byte" ;;
    RLELossless)
        decoded=$((decoded + 1))
        dcmdrle "$f" "$TMP/ref.dcm" && cmp -s "$(largest_raw "$TMP/ref.dcm" "$TMP/w1")" "$(largest_raw "$TMP/b/$name" "$TMP/w2")" &&
            ok || fail "$name: decoded pixels differ from dcmdrle's" ;;
    JPEGLSLossless)
        decoded=$((decoded + 1))
        spp=$(dcmdump -q +P 0028,0002 "$f" | awk '{print $3}')
        if [ "$spp" = 1 ] && dcmdjpls "$f" "$TMP/ref.dcm" 2>/dev/null; then
            cmp -s "$(largest_raw "$TMP/ref.dcm" "$TMP/w1")" "$(largest_raw "$TMP/b/$name" "$TMP/w2")" &&
                ok || fail "$name: decoded pixels differ from dcmdjpls's"
        fi ;; # (DCMTK's own decoder refuses some files CharLS reads: not compared)
    *) decoded=$((decoded + 1)) ;;
    esac
    # the protected file is an uncompressed, viewable image of the same geometry
    [ "$(ts_of "$TMP/p/$name")" = LittleEndianExplicit ] && ok || fail "$name: protected file is not uncompressed"
    [ "$(dcmdump -q +P 0028,0010 "$f")" = "$(dcmdump -q +P 0028,0010 "$TMP/p/$name")" ] && ok || fail "$name: rows changed"
    dcmdump -q +P 0012,0062 "$TMP/p/$name" | grep -q YES && ok || fail "$name: header not de-identified"
done
echo "chaos mode: $native uncompressed files byte-identical, $decoded decoded, $refused refused"
[ "$native" -ge 80 ] && ok || fail "only $native uncompressed files went through"

# Viewable: DCMTK renders the cipher image.
if command -v dcm2pnm >/dev/null; then
    expect "dcm2pnm renders a chaos-protected CT" dcm2pnm "$TMP/p/pydicom_CT_small.dcm" "$TMP/ct.pgm"
fi

# A changed byte in the cipher image is refused.
f=$TMP/p/pydicom_CT_small.dcm
size=$(stat -c %s "$f")
cp "$f" "$TMP/t.dcm"
flip_byte "$TMP/t.dcm" $((size - 100))
refuse "a flipped cipher-image byte" "$CLI" restore -k "$TMP/key" -s "$TMP/s" -o "$TMP/t-back.dcm" "$TMP/t.dcm" 2>"$TMP/err"
grep -q "does not authenticate" "$TMP/err" && ok || fail "tamper message: $(cat "$TMP/err")"
summary
