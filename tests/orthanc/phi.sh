#!/bin/bash
# phi.sh CLI PLUGIN TESTDATA - no PHI in what the gateway's Orthanc keeps.
#
# Distinctive values are written into 20+ PHI attributes of several test
# files (top level, inside a sequence, in a private block, and fresh UIDs);
# the files go to the gateway over C-STORE and over REST; then every byte of
# Orthanc's storage folder and index (with its WAL), the gateway journal and
# Orthanc's log (run with --verbose, restores included) and the key store
# with its audit trail is searched for each value: as UTF-8 and UTF-16, any
# case. Zero hits required. Also (issue 11): a generated file with a distinctive
# value in every PS3.15 2026c E.1-1 attribute whose action is not K, an ECG
# and an encapsulated PDF naming the patient go in over REST; none of their
# values may be in the storage, index, WAL, log or journal, nor in any
# MainDicomTags of /patients, /studies, /series, /instances?expand. Then one
# file goes to a gateway run with --trace: the plugin warns at start-up, none
# of its lines holds a value, and the test reports which values Orthanc's own
# trace wrote (docs/orthanc.md).
source "$(dirname "$0")/lib.sh"
gateway_test_begin "$@"
UIDROOT=1.2.826.0.1.3680043.10.1447.4242

# The values searched for afterwards (PN components also alone).
PHI=(Zqxvbrt Wlmpkjh PID-7730458912 19370412 ACC-58120947 "Frobozzic Kwlqmz Hospital"
    Yzqvrtpl Hxmnqwe "41 Zvlrtq Lane" 555-0193-8842 STX4471Q Qopwrtz Lmnvbxq "Zvrnqx study"
    STN-ZQX91 "Kwlqmz radiology" Seqnamezq RPID-99314Q Zqxprivate-7731 OTHER-ID-66120
    "Blorptown Clinic" 19990304 "$UIDROOT")

# dcmodify needs a dictionary entry to add a private element.
printf '(00f1,"ZQXCORP",01)\tLO\tZqxPrivateValue\t1\tPrivateTag\n' >"$TMP/private.dic"
DCMDICTPATH=$(ls /usr/share/libdcmtk*/dicom.dic | head -1):$TMP/private.dic

# inject SRC DST N: a copy of SRC with the values above and fresh UIDs (N makes them unique).
inject() {
    cp "$1" "$2"
    chmod u+w "$2"
    DCMDICTPATH=$DCMDICTPATH dcmodify -nb -q -i "(0010,0010)=Zqxvbrt^Wlmpkjh" -i "(0010,0020)=PID-7730458912" \
        -i "(0010,0030)=19370412" -i "(0008,0050)=ACC-58120947" \
        -i "(0008,0080)=Frobozzic Kwlqmz Hospital" -i "(0008,0090)=Yzqvrtpl^Hxmnqwe" \
        -i "(0010,1040)=41 Zvlrtq Lane" -i "(0010,2154)=555-0193-8842" -i "(0020,0010)=STX4471Q" \
        -i "(0008,1070)=Qopwrtz^Lmnvbxq" -i "(0008,1030)=Zvrnqx study" -i "(0008,1010)=STN-ZQX91" \
        -i "(0008,1040)=Kwlqmz radiology" -i "(0010,1000)=OTHER-ID-66120" \
        -i "(0008,0081)=Blorptown Clinic" -i "(0008,0020)=19990304" \
        -i "(0040,0275)[0].(0010,0010)=Seqnamezq^Zqxvbrt" -i "(0040,0275)[0].(0040,1001)=RPID-99314Q" \
        -i "(00f1,0010)=ZQXCORP" -i "(00f1,1001)=Zqxprivate-7731" \
        -i "(0020,000d)=$UIDROOT.1" -i "(0020,000e)=$UIDROOT.2.$3" -i "(0008,0018)=$UIDROOT.3.$3" "$2"
}

# hits DIR VALUE: files under DIR holding VALUE, as UTF-8 or UTF-16LE/BE, any case.
hits() {
    local u16le u16be
    u16le=$(printf '%s' "$2" | iconv -t UTF-16LE | od -An -tx1 | tr -d ' \n' | sed 's/../\\x&/g')
    u16be=$(printf '%s' "$2" | iconv -t UTF-16BE | od -An -tx1 | tr -d ' \n' | sed 's/../\\x&/g')
    {
        grep -r -a -l -i -F -- "$2" "$1"
        LC_ALL=C grep -r -a -l -i -P -- "$u16le|$u16be" "$1"
    } 2>/dev/null | sort -u
}

mkdir -p "$TMP/phi"
n=0
for f in "$DATA"/files/pydicom_CT_small.dcm "$DATA"/files/pydicom_MR_small.dcm \
    "$DATA"/files/wg04_CT1_UNC_jpegls_bot.dcm "$DATA"/files/wg04_US1_UNCR.dcm \
    "$DATA"/files/dcmqats_1_EVRLE.dcm $(find "$DATA/series" -type f | sort | head -5); do
    n=$((n + 1))
    inject "$f" "$TMP/phi/$n.dcm" "$n" || fail "cannot inject PHI into $f"
done
for v in "${PHI[@]}"; do
    [ -n "$(hits "$TMP/phi" "$v")" ] || fail "the injected files lack $v (test is broken)"
done

SECTION=", \"Plugins\": [\"$PLUGIN\"], \"DcmGuard\": { \"MasterKey\": \"$KEY\",
  \"KeyStore\": \"$TMP/keys.db\", \"Journal\": \"$TMP/journal.db\", \"EnableRestoreRoutes\": true,
  \"EnableKeyRoutes\": true }"
DGO_ORTHANC_ARGS=--verbose orthanc_start gw 8042 4242 GATEWAY "$SECTION" ||
    { fail "the gateway did not start: $(tail -2 "$TMP/gw/log")"; summary; exit 1; }
mapfile -t FILES < <(find "$TMP/phi" -name '*.dcm' | sort -V)
half=$((${#FILES[@]} / 2))
cstore 4242 GATEWAY "$TMP/cstore.status" "${FILES[@]:0:$half}"
expect "C-STORE: all accepted" [ "$(grep -c '^Success ' "$TMP/cstore.status")" = "$half" ]
for f in "${FILES[@]:$half}"; do
    expect "REST: $(basename "$f") accepted" [ "$(http_code 8042 /instances -X POST --data-binary @"$f")" = 200 ]
done
expect "all ${#FILES[@]} instances stored" [ "$(api 8042 /instances | jq length)" = "${#FILES[@]}" ]
# Restores (plain, de-identified, refused) and key routes: what they log must hold no value either.
restored=0 deid_ok=0 deid_refused=0 deid_clean=0
for id in $(api 8042 /instances | jq -r '.[]'); do
    api 8042 "/dcmguard/instances/$id/restore" -X POST -o "$TMP/r.dcm" && restored=$((restored + 1))
    api 8042 "/dcmguard/instances/$id/restore-deidentified" -X POST -H "X-Dcmguard-Allow-Burned-In: yes" \
        -o "$TMP/d.dcm" && deid_ok=$((deid_ok + 1))
    # the de-identified answer holds none of the injected values (checked by hits below: it is searched)
    [ -z "$(hits "$TMP/d.dcm" Zqxvbrt)" ] && [ "$(dcmdump -q +P 0012,0062 "$TMP/d.dcm" | grep -c '\[NO\]')" = 1 ] &&
        deid_clean=$((deid_clean + 1))
    [ "$(http_code 8042 "/dcmguard/instances/$id/restore-deidentified" -X POST)" = 200 ] ||
        deid_refused=$((deid_refused + 1))
done
rm -f "$TMP/d.dcm"
expect "every instance restored over REST ($restored)" [ "$restored" = "${#FILES[@]}" ]
expect "every instance restored de-identified with the burned-in override ($deid_ok)" [ "$deid_ok" = "${#FILES[@]}" ]
expect "each de-identified answer is de-identified (no injected name; Patient Identity Removed NO after the override) ($deid_clean)" [ "$deid_clean" = "${#FILES[@]}" ]
# None of these files says Burned In Annotation NO: without the override each is refused.
expect "de-identified restore refused without the override ($deid_refused)" [ "$deid_refused" = "${#FILES[@]}" ]
expect "a restored original holds the injected values (the search can find them)" [ -n "$(hits "$TMP/r.dcm" Zqxvbrt)" ]
rm -f "$TMP/r.dcm"
http_code 8042 /dcmguard/restore -X POST --data-binary @"${FILES[0]}" >/dev/null # refused: not protected
api 8042 /dcmguard/keys -o /dev/null
for level in patients studies series instances; do
    api 8042 "/$level?expand" >>"$TMP/rest-main.json" || fail "GET /$level?expand"
done
for v in "${PHI[@]}"; do
    expect "no \"$v\" in /patients, /studies, /series, /instances?expand" [ -z "$(grep -i -F -l -- "$v" "$TMP/rest-main.json")" ]
done
# Issue 11: every attribute of the 2026c table, the ECG and the PDF.
HERE=$(cd "$(dirname "$0")" && pwd)
python3 "$HERE/../deid/make_phi_file.py" "$HERE/../../plugin/deid_data/table-E.1-1.tsv" "$TMP/all.dcm" "$TMP/values" ||
    fail "cannot generate the every-attribute file"
printf '%s\n' Quimbelor Zaphirette PIDXQZ7781245 >>"$TMP/values"
expect "the every-attribute values are in the input" python3 "$HERE/../deid/search.py" --all-found "$TMP/values" \
    "$TMP/all.dcm" "$DATA/files/dcmguard_pdf.dcm"
for f in "$TMP/all.dcm" "$DATA/files/dcmguard_ecg.dcm" "$DATA/files/dcmguard_pdf.dcm"; do
    expect "REST: $(basename "$f") accepted" [ "$(http_code 8042 /instances -X POST --data-binary @"$f")" = 200 ]
done
for level in patients studies series instances; do
    api 8042 "/$level?expand" >"$TMP/rest-$level.json" || fail "GET /$level?expand"
done
expect "the REST answers hold MainDicomTags" grep -q MainDicomTags "$TMP/rest-instances.json"
expect "no every-attribute value in /patients, /studies, /series, /instances?expand" \
    python3 "$HERE/../deid/search.py" "$TMP/values" "$TMP"/rest-*.json
orthanc_stop gw # the index and its WAL as they are at rest
expect "no every-attribute value in Orthanc's storage, index, WAL, log or the journal" \
    python3 "$HERE/../deid/search.py" "$TMP/values" "$TMP/gw/db" "$TMP/journal.db" "$TMP/gw/log"

for v in "${PHI[@]}"; do
    where=$(
        hits "$TMP/gw/db" "$v"
        hits "$TMP/journal.db" "$v"
        hits "$TMP/gw/log" "$v"
        hits "$TMP" "$v" | grep '/keys\.db'
    )
    expect "no trace of \"$v\" in Orthanc's storage, index, --verbose log, the journal or the key store and its audit trail${where:+: $where}" [ -z "$where" ]
done
expect "the --verbose log has the plugin's restore lines (the search covers them)" grep -q "dcmguard: restored" "$TMP/gw/log"
expect "--verbose: the plugin warns at start-up (storage commitment UIDs)" grep -q "dcmguard: Orthanc runs with verbose logging" "$TMP/gw/log"

# --trace: the plugin warns; its own lines hold no value; Orthanc's trace is reported.
DGO_ORTHANC_ARGS=--trace orthanc_start gwtrace 8043 4243 GWTRACE "$SECTION" ||
    fail "the gateway did not start with --trace: $(tail -2 "$TMP/gwtrace/log")"
cstore 4243 GWTRACE "$TMP/trace.status" "${FILES[0]}"
api 8043 "/dcmguard/instances/$(api 8043 /instances | jq -r '.[0]')/restore" -X POST -o /dev/null
orthanc_stop gwtrace
expect "--trace: the plugin warns at start-up" grep -q "dcmguard: Orthanc runs with trace logging" "$TMP/gwtrace/log"
grep "dcmguard: " "$TMP/gwtrace/log" >"$TMP/trace-plugin.log"
expect "--trace: the plugin's lines are there (the search covers them)" [ -s "$TMP/trace-plugin.log" ]
in_trace=()
for v in "${PHI[@]}"; do
    expect "--trace: no \"$v\" in the plugin's lines" [ -z "$(hits "$TMP/trace-plugin.log" "$v")" ]
    [ -n "$(hits "$TMP/gwtrace/log" "$v")" ] && in_trace+=("$v")
done
echo "NOTE: Orthanc's own --trace output holds ${#in_trace[@]} of the ${#PHI[@]} values: ${in_trace[*]:-none}"
summary
