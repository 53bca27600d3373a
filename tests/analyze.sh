#!/bin/bash
# analyze.sh CLI TESTDATA - `dcmguard analyze` from the command line: help,
# usage errors, the table, --json, --png, a chaos image made by the tool
# itself, an AES-mode protected file (the cipher image is then the sealed
# tiles; the Pixel Data placeholder is reported separately) and a chaos-mode one.
. "$(dirname "$0")/lib.sh"
CLI=$1
DATA=$2
CT=$DATA/files/wg04_CT1_UNC_explicit_le.dcm
K=$TMP/key

expect "--help" sh -c "'$CLI' analyze --help | grep -q 'chosen ciphertext'"
refuse "no input" "$CLI" analyze 2>/dev/null
refuse "three inputs" "$CLI" analyze "$CT" "$CT" "$CT" 2>/dev/null
refuse "bad --bits" "$CLI" analyze --bits 17 "$CT" 2>/dev/null
refuse "bad --seed" "$CLI" analyze --seed x "$CT" 2>/dev/null
refuse "not DICOM" "$CLI" analyze "$DATA/bad/pydicom_no_meta.dcm" 2>/dev/null
refuse "compressed PLAIN" "$CLI" analyze "$DATA/files/dcmqats_4_RLE.dcm" 2>/dev/null

# The tool's own chaos encryption, 8 bits: table, JSON, PNG.
expect "table" sh -c "'$CLI' analyze --bits 8 --positions 3 --seed 5 '$CT' > '$TMP/table.txt'"
expect "table has the statistics" grep -q "correlation diagonal" "$TMP/table.txt"
expect "table has the key bits" grep -q "bit 255" "$TMP/table.txt"
expect "table says what the cipher image is" grep -q "applied by this tool" "$TMP/table.txt"
expect "json" sh -c "'$CLI' analyze --json --bits 8 --positions 3 --seed 5 --png '$TMP/fig.png' '$CT' > '$TMP/out.json'"
expect "json rows" grep -q '"name": "npcr (0,0)"' "$TMP/out.json"
expect "json verdicts" grep -q '"verdict": "PASS"' "$TMP/out.json"
expect "same seed, same JSON" sh -c "'$CLI' analyze --json --bits 8 --positions 3 --seed 5 '$CT' | cmp -s - '$TMP/out.json'"
expect "png written" sh -c "head -c 8 '$TMP/fig.png' | od -An -tx1 | grep -q '89 50 4e 47 0d 0a 1a 0a'"
refuse "png into a missing directory" "$CLI" analyze --stats-only --png "$TMP/no/such/dir/f.png" "$CT" >/dev/null 2>&1

# An AES-mode protected file.
expect "keygen" "$CLI" keygen -o "$K"
expect "protect" "$CLI" protect -k "$K" -s "$TMP/ks" -o "$TMP/ct.dcm" "$CT"
expect "analyze AES mode" sh -c "'$CLI' analyze --stats-only '$CT' '$TMP/ct.dcm' > '$TMP/aes.txt'"
expect "AES: tiles measured" grep -q "AES mode: the sealed parts" "$TMP/aes.txt"
expect "AES: placeholder reported" grep -q "placeholder entropy" "$TMP/aes.txt"

# A chaos-mode protected file: its Pixel Data is the cipher image.
expect "protect --mode chaos" "$CLI" protect --mode chaos -k "$K" -s "$TMP/ks" -o "$TMP/chaos.dcm" "$CT"
expect "analyze chaos mode" sh -c "'$CLI' analyze --stats-only '$CT' '$TMP/chaos.dcm' > '$TMP/chaos.txt'"
expect "chaos: Pixel Data measured" grep -q "the Pixel Data of PROTECTED: 512 x 512 samples, BitsStored 16" "$TMP/chaos.txt"
expect "chaos: entropy near 16 bits" grep -q "entropy (bits) .* 15\.80" "$TMP/chaos.txt"
summary
