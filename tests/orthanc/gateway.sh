#!/bin/bash
# gateway.sh CLI PLUGIN TESTDATA - the Orthanc gateway with real servers,
# on a private loopback (see lib.sh):
#   1. C-STORE: testdata/ goes with storescu to the gateway and to a plain
#      Orthanc (the reference). Every stored instance is protected; restoring
#      them gives exactly what the plain Orthanc stored (the buffer Orthanc
#      hands the plugin); instances dcmguard cannot protect, a malformed
#      one among them, are refused with a failure status, nothing stored.
#   2. Storage commitment asked by the reference: success for what the
#      gateway stored, failure for the rest and for an unknown instance.
#   3. REST upload: restore gives back the uploaded bytes exactly; bad files
#      are refused with an HTTP error and nothing is stored; RestoreUsers.
#   4. Route switches off by default; Orthanc refuses to start on a broken
#      DcmGuard configuration (missing key, bad setting, IngestTranscoding...).
source "$(dirname "$0")/lib.sh"
gateway_test_begin "$@"

# dcmguard_json [EXTRA]: the DcmGuard section (routes on) plus EXTRA settings.
dcmguard_json() {
    echo ", \"Plugins\": [\"$PLUGIN\"], \"DcmGuard\": { \"MasterKey\": \"$KEY\",
      \"KeyStore\": \"$TMP/keys.db\", \"Journal\": \"$TMP/journal-$1.db\",
      \"EnableRestoreRoutes\": true, \"EnableKeyRoutes\": true ${2:-} }"
}

# A malformed instance storescu can send: sequences nested 80 deep (dcmguard stops at 64).
malformed() {
    {
        printf '(0002,0010) UI =LittleEndianExplicit\n(0008,0016) UI [1.2.840.10008.5.1.4.1.1.7]\n'
        printf '(0008,0018) UI [1.2.826.0.1.3680043.10.1447.1]\n(0010,0010) PN [Deep^Nesting]\n'
        printf '(0020,000d) UI [1.2.826.0.1.3680043.10.1447.2]\n(0020,000e) UI [1.2.826.0.1.3680043.10.1447.3]\n'
        for _ in $(seq 80); do printf '(0040,a730) SQ (Sequence)\n(fffe,e000) na (Item)\n'; done
        printf '(0040,a160) UT [leaf]\n'
        for _ in $(seq 80); do printf '(fffe,e00d) na (ItemEnd)\n(fffe,e0dd) na (SequenceEnd)\n'; done
    } >"$TMP/deep.txt"
    dump2dcm "$TMP/deep.txt" "$1" >/dev/null
}

# count PORT [curl args]: instances stored.
count() {
    local port=$1
    shift
    api "$port" /instances "$@" | jq length
}

echo "== $SECONDS s: 1. C-STORE to the gateway and to a plain Orthanc"
orthanc_start ref 8043 4243 REF ', "DicomModalities": { "gateway": ["GATEWAY", "127.0.0.1", 4242] }'
orthanc_start gw 8042 4242 GATEWAY "$(dcmguard_json gw) , \"DicomModalities\": { \"ref\": [\"REF\", \"127.0.0.1\", 4243] }" ||
    { fail "the gateway did not start: $(tail -3 "$TMP/gw/log")"; summary; exit 1; }
"$CLI" protect -k "$KEY" -s "$TMP/keys.db" -o "$TMP/protected.dcm" "$DATA/files/pydicom_CT_small.dcm"
malformed "$TMP/deep.dcm"
# No Series Instance UID: Orthanc cannot file it, and once it found it missing after the
# callback it logged the original's Patient ID and UIDs next to their pseudonyms.
cp "$DATA/files/pydicom_CT_small.dcm" "$TMP/noseries.dcm"
dcmodify -nb -q -i "(0010,0020)=NOSERIESQZ4711" -e "(0020,000e)" "$TMP/noseries.dcm"
mapfile -t SEND < <(find "$DATA/files" "$DATA/series" -type f ! -name '*.md' ! -name '*.txt' | sort)
SEND+=("$TMP/protected.dcm" "$TMP/deep.dcm" "$TMP/noseries.dcm")
cstore 4243 REF "$TMP/ref.status" "${SEND[@]}"
cstore 4242 GATEWAY "$TMP/gw.status" "${SEND[@]}"

# What the gateway must have: every instance the plain Orthanc stored that dcmguard can protect.
mkdir -p "$TMP/refstore"
for id in $(api 8043 /instances | jq -r '.[]'); do
    api 8043 "/instances/$id/file" -o "$TMP/refstore/$id.dcm"
done
"$CLI" protect -k "$KEY" -s "$TMP/keys.db" -o "$TMP/refprot" "$TMP/refstore" 2>/dev/null
: >"$TMP/expected.sha"
for f in "$TMP"/refstore/*.dcm; do
    id=$(basename "$f" .dcm)
    if [ -f "$TMP/refprot/$id.dcm" ]; then
        sha256sum "$f" | cut -d' ' -f1 >>"$TMP/expected.sha"
        echo "$id" >>"$TMP/expected.ids"
    else
        echo "$id" >>"$TMP/refused.ids"
    fi
done
sort -o "$TMP/expected.sha" "$TMP/expected.sha"
echo "reference stored $(count 8043), of which dcmguard protects $(wc -l <"$TMP/expected.sha"); gateway stored $(count 8042)"
expect "a real CT series was among the instances stored" [ "$(wc -l <"$TMP/expected.sha")" -ge 60 ]

mkdir -p "$TMP/gwstore"
for id in $(api 8042 /instances | jq -r '.[]'); do
    api 8042 "/instances/$id/file" -o "$TMP/gwstore/$id.dcm"
done
expect "every instance the gateway stored is protected" \
    [ "$("$CLI" inspect "$TMP"/gwstore/*.dcm 2>/dev/null | grep -c '^protected: yes')" = "$(count 8042)" ]
for id in $(api 8042 /instances | jq -r '.[]'); do
    api 8042 "/dcmguard/instances/$id/restore" -X POST | sha256sum | cut -d' ' -f1
done | sort >"$TMP/restored.sha"
expect "restore gives exactly what the plain Orthanc stored, for every instance" \
    cmp -s "$TMP/restored.sha" "$TMP/expected.sha"

st() { awk -v f="$1" '$2 == f { print $1 }' "$2"; }
expect "the malformed instance is refused with a failure status" \
    [ "$(st "$TMP/deep.dcm" "$TMP/gw.status")" = "Refused:OutOfResources" ]
expect "an already protected instance is refused with a failure status" \
    [ "$(st "$TMP/protected.dcm" "$TMP/gw.status")" = "Refused:OutOfResources" ]
expect "an instance without a Series Instance UID is refused with a failure status" \
    [ "$(st "$TMP/noseries.dcm" "$TMP/gw.status")" = "Refused:OutOfResources" ]
expect "and the gateway's log does not name its Patient ID" sh -c "! grep -q NOSERIESQZ4711 '$TMP/gw/log'"
expect "the malformed instance reached the plain Orthanc (it is sendable)" \
    [ "$(st "$TMP/deep.dcm" "$TMP/ref.status")" = "Success" ]
wrong=0
while read -r status file; do
    ref=$(st "$file" "$TMP/ref.status")
    [ "$ref" = Success ] && [ "$status" != Success ] && [ "$file" != "$TMP/deep.dcm" ] &&
        [ "$file" != "$TMP/protected.dcm" ] && [ "$file" != "$TMP/noseries.dcm" ] &&
        { wrong=1; fail "gateway answered $status for $file"; }
done <"$TMP/gw.status"
expect "every other instance the plain Orthanc accepted, the gateway accepted" [ "$wrong" = 0 ]
expect "nothing refused was stored (count = expected)" \
    [ "$(count 8042)" = "$(wc -l <"$TMP/expected.sha")" ]

echo "== $SECONDS s: 2. storage commitment (no forwarding configured)"
# UIDs are read from the files: the plain Orthanc 1.10.1 crashes (SIGSEGV) when asked for
# the tags of the 80-deep instance (/simplified-tags), which it stored without complaint.
uids() { dcmdump -s -Un +P 0008,0016 +P 0008,0018 "$TMP/refstore/$1.dcm" | sed 's/.*\[\(.*\)\].*/\1/' | paste -sd' '; }
body=$(for id in $(cat "$TMP/expected.ids" "$TMP/refused.ids" 2>/dev/null); do
    uids "$id" | jq -Rc 'split(" ") | {SOPClassUID: .[0], SOPInstanceUID: .[1]}'
done | jq -sc '{DicomInstances: (. + [{SOPClassUID: "1.2.840.10008.5.1.4.1.1.2",
                                       SOPInstanceUID: "1.2.826.0.1.3680043.10.1447.999"}])}')
echo "$body" >"$TMP/commit-request.json"
tx=$(api 8043 /modalities/gateway/storage-commitment -X POST -d "$body" | jq -r .ID)
for _ in $(seq 100); do
    api 8043 "/storage-commitment/$tx" >"$TMP/commit.json" && [ "$(jq -r .Status "$TMP/commit.json")" != Pending ] && break
    sleep 0.1
done
ok_uids=$(jq -r '.Success[].SOPInstanceUID' "$TMP/commit.json" | sort)
want_uids=$(for id in $(cat "$TMP/expected.ids"); do uids "$id" | cut -d' ' -f2; done | sort)
expect "storage commitment succeeds for exactly the instances stored protected" [ "$ok_uids" = "$want_uids" ]
expect "storage commitment fails for the unknown instance (no such object, 0x0112)" \
    [ "$(jq -r '.Failures[] | select(.SOPInstanceUID == "1.2.826.0.1.3680043.10.1447.999") | .FailureReason' "$TMP/commit.json")" = 274 ]
orthanc_stop gw
orthanc_stop ref
# Orthanc keeps a storage commitment job with the UIDs asked about: with "SaveJobs": false
# (which the plugin requires) it never reaches the gateway's database or files.
{ echo "$want_uids"; echo 1.2.826.0.1.3680043.10.1447.999; } | grep . >"$TMP/asked.uids"
expect "no UID the modality asked about in the gateway's index, storage or journal" \
    sh -c "! grep -rqaF -f '$TMP/asked.uids' '$TMP/gw/db' '$TMP'/*.db 2>/dev/null"

echo "== $SECONDS s: 3. REST upload, restore, access control"
users='"AuthenticationEnabled": true, "RegisteredUsers": { "alice": "alice-pw", "bob": "bob-pw" }'
# A configured Lua script (allowed: the administrator's own) calls the routes from inside Orthanc,
# where no HTTP filter runs and no Authorization header is sent: the routes must refuse it themselves.
cat >"$TMP/probe.lua" <<'EOF'
probed = false
function OnStoredInstance(instanceId, tags, metadata, origin)
  if probed then return end
  probed = true
  local ok, res = pcall(RestApiGet, '/dcmguard/keys', false)
  if ok and res ~= nil and string.find(res, 'id') then print('DGPROBE keys listed') else print('DGPROBE keys refused') end
  ok, res = pcall(RestApiPost, '/dcmguard/instances/' .. instanceId .. '/restore', '', false)
  if ok and res ~= nil and string.len(res) > 200 then print('DGPROBE restore answered') else print('DGPROBE restore refused') end
end
EOF
orthanc_start gwrest 8044 4244 GWREST ", $users, \"LuaScripts\": [\"$TMP/probe.lua\"] $(dcmguard_json rest ', "RestoreUsers": ["alice"]')" ||
    fail "the REST gateway did not start: $(tail -2 "$TMP/gwrest/log")"
A=(-u alice:alice-pw)
orthanc_start plain 8047 4247 PLAIN
"$CLI" protect -k "$KEY" -s "$TMP/keys.db" -o "$TMP/protectable" "$DATA/files" 2>/dev/null
same=1 n=0
for f in "$DATA"/files/*.dcm; do
    code=$(http_code 8044 /instances "${A[@]}" -X POST --data-binary @"$f" -o "$TMP/up.json")
    plain=$(http_code 8047 /instances -X POST --data-binary @"$f")
    if [ "$plain" != 200 ] || [ ! -f "$TMP/protectable/$(basename "$f")" ]; then
        # Orthanc itself or dcmguard refuses it: so must the gateway.
        [ "${code:0:1}" != 2 ] || { same=0; fail "REST accepted $f (plain Orthanc: $plain)"; }
        continue
    fi
    [ "$code" = 200 ] || { same=0; fail "REST upload of $f: HTTP $code"; continue; }
    [ "$(jq -r .Status "$TMP/up.json")" = Success ] || continue # AlreadyStored: same UIDs as an earlier file
    id=$(jq -r .ID "$TMP/up.json")
    api 8044 "/dcmguard/instances/$id/restore" -X POST "${A[@]}" -o "$TMP/back.dcm"
    cmp -s "$f" "$TMP/back.dcm" || { same=0; fail "REST restore of $f differs"; }
    n=$((n + 1))
done
orthanc_stop plain
expect "REST: restore returns exactly the uploaded bytes ($n files)" [ "$same" = 1 -a "$n" -ge 40 ]
before=$(count 8044 "${A[@]}")
for f in "$DATA"/bad/*.dcm "$TMP/deep.dcm" "$TMP/protected.dcm"; do
    code=$(http_code 8044 /instances "${A[@]}" -X POST --data-binary @"$f")
    expect "REST refuses $(basename "$f") with an HTTP error (got $code)" [ "$code" -ge 400 ]
done
expect "REST: nothing refused was stored" [ "$(count 8044 "${A[@]}")" = "$before" ]
code=$(http_code 8044 /dcmguard/restore "${A[@]}" -X POST --data-binary @"$TMP/protected.dcm" -o "$TMP/back.dcm")
expect "POST /dcmguard/restore gives the original back" cmp -s "$TMP/back.dcm" "$DATA/files/pydicom_CT_small.dcm"
expect "RestoreUsers: bob may not restore (403)" \
    [ "$(http_code 8044 /dcmguard/restore -u bob:bob-pw -X POST --data-binary @"$TMP/protected.dcm")" = 403 ]
expect "RestoreUsers: bob may not list pads (403)" [ "$(http_code 8044 /dcmguard/keys -u bob:bob-pw)" = 403 ]
expect "RestoreUsers: bob may read the status" [ "$(http_code 8044 /dcmguard/status -u bob:bob-pw)" = 200 ]
expect "no password, no restore (401)" [ "$(http_code 8044 /dcmguard/restore -X POST --data-binary @"$TMP/protected.dcm")" = 401 ]
expect "GET /dcmguard/keys answers a JSON array" sh -c "curl -sf -u alice:alice-pw http://127.0.0.1:8044/dcmguard/keys | jq -e 'type == \"array\"' >/dev/null"
expect "POST /dcmguard/keys/purge answers a count" sh -c "curl -sf -u alice:alice-pw -X POST http://127.0.0.1:8044/dcmguard/keys/purge | jq -e '.Destroyed >= 0' >/dev/null"
code=$(http_code 8044 /dcmguard/restore "${A[@]}" -X POST --data-binary @"$DATA/files/pydicom_CT_small.dcm")
expect "POST /dcmguard/restore of an unprotected file is a 400" [ "$code" = 400 ]
# Single-use through REST (issue 12): 8 concurrent POSTs of one single-use file, 3 rounds: one original each.
for round in 1 2 3; do
    rm -f "$TMP/once.dcm"
    "$CLI" protect --otp-policy single-use -k "$KEY" -s "$TMP/keys.db" -o "$TMP/once.dcm" \
        "$DATA/files/pydicom_SC_rgb_small_odd.dcm" || fail "protect single-use"
    pids=()
    for i in 1 2 3 4 5 6 7 8; do
        http_code 8044 /dcmguard/restore "${A[@]}" -X POST --data-binary @"$TMP/once.dcm" \
            -o "$TMP/once.$i" >"$TMP/once.$i.code" &
        pids+=($!)
    done
    wait "${pids[@]}" # not the servers
    got=0 good=0
    for i in 1 2 3 4 5 6 7 8; do
        [ "$(cat "$TMP/once.$i.code")" = 200 ] && got=$((got + 1)) &&
            cmp -s "$TMP/once.$i" "$DATA/files/pydicom_SC_rgb_small_odd.dcm" && good=$((good + 1))
    done
    expect "REST single-use round $round: one original of 8 concurrent restores ($got answered 200)" \
        [ "$got" = 1 -a "$good" = 1 ]
done

# No side effect on GET; every route checks the user; every act is audited under its user.
expect "GET on a restore route answers 405" [ "$(http_code 8044 "/dcmguard/instances/$id/restore" "${A[@]}")" = 405 ]
expect "GET on the upload restore route answers 405" [ "$(http_code 8044 /dcmguard/restore "${A[@]}")" = 405 ]
pad=$("$CLI" keys list -s "$TMP/keys.db" --json | jq -r '.[0].id')
"$CLI" protect -k "$KEY" -s "$TMP/keys.db" --otp-ttl 1s -o "$TMP/short.dcm" "$DATA/files/pydicom_MR_small.dcm"
# its id from the file: opening the store (keys list) destroys pads already expired, and a 1 s TTL
# counted in whole seconds can be over a few milliseconds after the protect
short_pad=$(pad_id "$CLI" "$TMP/short.dcm")
expect "the short pad's id is read from its file" [ -n "$short_pad" ]
for route in "POST /dcmguard/instances/$id/restore" "GET /dcmguard/instances/$id/restore" \
    "POST /dcmguard/restore" "GET /dcmguard/keys" "POST /dcmguard/keys/purge" "POST /dcmguard/keys/$pad" \
    "DELETE /dcmguard/keys/$pad" "POST /DcmGuard/restore" "POST //dcmguard/restore" "POST /dcmguard/./restore" \
    "POST /dcmguard/restore-deidentified" "POST /dcmguard/instances/$id/restore-deidentified" \
    "POST /dcm%67uard/restore" "GET /dcmguard/keys/"; do
    code=$(http_code 8044 "${route#* }" -u bob:bob-pw -X "${route%% *}" --data-binary @"$TMP/protected.dcm")
    expect "RestoreUsers: bob gets 403 on $route (got $code)" [ "$code" = 403 ]
done
expect "bob cannot run a Lua script either (ExecuteLuaEnabled is off)" \
    [ "$(http_code 8044 /tools/execute-script -u bob:bob-pw -X POST -d 'print(RestApiGet("/dcmguard/keys"))')" != 200 ]
sleep 1.1 # the short pad expires
expect "alice purges the expired pad" sh -c "curl -sf -u alice:alice-pw -X POST http://127.0.0.1:8044/dcmguard/keys/purge | jq -e '.Destroyed == 1' >/dev/null"
expect "alice destroys a pad with POST" [ "$(http_code 8044 "/dcmguard/keys/$pad" "${A[@]}" -X POST)" = 200 ]
"$CLI" audit list -s "$TMP/keys.db" --json >"$TMP/audit.json"
rec() { jq -e --arg a "$1" --arg u "$2" --arg o "$3" --arg p "${4:-}" \
    'map(select(.action == $a and .actor == $u and (.outcome | startswith($o)) and ($p == "" or .pad == $p))) | length >= 1' \
    "$TMP/audit.json" >/dev/null; }
expect "audit: the gateway's start" rec gateway-start "orthanc-gateway@$(hostname)" success
expect "audit: alice's restores succeeded" rec restore orthanc:alice success
expect "audit: bob's restore was refused" rec restore orthanc:bob "refused: not in DcmGuard.RestoreUsers"
expect "audit: alice's GET on a restore route was refused" rec restore orthanc:alice "refused: a restore must be a POST"
expect "audit: both of alice's GETs (stored and upload route) were recorded" jq -e \
    'map(select(.actor == "orthanc:alice" and (.outcome | startswith("refused: a restore must be a POST")))) | length == 2' \
    "$TMP/audit.json"
expect "audit: bob's key calls were refused" rec keys orthanc:bob "refused: not in DcmGuard.RestoreUsers"
expect "audit: alice's purge destroyed the expired pad" rec pad-purge orthanc:alice success "$short_pad"
expect "audit: alice destroyed the pad" rec pad-destroy orthanc:alice success "$pad"
expect "audit: instances received over REST were protected" rec protect "orthanc-gateway@$(hostname) (instance received over the REST API)" success
expect "a Lua script inside Orthanc (no user) cannot list the pads" grep -q "DGPROBE keys refused" "$TMP/gwrest/log"
expect "nor restore an instance" grep -q "DGPROBE restore refused" "$TMP/gwrest/log"
expect "the probe ran (it stands for any code calling the routes from inside)" \
    [ "$(grep -c 'DGPROBE .* refused' "$TMP/gwrest/log")" = 2 ]
expect "audit: the inside calls were refused under no user" rec restore "orthanc:(no user)" "refused: not in DcmGuard.RestoreUsers"
expect "audit: the trail verifies" "$CLI" audit verify -s "$TMP/keys.db"
orthanc_stop gwrest

echo "== $SECONDS s: 4. safe defaults, and Orthanc refuses to start on a broken configuration"
orthanc_start gwoff 8045 4245 GWOFF ", \"Plugins\": [\"$PLUGIN\"], \"DcmGuard\": { \"MasterKey\": \"$KEY\", \"KeyStore\": \"$TMP/keys.db\" }"
expect "restore routes are off by default (404)" [ "$(http_code 8045 /dcmguard/restore -X POST --data-binary @"$TMP/protected.dcm")" = 404 ]
expect "key routes are off by default (404)" [ "$(http_code 8045 /dcmguard/keys)" = 404 ]
expect "the status route is on" [ "$(http_code 8045 /dcmguard/status)" = 200 ]
orthanc_stop gwoff

# refuses NAME REASON_PATTERN DCMGUARD_SECTION [ORTHANC_EXTRA]: Orthanc must exit, saying why, storing nothing.
refuses() {
    local name=$1 why=$2 section=$3 extra=${4:-}
    if orthanc_start "$name" 8046 4246 BAD ", \"Plugins\": [\"$PLUGIN\"] $section $extra"; then
        fail "Orthanc started with $name"
        orthanc_stop "$name"
        return
    fi
    orthanc_reap "$name"
    expect "start refused: $name (log says why)" grep -q "dcmguard: .*$why" "$TMP/$name/log"
    expect "start refused: $name (nothing stored)" [ -z "$(find "$TMP/$name/db" -type f -size +0 -name '[0-9a-f][0-9a-f]*' 2>/dev/null)" ]
}
good="\"MasterKey\": \"$KEY\", \"KeyStore\": \"$TMP/keys.db\""
refuses nokey "No such file" ", \"DcmGuard\": { \"MasterKey\": \"$TMP/missing.key\", \"KeyStore\": \"$TMP/keys.db\" }"
cp "$KEY" "$TMP/open.key"
chmod 644 "$TMP/open.key"
refuses openkey "MasterKey" ", \"DcmGuard\": { \"MasterKey\": \"$TMP/open.key\", \"KeyStore\": \"$TMP/keys.db\" }"
refuses nosection "no \"DcmGuard\" section" ""
refuses typo "unknown setting DcmGuard.EnableRestoreRoute" ", \"DcmGuard\": { $good, \"EnableRestoreRoute\": true }"
refuses badtiles "Tiles" ", \"DcmGuard\": { $good, \"Tiles\": \"0x9\" }"
refuses ingest "IngestTranscoding" ", \"DcmGuard\": { $good }" ', "IngestTranscoding": "1.2.840.10008.1.2.4.80"'
refuses noarchive "ForwardTo" ", \"DcmGuard\": { $good, \"ForwardTo\": \"archive\" }"
refuses savejobs "SaveJobs" ", \"DcmGuard\": { $good }" ', "SaveJobs": true'
refuses webdav "WebDavUploadAllowed" ", \"DcmGuard\": { $good }" ', "WebDavEnabled": true'
refuses lua "ExecuteLuaEnabled" ", \"DcmGuard\": { $good, \"EnableRestoreRoutes\": true }" ', "ExecuteLuaEnabled": true'
refuses python "PythonScript" ", \"DcmGuard\": { $good, \"EnableKeyRoutes\": true }" ', "PythonScript": "/x/script.py"'
refuses pyplugin "libOrthancPython" ", \"DcmGuard\": { $good, \"EnableKeyRoutes\": true }" ", \"Plugins\": [\"$PLUGIN\", \"/nonexistent/libOrthancPython.so\"]"
echo "not a key store" >"$TMP/garbage.db"
refuses badstore "KeyStore" ", \"DcmGuard\": { \"MasterKey\": \"$KEY\", \"KeyStore\": \"$TMP/garbage.db\" }"
summary
