#!/bin/bash
# crash.sh CLI PLUGIN TESTDATA - kill -9 of the gateway during an ingest
# (issue 6, faults). storescu sends the 54-slice CT series to Orthanc with
# the dcmguard plugin; Orthanc is killed with SIGKILL in the middle, three
# times at different moments, and restarted on the same storage, index and
# key store. Afterwards every instance Orthanc reports as stored is a
# complete protected file that restores (its pad is in the key store), and
# a resend completes the series.
source "$(dirname "$0")/lib.sh"
gateway_test_begin "$@"
SERIES=("$DATA"/series/*/*)

gateway_start() {
    orthanc_start gw 8042 4242 GATEWAY ", \"Plugins\": [\"$PLUGIN\"],
      \"DcmGuard\": { \"MasterKey\": \"$KEY\", \"KeyStore\": \"$TMP/keys.db\",
                      \"EnableRestoreRoutes\": true }"
}

# Every stored instance: a protected file that restores through the plugin.
check_stored() {
    local id bad=0 n=0
    for id in $(api 8042 /instances | jq -r '.[]'); do
        n=$((n + 1))
        api 8042 "/instances/$id/file" -o "$TMP/s.dcm" && "$CLI" inspect "$TMP/s.dcm" | grep -q '^protected: yes' ||
            { bad=$((bad + 1)); continue; }
        [ "$(http_code 8042 "/dcmguard/instances/$id/restore" -X POST -o "$TMP/r.dcm")" = 200 ] &&
            dcmdump -q "$TMP/r.dcm" >/dev/null 2>&1 || bad=$((bad + 1))
    done
    echo "$n stored, $bad not protected or not restorable"
    [ "$bad" = 0 ]
}

for delay in 0.4 0.8 1.5; do
    gateway_start || { fail "the gateway did not start: $(tail -2 "$TMP/gw/log")"; break; }
    storescu -aet MODALITY -aec GATEWAY -nh 127.0.0.1 4242 "${SERIES[@]}" >/dev/null 2>&1 &
    sender=$!
    sleep "$delay"
    kill -KILL "$(cat "$TMP/gw/pid")"
    wait "$sender" 2>/dev/null
    orthanc_reap gw
    gateway_start || { fail "the gateway did not restart after kill -9: $(tail -3 "$TMP/gw/log")"; break; }
    report=$(check_stored)
    status=$?
    echo "kill -9 after ${delay}s: $report"
    expect "after kill -9 at ${delay}s: every stored instance is protected and restores" [ "$status" = 0 ]
    orthanc_stop gw
done

# A resend completes the series; everything is still protected and restorable.
gateway_start || fail "the gateway did not start for the resend"
storescu -aet MODALITY -aec GATEWAY -nh 127.0.0.1 4242 "${SERIES[@]}" >/dev/null 2>&1 || true
expect "the resend completes the series (${#SERIES[@]} instances)" [ "$(api 8042 /instances | jq length)" = "${#SERIES[@]}" ]
expect "after the resend: all protected and restorable" check_stored
summary
