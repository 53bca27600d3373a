#!/bin/bash
# dicomweb.sh CLI PLUGIN TESTDATA - DICOMweb with real servers (see lib.sh),
# Orthanc's DICOMweb plugin (orthanc-dicomweb) in the gateway and in the
# archive:
#   1. ingest over STOW-RS into the gateway: every instance is stored
#      protected, no patient value of the sent files in its storage; what the
#      STOW-RS answer tells the sender (it echoes the original UIDs).
#   2. forwarding with "ForwardToDicomWeb": the archive is down, then up but
#      answering every STOW-RS with an HTTP error (401: it wants credentials
#      the gateway does not send): everything stays queued and storage
#      commitment says "not yet"; then the archive accepts: every instance
#      arrives protected and restores; storage commitment succeeds.
#   3. the gateway restarted without the DICOMweb plugin (the STOW-RS route is
#      missing): a new instance stays queued, nothing is dropped.
source "$(dirname "$0")/lib.sh"
gateway_test_begin "$@"
DICOMWEB=/usr/share/orthanc/plugins/libOrthancDicomWeb.so
[ -f "$DICOMWEB" ] || { echo "SKIP: no $DICOMWEB (orthanc-dicomweb)"; exit 77; }

# gateway_start [PLUGINS]: the gateway (by default with the DICOMweb plugin).
gateway_start() {
    orthanc_start gw 8042 4242 GATEWAY ", \"Plugins\": [${1:-\"$PLUGIN\", \"$DICOMWEB\"}],
      \"DcmGuard\": { \"MasterKey\": \"$KEY\", \"KeyStore\": \"$TMP/keys.db\", \"EnableRestoreRoutes\": true,
                      \"ForwardToDicomWeb\": \"archive\", \"ForwardBatch\": 4, \"ForwardRetryFirst\": 1,
                      \"ForwardRetryMax\": 1 },
      \"DicomWeb\": { \"Servers\": { \"archive\": [\"http://127.0.0.1:8045/dicom-web/\"] } },
      \"DicomModalities\": { \"archive\": [\"ARCHIVE\", \"127.0.0.1\", 4245] }"
}
# archive_start [EXTRA]: the archive, with the DICOMweb plugin.
archive_start() {
    orthanc_start archive 8045 4245 ARCHIVE ", \"Plugins\": [\"$DICOMWEB\"] ${1:-},
      \"DicomModalities\": { \"gateway\": [\"GATEWAY\", \"127.0.0.1\", 4242] }"
}
status() { api 8042 /dcmguard/status | jq -r ".Journal.$1"; }
# commitment [CURL ARGS]: the archive asks the gateway about every instance
# it was sent; the report in $TMP/commit.json.
commitment() {
    local tx
    tx=$(api 8045 /modalities/gateway/storage-commitment "$@" -X POST -d "$(jq -c '{DicomInstances: .}' "$TMP/sent.json")" | jq -r .ID)
    for _ in $(seq 100); do
        api 8045 "/storage-commitment/$tx" "$@" >"$TMP/commit.json" &&
            [ "$(jq -r .Status "$TMP/commit.json")" != Pending ] && return
        sleep 0.1
    done
}

echo "== $SECONDS s: 1. STOW-RS into the gateway"
gateway_start || { fail "the gateway did not start: $(tail -3 "$TMP/gw/log")"; summary; exit 1; }
FILES=("$DATA"/files/pydicom_CT_small.dcm "$DATA"/files/pydicom_MR_small.dcm "$DATA"/files/wg04_US1_UNCR.dcm
    "$DATA"/files/wg04_CT1_UNC_jpegls_bot.dcm "$DATA"/files/dp_IM00001_US_rgb_8frames_ivrle.dcm)
N=${#FILES[@]}
B=dcmguardboundary
{
    for f in "${FILES[@]}"; do
        printf -- '--%s\r\nContent-Type: application/dicom\r\n\r\n' $B
        cat "$f"
        printf '\r\n'
    done
    printf -- '--%s--\r\n' $B
} >"$TMP/stow.body"
code=$(http_code 8042 /dicom-web/studies -X POST -o "$TMP/stow.json" -H "Accept: application/dicom+json" \
    -H "Content-Type: multipart/related; type=\"application/dicom\"; boundary=$B" --data-binary @"$TMP/stow.body")
expect "STOW-RS into the gateway: HTTP 200 (got $code)" [ "$code" = 200 ]
jq -r '.["00081199"].Value[]["00081155"].Value[0]' "$TMP/stow.json" | sort >"$TMP/echoed"
for f in "${FILES[@]}"; do dcmdump -q +P SOPInstanceUID "$f" | sed 's/.*\[\(.*\)\].*/\1/'; done | sort >"$TMP/original"
expect "the STOW-RS answer lists the $N instances by their ORIGINAL SOP Instance UIDs" diff "$TMP/echoed" "$TMP/original"
expect "no failed instance in the answer" [ "$(jq '.["00081198"].Value // [] | length' "$TMP/stow.json")" = 0 ]
expect "the gateway stored $N instances" [ "$(api 8042 /instances | jq length)" = "$N" ]
for f in "${FILES[@]}"; do
    dcmdump -q +P PatientName +P PatientID +P PatientBirthDate +P StudyInstanceUID +P SOPInstanceUID "$f" |
        sed -n 's/^[^[]*\[\(.*\)\].*/\1/p'
done | awk 'length($0) >= 4 && !/^[\^ ]*$/' | sort -u >"$TMP/phi"
leaks=0
for id in $(api 8042 /instances | jq -r '.[]'); do
    api 8042 "/instances/$id/file" -o "$TMP/g.dcm"
    "$CLI" inspect "$TMP/g.dcm" | grep -q '^protected: yes' || fail "gateway instance $id is not protected"
    n=$(grep -caFf "$TMP/phi" "$TMP/g.dcm")
    leaks=$((leaks + n))
done
# what a modality asks storage commitment about: the UIDs it sent (the original ones)
for f in "${FILES[@]}"; do
    dcmdump -q -Un +P SOPClassUID +P SOPInstanceUID "$f" | sed 's/.*\[\(.*\)\].*/\1/' | paste -sd' '
done | jq -Rsc 'split("\n") | map(select(length > 0) | split(" ") | {SOPClassUID: .[0], SOPInstanceUID: .[1]})' >"$TMP/sent.json"
expect "no patient value or original UID of the sent files in the gateway's storage ($(wc -l <"$TMP/phi") searched)" [ "$leaks" = 0 ]
api 8042 /instances/"$(api 8042 /instances | jq -r '.[0]')" | jq -r .MainDicomTags.SOPInstanceUID >"$TMP/stored-uid"
refuse "the stored instances carry pseudonymous UIDs" grep -qxFf "$TMP/stored-uid" "$TMP/original"

# fail closed over STOW-RS: an instance the gateway refuses (already protected) is not stored and
# not listed as stored; Orthanc's DICOMweb plugin 1.7 answers 200 and omits it (docs/orthanc.md)
"$CLI" protect -k "$KEY" -s "$TMP/other.db" -o "$TMP/protected.dcm" "$DATA/files/pydicom_CT_small.dcm"
{
    printf -- '--%s\r\nContent-Type: application/dicom\r\n\r\n' $B
    cat "$TMP/protected.dcm"
    printf '\r\n--%s--\r\n' $B
} >"$TMP/refused.body"
code=$(http_code 8042 /dicom-web/studies -X POST -o "$TMP/refused.json" -H "Accept: application/dicom+json" \
    -H "Content-Type: multipart/related; type=\"application/dicom\"; boundary=$B" --data-binary @"$TMP/refused.body")
expect "a refused instance is not in the STOW-RS answer's ReferencedSOPSequence (HTTP $code)" \
    [ "$(jq '.["00081199"].Value // [] | length' "$TMP/refused.json")" = 0 ]
expect "and nothing more is stored" [ "$(api 8042 /instances | jq length)" = "$N" ]

echo "== $SECONDS s: 2. forwarding with STOW-RS; the archive is down"
sleep 2
expect "all $N wait for the archive" [ "$(status ForwardPending)" = "$N" ]
archive_start ', "AuthenticationEnabled": true, "RegisteredUsers": { "someone": "else" }' ||
    fail "the archive did not start: $(tail -3 "$TMP/archive/log")"
sleep 4
expect "an archive answering an error (401): all $N still queued" [ "$(status ForwardPending)" = "$N" -a "$(status Forwarded)" = 0 ]
expect "the archive has nothing" [ "$(api 8045 /instances -u someone:else | jq length)" = 0 ]
grep -q "forwarding .* failed, will retry" "$TMP/gw/log" || fail "the gateway did not log the refusal"
commitment -u someone:else
expect "storage commitment while the archive refuses: processing failure (0x0110) for all $N" \
    [ "$(jq '[.Failures[] | select(.FailureReason == 272)] | length' "$TMP/commit.json")" = "$N" ]
orthanc_stop archive

echo "== $SECONDS s: the archive accepts"
archive_start || fail "the archive did not restart"
for _ in $(seq 300); do
    [ "$(status Forwarded)" = "$N" ] && break
    sleep 0.1
done
expect "every instance was forwarded (journal)" [ "$(status Forwarded)" = "$N" -a "$(status ForwardPending)" = 0 ]
expect "the archive holds all $N instances" [ "$(api 8045 /instances | jq length)" = "$N" ]
same=1
for id in $(api 8045 /instances | jq -r '.[]'); do
    api 8045 "/instances/$id/file" -o "$TMP/a.dcm"
    "$CLI" inspect "$TMP/a.dcm" | grep -q '^protected: yes' || { same=0; fail "archive instance $id is not protected"; }
    rm -f "$TMP/a.orig"
    "$CLI" restore -k "$KEY" -s "$TMP/keys.db" -o "$TMP/a.orig" "$TMP/a.dcm" 2>/dev/null || { same=0; fail "archive instance $id does not restore"; continue; }
    grep -qxF "$(dcmdump -q +P SOPInstanceUID "$TMP/a.orig" | sed 's/.*\[\(.*\)\].*/\1/')" "$TMP/original" ||
        { same=0; fail "archive instance $id restores to an instance that was not sent"; }
done
expect "archive copies are protected and restore to the sent instances" [ "$same" = 1 ]
commitment
expect "storage commitment succeeds for all $N once the archive has them" [ "$(jq '.Success | length' "$TMP/commit.json")" = "$N" ]

echo "== $SECONDS s: 3. the gateway without the DICOMweb plugin"
orthanc_stop gw
gateway_start "\"$PLUGIN\"" || fail "the gateway did not restart without the DICOMweb plugin"
api 8042 /instances -X POST --data-binary @"$DATA/files/dcmqa12_12bitUnsigned.dcm" >/dev/null ||
    fail "the gateway refused an instance"
sleep 3
expect "no STOW-RS route: the new instance stays queued" [ "$(status ForwardPending)" = 1 ]
expect "and nothing is dropped" [ "$(status ForwardDropped)" = 0 -a "$(status Forwarded)" = "$N" ]
summary
