#!/bin/bash
# load.sh CLI PLUGIN TESTDATA - the gateway under load, on a private loopback
# (see lib.sh; skipped, 77, where namespaces are off):
#   - 1000 distinct instances (the 54-slice CT series copied, each copy given
#     a new SOP Instance UID with dcmodify -gin), in 4 folders of 250, sent
#     by 4 storescu at once (TCP_NODELAY=1) to the gateway;
#   - every C-STORE answered Success, Orthanc holds 1000 instances (none lost);
#   - every stored file is protected (fetched, dcmguard inspect);
#   - a sample of 50 restores (the plugin's restore route) to exactly one of
#     the files sent;
#   - prints the ingest time and rate and the peak memory of Orthanc (VmHWM).
# DGO_LOAD_N=200 makes a shorter run.
source "$(dirname "$0")/lib.sh"
gateway_test_begin "$@" # DGO_KEEP=1 keeps folders and logs
N=${DGO_LOAD_N:-1000}
SERIES=$DATA/series/ct_philips_phantom_55

echo "== $SECONDS s: making $N distinct instances"
i=0
while [ $i -lt "$N" ]; do
    for f in "$SERIES"/*; do
        [ $i -lt "$N" ] || break
        d=$TMP/send/$((i % 4))
        mkdir -p "$d"
        cp "$f" "$d/$i.dcm"
        i=$((i + 1))
    done
done
chmod -R u+w "$TMP/send"
for d in "$TMP"/send/*; do
    find "$d" -name '*.dcm' -print0 | xargs -0 -n 50 dcmodify -nb -gin >/dev/null || fail "dcmodify in $d"
done
find "$TMP/send" -name '*.dcm' -exec sha256sum {} + | cut -d' ' -f1 | sort >"$TMP/sent.sha"
uids=$(find "$TMP/send" -name "*.dcm" -exec dcmdump -s +P 0008,0018 {} + | grep "(0008,0018)" | sort -u | wc -l)
expect "$N files with $N distinct SOP Instance UIDs (got $uids)" [ "$uids" = "$N" ]

orthanc_start gw 8042 4242 GATEWAY ", \"Plugins\": [\"$PLUGIN\"], \"DcmGuard\": { \"MasterKey\": \"$KEY\",
      \"KeyStore\": \"$TMP/keys.db\", \"Journal\": \"$TMP/journal.db\", \"EnableRestoreRoutes\": true }" ||
    { fail "the gateway did not start: $(tail -3 "$TMP/gw/log")"; summary; exit 1; }
expect "the plugin is loaded (/dcmguard/status answers)" [ "$(http_code 8042 /dcmguard/status)" = 200 ]
PID=$(cat "$TMP/gw/pid")
rss0=$(awk '/^VmRSS/ {print $2}' "/proc/$PID/status")

echo "== $SECONDS s: 4 storescu senders at once, $N instances"
t0=$(date +%s.%N)
TS=$(ts_option "$SERIES/I10")
senders=()
for d in 0 1 2 3; do
    storescu -aet "SENDER$d" -aec GATEWAY "$TS" -nh 127.0.0.1 4242 "$TMP"/send/$d/*.dcm -v >"$TMP/sender$d.log" 2>&1 &
    senders+=($!)
done
wait "${senders[@]}"
t1=$(date +%s.%N)
secs=$(echo "$t1 - $t0" | bc)
rate=$(echo "scale=1; $N / $secs" | bc)
success=$(cat "$TMP"/sender?.log | grep -c 'Received Store Response (Success)')
other=$(cat "$TMP"/sender?.log | grep 'Received Store Response' | grep -vc '(Success)')
stored=$(api 8042 /instances | jq length)
hwm=$(awk '/^VmHWM/ {print $2}' "/proc/$PID/status")
rss=$(awk '/^VmRSS/ {print $2}' "/proc/$PID/status")
echo "ingest: $N instances in $secs s ($rate instances/s), $success Success answers, $other other answers"
echo "Orthanc: VmRSS $rss0 kB at start, $rss kB after ingest, peak (VmHWM) $hwm kB"
expect "every C-STORE answered Success ($success of $N)" [ "$success" = "$N" ]
expect "Orthanc holds $N instances, none lost (got $stored)" [ "$stored" = "$N" ]

echo "== $SECONDS s: every stored file is protected"
mkdir -p "$TMP/stored"
api 8042 /instances | jq -r '.[]' >"$TMP/ids"
while read -r id; do
    api 8042 "/instances/$id/file" -o "$TMP/stored/$id.dcm" || fail "fetch $id"
done <"$TMP/ids"
prot=$(find "$TMP/stored" -name '*.dcm' -print0 | xargs -0 "$CLI" inspect 2>/dev/null | grep -c '^protected: yes')
expect "every stored file is protected ($prot of $stored)" [ "$prot" = "$stored" ]

echo "== $SECONDS s: a sample of 50 restores to a file sent"
bad=0 n=0
for id in $(shuf -n 50 "$TMP/ids"); do
     h=$(api 8042 "/dcmguard/instances/$id/restore" -X POST | sha256sum | cut -d' ' -f1)
    grep -qx "$h" "$TMP/sent.sha" || { bad=$((bad + 1)); fail "restore of $id is none of the files sent"; }
    n=$((n + 1))
done
expect "$n sampled instances restore byte for byte ($((n - bad)) of $n)" [ "$n" -ge 1 -a "$bad" = 0 ]
hwm=$(awk '/^VmHWM/ {print $2}' "/proc/$PID/status")
echo "Orthanc peak memory (VmHWM) at the end: $hwm kB"
echo "FIGURES: N=$N senders=4 ingest_s=$secs rate_per_s=$rate orthanc_vmhwm_kB=$hwm"
orthanc_stop gw
summary
