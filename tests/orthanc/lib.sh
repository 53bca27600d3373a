# lib.sh - helpers for the tests that run real Orthanc servers and DCMTK
# tools (sourced, after tests/lib.sh). Every test runs inside its own
# network namespace (unshare -rn, only a loopback), so ports never clash and
# nothing is reachable from outside; each server gets folders under $TMP.
# TCP_NODELAY=1 is exported for Orthanc, storescu and storescp (Debian's
# DCMTK otherwise stalls each C-STORE by ~40 ms, Nagle's algorithm).

export TCP_NODELAY=1

# netns_enter "$@": re-runs the calling script inside a private network
# namespace (exit 77, skipped, when the kernel does not allow it).
netns_enter() {
    if [ -z "${DGO_IN_NETNS:-}" ]; then
        if ! unshare -rn true 2>/dev/null; then
            echo "SKIP: unshare -rn is not permitted here (user namespaces are off)"
            exit 77
        fi
        exec unshare -rn env DGO_IN_NETNS=1 bash "$0" "$@"
    fi
    ip link set lo up
}

# gateway_test_begin "$@" (a test's first call, its arguments CLI PLUGIN
# TESTDATA): enters the private network namespace, loads tests/lib.sh, stops
# every server and removes $TMP on exit (DGO_KEEP=1 keeps them), and sets
# CLI, PLUGIN (absolute: Orthanc reads a relative one from its configuration's
# folder), DATA, DGO_ORTHANC_ENV and KEY, a fresh master key.
gateway_test_begin() {
    netns_enter "$@"
    source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
    trap 'stop_all; [ -n "${DGO_KEEP:-}" ] || rm -rf "$TMP"' EXIT
    CLI=$1 PLUGIN=$(realpath "$2") DATA=$3
    DGO_ORTHANC_ENV=$(asan_env "$PLUGIN")
    KEY=$TMP/master.key
    "$CLI" keygen -o "$KEY" >/dev/null
}

# Loading an ASan-built plugin into Orthanc (not instrumented) needs the
# ASan runtime preloaded; leaks of Orthanc itself are not ours to report.
# Orthanc then needs "Locale": "C" (building a named std::locale deadlocks
# in glibc's setlocale lock under the ASan runtime) and "MallocArenaMax": 0
# (ASan's allocator refuses mallopt); orthanc_start adds both.
asan_env() {
    local plugin=$1 rt
    if ldd "$plugin" 2>/dev/null | grep -q libasan; then
        rt=$(ldd "$plugin" | awk '/libasan/ {print $3}')
        echo "LD_PRELOAD=$rt ASAN_OPTIONS=detect_leaks=0:verify_asan_link_order=0:abort_on_error=1"
    fi
}

# orthanc_start NAME HTTP_PORT DICOM_PORT AET [EXTRA_JSON]: writes
# $TMP/NAME/cfg.json and starts Orthanc; waits until its REST API answers.
# EXTRA_JSON is inserted into the configuration object (", ..." form);
# authentication is off unless EXTRA_JSON sets AuthenticationEnabled, and
# SaveJobs is false and WebDAV uploads are off (the plugin requires both)
# unless EXTRA_JSON sets them.
orthanc_start() {
    local name=$1 http=$2 dicom=$3 aet=$4 extra=${5:-} dir=$TMP/$1 auth='"AuthenticationEnabled": false,'
    local jobs='"SaveJobs": false,'
    mkdir -p "$dir/db"
    [[ $extra == *AuthenticationEnabled* ]] && auth=
    [[ $extra == *'"SaveJobs"'* ]] && jobs=
    [[ $extra == *'"WebDav'* ]] || jobs+=' "WebDavUploadAllowed": false,'
    [ -n "${DGO_ORTHANC_ENV:-}" ] && auth+=' "Locale": "C", "MallocArenaMax": 0,'
    cat >"$dir/cfg.json" <<EOF
{ "Name": "$name", "StorageDirectory": "$dir/db", "IndexDirectory": "$dir/db",
  "HttpPort": $http, "DicomPort": $dicom, "DicomAet": "$aet",
  "RemoteAccessAllowed": false, $auth
  $jobs "DicomAssociationCloseDelay": 0 $extra }
EOF
    orthanc_run "$name" "$http"
}

# orthanc_run NAME HTTP_PORT: starts Orthanc on $TMP/NAME/cfg.json; returns
# non-zero when it exits (e.g. refuses its configuration) or never answers.
orthanc_run() {
    local name=$1 http=$2 dir=$TMP/$1 i
    if [ -f "$dir/log" ]; then wc -l <"$dir/log"; else echo 0; fi >"$dir/logstart"
    env ${DGO_ORTHANC_ENV:-} Orthanc ${DGO_ORTHANC_ARGS:-} "$dir/cfg.json" >>"$dir/log" 2>&1 &
    echo $! >"$dir/pid"
    for i in $(seq 150); do
        case $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$http/system") in
        200 | 401) return 0 ;; # 401: up, with authentication on
        esac
        kill -0 "$(cat "$dir/pid")" 2>/dev/null || return 1
        stopped "$name" && return 1 # refused to start
        sleep 0.1
    done
    return 1
}

# stopped NAME: Orthanc NAME has logged, since its last start, that it stopped.
stopped() {
    tail -n +"$(($(cat "$TMP/$1/logstart" 2>/dev/null || echo 0) + 1))" "$TMP/$1/log" 2>/dev/null |
        grep -q "Orthanc has stopped"
}

# orthanc_reap NAME: waits until Orthanc NAME has exited. Under the ASan
# runtime an Orthanc that has logged "Orthanc has stopped" may hang in exit()
# (p11-kit's destructor deadlocks on glibc's locale lock): it is killed then.
orthanc_reap() {
    local pid
    pid=$(cat "$TMP/$1/pid" 2>/dev/null) || return 0
    for _ in $(seq 600); do
        kill -0 "$pid" 2>/dev/null || break
        if [ -n "${DGO_ORTHANC_ENV:-}" ] && stopped "$1"; then
            sleep 1
            kill -KILL "$pid" 2>/dev/null
            break
        fi
        sleep 0.1
    done
    wait "$pid" 2>/dev/null
    rm -f "$TMP/$1/pid"
}

# orthanc_stop NAME: stops it and waits until it has exited.
orthanc_stop() {
    local pid
    pid=$(cat "$TMP/$1/pid" 2>/dev/null) || return 0
    kill -TERM "$pid" 2>/dev/null
    orthanc_reap "$1"
}

stop_all() {
    local p
    for p in "$TMP"/*/pid; do
        [ -f "$p" ] && orthanc_stop "$(basename "$(dirname "$p")")"
    done
}

# api PORT PATH [curl args...]: a REST call; prints the body, fails on HTTP errors.
api() {
    local port=$1 path=$2
    shift 2
    curl -sf "$@" "http://127.0.0.1:$port$path"
}

# http_code PORT PATH [curl args...]: only the HTTP status (the body goes
# to /dev/null unless the arguments say -o FILE).
http_code() {
    local port=$1 path=$2 out=(-o /dev/null)
    shift 2
    [[ " $* " == *" -o "* ]] && out=()
    curl -s "${out[@]}" -w '%{http_code}' "$@" "http://127.0.0.1:$port$path"
}

# The storescu option proposing a file's transfer syntax (with the uncompressed ones).
ts_option() {
    case $(dcmdump -s -Un +P 0002,0010 "$1" 2>/dev/null | sed 's/.*\[\(.*\)\].*/\1/') in
    1.2.840.10008.1.2.4.80 | 1.2.840.10008.1.2.4.81) echo -xt ;;
    1.2.840.10008.1.2.4.90) echo -xv ;;
    1.2.840.10008.1.2.4.91) echo -xw ;;
    1.2.840.10008.1.2.4.70) echo -xs ;;
    1.2.840.10008.1.2.4.50) echo -xy ;;
    1.2.840.10008.1.2.4.51) echo -xx ;;
    1.2.840.10008.1.2.5) echo -xr ;;
    1.2.840.10008.1.2.1.99) echo -xd ;;
    *) echo -xt ;;
    esac
}

# cstore PORT CALLED_AET OUT FILES...: sends every file with storescu (one
# association per transfer-syntax group, so that each file's own syntax is
# proposed) and writes "STATUS FILE" lines to OUT, STATUS being the C-STORE
# response (Success, Refused:OutOfResources, ...) or "unsent" when storescu
# could not send the file at all.
cstore() {
    local port=$1 aec=$2 out=$3 f opt
    shift 3
    : >"$out"
    declare -A groups=()
    for f in "$@"; do
        opt=$(ts_option "$f")
        groups[$opt]+="$f"$'\n'
    done
    for opt in "${!groups[@]}"; do
        mapfile -t files < <(printf '%s' "${groups[$opt]}")
        storescu -v -aet MODALITY -aec "$aec" "$opt" -nh 127.0.0.1 "$port" "${files[@]}" 2>&1 |
            awk '/^I: Sending file: / { f = substr($0, 18); st[f] = "unsent"; order[++n] = f }
                 /^I: Received Store Response/ { s = $0; sub(/.*Response \(/, "", s); sub(/\)$/, "", s);
                                                 gsub(/ /, "", s); st[f] = s }
                 END { for (i = 1; i <= n; i++) print st[order[i]], order[i] }' >>"$out"
        for f in "${files[@]}"; do
            grep -qF " $f" "$out" || echo "unsent $f" >>"$out"
        done
    done
}

