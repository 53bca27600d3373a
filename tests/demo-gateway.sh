#!/bin/bash
# demo-gateway.sh [DIR] - the gateway on the embedded default: installs what
# is missing, builds dcmguard and its Orthanc plugin, starts Orthanc with the
# plugin on a private loopback (unshare -rn: nothing outside can reach it),
# sends every file of testdata/ to it with storescu (C-STORE) and one over
# REST, then shows what Orthanc stored (protected files, a de-identified
# index) and restores one instance of each kind. Everything stays in DIR
# (default /tmp/dcmguard-gateway-demo): Orthanc's storage, logs, the key.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${1:-/tmp/dcmguard-gateway-demo}
if [ -z "${DGO_IN_NETNS:-}" ]; then
    bash "$ROOT/tests/install-deps.sh"
    cmake -S "$ROOT" -B "$ROOT/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
    cmake --build "$ROOT/build" -j "$(nproc)" --target dcmguard_cli dcmguard_orthanc -- --no-print-directory >/dev/null
    rm -rf "$OUT"
    mkdir -p "$OUT"
fi
TMP=$OUT
source "$ROOT/tests/orthanc/lib.sh"
netns_enter "$@"
trap stop_all EXIT
CLI=$ROOT/build/dcmguard
PLUGIN=$ROOT/build/orthanc-glue/libdcmguard_orthanc.so
DATA=$ROOT/testdata

"$CLI" keygen -o "$OUT/master.key" >/dev/null
orthanc_start gateway 8042 4242 GATEWAY ", \"Plugins\": [\"$PLUGIN\"],
  \"DcmGuard\": { \"MasterKey\": \"$OUT/master.key\", \"KeyStore\": \"$OUT/keys.db\",
                  \"EnableRestoreRoutes\": true }" ||
    { echo "the gateway did not start:"; tail -3 "$OUT/gateway/log"; exit 1; }
echo "gateway: Orthanc $(Orthanc --version | head -1 | cut -d' ' -f2) with the dcmguard plugin, AET GATEWAY, DICOM 127.0.0.1:4242, HTTP 127.0.0.1:8042 (private loopback)"
echo "demo folder: $OUT (Orthanc storage and log in $OUT/gateway/, master key $OUT/master.key)"
echo

f=$DATA/series/ct_philips_phantom_55/I10
echo "== one file over REST (POST /instances): ${f#"$DATA"/}"
up=$(api 8042 /instances -X POST --data-binary @"$f")
rid=$(echo "$up" | jq -r .ID)
echo "$up" | jq -c '{ID, Status}'
echo

mapfile -t SEND < <(find "$DATA/files" "$DATA/series" "$DATA/bad" -type f ! -name '*.md' ! -name '*.txt' | sort)
echo "== sending ${#SEND[@]} files of testdata/ with storescu (TCP_NODELAY=1) ..."
cstore 4242 GATEWAY "$OUT/cstore.status" "${SEND[@]}"
ok=$(grep -c '^Success ' "$OUT/cstore.status" || true)
echo "C-STORE answers: $ok Success; others:"
grep -v '^Success ' "$OUT/cstore.status" | while read -r status file; do
    printf '  %-24s %s\n' "$status" "${file#"$DATA"/}"
done
echo "(\"unsent\": storescu itself could not read the file. Refused:OutOfResources is status 0xA700,"
echo " a refusal by the gateway or by Orthanc itself; nothing of those was stored. The log says why:)"
grep -a -e 'dcmguard: refused' -e 'Store has failed' "$OUT/gateway/log" |
    sed -e 's/.*dcmguard: /  dcmguard: /' -e 's/.*DicomMap.cpp:[0-9]*\] /  Orthanc: /' -e 's/ for the following instance.*//' |
    sort | uniq -c || true
echo

echo "== what Orthanc stored"
stats=$(api 8042 /statistics)
echo "instances: $(echo "$stats" | jq .CountInstances), patients: $(echo "$stats" | jq .CountPatients), on disk: $(echo "$stats" | jq -r .TotalDiskSizeMB) MB"
api 8042 "/instances/$rid/file" -o "$OUT/stored-example.dcm"
echo "the instance uploaded over REST ($rid), as dcmguard inspect describes what Orthanc stored:"
"$CLI" inspect "$OUT/stored-example.dcm" | sed 's/^/  /'
echo "what Orthanc's index knows of its patient and study (the de-identified header):"
api 8042 "/instances/$rid/patient" | jq -c .MainDicomTags | sed 's/^/  /'
api 8042 "/instances/$rid/study" | jq -c .MainDicomTags | sed 's/^/  /'
echo

echo "== restore"
api 8042 "/dcmguard/instances/$rid/restore" -X POST -o "$OUT/restored-rest.dcm"
same=no
cmp -s "$f" "$OUT/restored-rest.dcm" && same=yes
echo "REST upload of ${f#"$DATA"/}: restored byte-identical to the uploaded file: $same"
printf '  original: %s\n  restored: %s\n' "$(dcmdump +P 0010,0010 +P 0008,0018 "$f" | tr -s ' ' | cut -d'#' -f1 | paste -sd' ')" \
    "$(dcmdump +P 0010,0010 +P 0008,0018 "$OUT/restored-rest.dcm" | tr -s ' ' | cut -d'#' -f1 | paste -sd' ')"
api 8042 "/instances/$rid/file" -o "$OUT/stored-rest.dcm"
printf '  stored:   %s\n' "$(dcmdump +P 0010,0010 +P 0008,0018 "$OUT/stored-rest.dcm" | tr -s ' ' | cut -d'#' -f1 | paste -sd' ')"
id=$(api 8042 /instances | jq -r --arg r "$rid" '[.[] | select(. != $r)][0]')
api 8042 "/dcmguard/instances/$id/restore" -X POST -o "$OUT/restored-cstore.dcm"
echo "C-STORE'd instance $id restored: $(stat -c %s "$OUT/restored-cstore.dcm") bytes (exactly the buffer Orthanc"
echo "  decoded from the network and handed to the plugin; see docs/orthanc.md), in $OUT/restored-cstore.dcm"
echo
echo "gateway status: $(api 8042 /dcmguard/status | jq -c .Journal)"
