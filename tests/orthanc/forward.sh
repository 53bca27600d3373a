#!/bin/bash
# forward.sh CLI PLUGIN TESTDATA - forwarding and storage commitment with
# real servers (see lib.sh): a modality (a plain Orthanc) sends the CT
# series and a few files to the gateway, whose archive (another plain
# Orthanc) is down. Storage commitment then fails (not yet accepted by the
# archive); the gateway is restarted with everything still queued; the
# archive starts; every instance arrives there protected and restorable;
# storage commitment now succeeds for all, and fails for an unknown UID.
source "$(dirname "$0")/lib.sh"
gateway_test_begin "$@"
UNKNOWN=1.2.826.0.1.3680043.10.1447.777

gateway_start() {
    orthanc_start gw 8042 4242 GATEWAY ", \"Plugins\": [\"$PLUGIN\"],
      \"DcmGuard\": { \"MasterKey\": \"$KEY\", \"KeyStore\": \"$TMP/keys.db\", \"EnableRestoreRoutes\": true,
                      \"ForwardTo\": \"archive\", \"ForwardBatch\": 8, \"ForwardRetryFirst\": 1,
                      \"ForwardRetryMax\": 2 },
      \"DicomModalities\": { \"archive\": [\"ARCHIVE\", \"127.0.0.1\", 4245],
                             \"modality\": [\"MODALITY\", \"127.0.0.1\", 4246] }"
}

# commitment: asks the gateway (from the modality) about every instance of
# the modality plus an unknown one; leaves the report in $TMP/commit.json.
commitment() {
    local body tx
    body=$(for id in $(api 8046 /instances | jq -r '.[]'); do
        api 8046 "/instances/$id/simplified-tags" | jq -c '{SOPClassUID, SOPInstanceUID}'
    done | jq -sc --arg u "$UNKNOWN" '{DicomInstances: (. + [{SOPClassUID: "1.2.840.10008.5.1.4.1.1.2", SOPInstanceUID: $u}])}')
    tx=$(api 8046 /modalities/gateway/storage-commitment -X POST -d "$body" | jq -r .ID)
    for _ in $(seq 100); do
        api 8046 "/storage-commitment/$tx" >"$TMP/commit.json" &&
            [ "$(jq -r .Status "$TMP/commit.json")" != Pending ] && return
        sleep 0.1
    done
}
reason() { jq -r --arg u "$1" '.Failures[] | select(.SOPInstanceUID == $u) | .FailureReason' "$TMP/commit.json"; }
status() { api 8042 /dcmguard/status | jq -r ".Journal.$1"; }

echo "== $SECONDS s: the modality sends to the gateway; the archive is down"
orthanc_start mod 8046 4246 MODALITY ', "DicomModalities": { "gateway": ["GATEWAY", "127.0.0.1", 4242] }'
gateway_start || { fail "the gateway did not start: $(tail -2 "$TMP/gw/log")"; summary; exit 1; }
for f in "$DATA"/series/*/* "$DATA"/files/wg04_CT1_UNC_jpegls_bot.dcm "$DATA"/files/pydicom_MR_small.dcm \
    "$DATA"/files/wg04_US1_UNCR.dcm "$DATA"/files/dp_IM00001_US_rgb_8frames_ivrle.dcm; do
    api 8046 /instances -X POST --data-binary @"$f" >/dev/null || fail "modality refused $f"
done
N=$(api 8046 /instances | jq length)
sent=$(api 8046 /modalities/gateway/store -X POST -d "{\"Resources\": $(api 8046 /instances), \"Synchronous\": true}")
expect "the modality's C-STORE of $N instances succeeded" [ "$(echo "$sent" | jq .FailedInstancesCount)" = 0 ]
expect "the gateway journaled all $N instances" [ "$(status Instances)" = "$N" ]
sleep 2
expect "all $N wait for the archive" [ "$(status ForwardPending)" = "$N" ]
commitment
expect "storage commitment: no success while the archive has nothing" [ "$(jq '.Success | length' "$TMP/commit.json")" = 0 ]
one=$(api 8046 "/instances/$(api 8046 /instances | jq -r '.[0]')/simplified-tags" | jq -r .SOPInstanceUID)
expect "storage commitment: stored but not forwarded is a processing failure (0x0110)" [ "$(reason "$one")" = 272 ]

echo "== $SECONDS s: the gateway restarts with the queue intact; then the archive starts"
orthanc_stop gw
gateway_start || fail "the gateway did not restart"
expect "after the restart, still $N waiting" [ "$(status ForwardPending)" = "$N" ]
orthanc_start archive 8045 4245 ARCHIVE
for _ in $(seq 600); do
    [ "$(status Forwarded)" = "$N" ] && break
    sleep 0.1
done
expect "every instance was forwarded (journal)" [ "$(status Forwarded)" = "$N" -a "$(status ForwardPending)" = 0 ]
expect "the archive holds all $N instances" [ "$(api 8045 /instances | jq length)" = "$N" ]

# The archive holds protected files (its Orthanc rewrote their File Meta on
# reception) that restore, with the key alone, to what the gateway restores.
same=1
for id in $(api 8045 /instances | jq -r '.[]'); do
    api 8045 "/instances/$id/file" -o "$TMP/a.dcm"
    "$CLI" inspect "$TMP/a.dcm" | grep -q '^protected: yes' || { same=0; fail "archive instance $id is not protected"; }
    rm -f "$TMP/a.orig"
    "$CLI" restore -k "$KEY" -s "$TMP/keys.db" -o "$TMP/a.orig" "$TMP/a.dcm" 2>/dev/null ||
        { same=0; fail "archive instance $id does not restore"; continue; }
    cmp -s "$TMP/a.orig" <(api 8042 "/dcmguard/instances/$id/restore" -X POST) ||
        { same=0; fail "archive instance $id restores to something else than the gateway's"; }
done
expect "archive copies are protected and restore to the gateway's originals" [ "$same" = 1 ]

echo "== $SECONDS s: storage commitment once the archive has everything"
commitment
expect "storage commitment succeeds for all $N" [ "$(jq '.Success | length' "$TMP/commit.json")" = "$N" ]
expect "storage commitment fails for the unknown instance (0x0112)" [ "$(reason "$UNKNOWN")" = 274 ]
summary
