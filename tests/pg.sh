# pg.sh - a throwaway PostgreSQL server for the tests (sourced).
#
# pg_start makes a cluster in a fresh folder and starts it on a Unix socket
# only (listen_addresses=''), as the postgres user when run as root (the
# server refuses root), as the caller otherwise. It exports:
#   PG_BASE  the folder (the socket is in it, the data in $PG_BASE/data)
#   PG_URI   postgresql:///dcmguard?host=$PG_BASE&user=postgres (a database
#            made for the test; pg_createdb NAME makes more)
# Local connections are trusted, except for the role "dgpw", which must give
# its password (scram-sha-256): a test of libpq's password file.
# fsync is off: these tests kill gateways, never the machine.
#
# PostgreSQL cannot start inside `unshare -rn` (root there is not root, and
# the postgres user does not exist in it), but its socket works from there.
# A test that must stop and start the server from inside the namespace runs
# pg_serve outside (it starts the server and answers requests on a FIFO)
# and calls pg_request stop|start inside. pg_stop removes everything.

PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}

# pg_as_owner CMD...: runs CMD as the user that owns the cluster.
pg_as_owner() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

pg_ctl_do() {
    pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_BASE/data" -l "$PG_BASE/log" -w -t 30 "$@" >/dev/null
}

# pg_start: see above; non-zero (with the server's log on stderr) when it fails.
pg_start() {
    [ -x "$PG_BIN/initdb" ] || { echo "pg.sh: no PostgreSQL server binaries found" >&2; return 1; }
    PG_BASE=$(mktemp -d /tmp/dg-pg.XXXXXX) || return 1
    chmod 755 "$PG_BASE"
    [ "$(id -u)" = 0 ] && chown postgres: "$PG_BASE"
    echo dgpw-secret-for-tests >"$PG_BASE/pw" && chmod 644 "$PG_BASE/pw"
    pg_as_owner "$PG_BIN/initdb" -D "$PG_BASE/data" -U postgres --auth=trust -E UTF8 \
        --no-instructions >"$PG_BASE/initdb.log" 2>&1 || { cat "$PG_BASE/initdb.log" >&2; return 1; }
    # the password test's role first: pg_hba takes the first matching line
    { echo "local all dgpw scram-sha-256"; cat "$PG_BASE/data/pg_hba.conf"; } >"$PG_BASE/hba" &&
        pg_as_owner cp "$PG_BASE/hba" "$PG_BASE/data/pg_hba.conf"
    cat >>"$PG_BASE/postgresql.auto" <<EOF
listen_addresses = ''
unix_socket_directories = '$PG_BASE'
unix_socket_permissions = 0777
fsync = off
full_page_writes = off
max_connections = 200
EOF
    pg_as_owner sh -c "cat '$PG_BASE/postgresql.auto' >>'$PG_BASE/data/postgresql.conf'"
    pg_ctl_do start || { cat "$PG_BASE/log" >&2; return 1; }
    export PG_BASE PG_URI="postgresql:///dcmguard?host=$PG_BASE&user=postgres"
    pg_createdb dcmguard >/dev/null &&
        pg_psql postgres -c "CREATE ROLE dgpw LOGIN PASSWORD 'dgpw-secret-for-tests'" >/dev/null
}

# pg_psql DB ARGS...: psql on database DB as postgres.
pg_psql() {
    local db=$1
    shift
    "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_BASE" -U postgres -d "$db" "$@"
}

# pg_createdb NAME: makes a database and prints its URI.
pg_createdb() {
    pg_psql postgres -c "CREATE DATABASE \"$1\"" >/dev/null &&
        echo "postgresql:///$1?host=$PG_BASE&user=postgres"
}

# pg_halt / pg_resume: stops the server (fast: connections are cut) and starts it again.
pg_halt() { pg_ctl_do stop -m fast; }
pg_resume() { pg_ctl_do start; }

# pg_stop: stops the server and removes its folder (DGO_KEEP=1 keeps it).
pg_stop() {
    [ -n "${PG_BASE:-}" ] && [ -d "$PG_BASE" ] || return 0
    pg_ctl_do stop -m immediate 2>/dev/null || true
    [ -n "${DGO_KEEP:-}" ] || rm -rf "$PG_BASE"
}

# pg_serve: (outside the namespace) answers pg_request's on $PG_BASE/ctl
# until pg_request quit; run it in the background after pg_start.
pg_serve() {
    local cmd answer
    mkfifo -m 600 "$PG_BASE/ctl" "$PG_BASE/ack" || return 1
    while read -r cmd <"$PG_BASE/ctl"; do
        case $cmd in
        stop) pg_halt && answer=ok || answer=failed ;;
        start) pg_resume && answer=ok || answer=failed ;;
        quit) answer=ok ;;
        *) answer="unknown request" ;;
        esac
        echo "$answer" >"$PG_BASE/ack"
        [ "$cmd" = quit ] && return 0
    done
}

# pg_request stop|start|quit: (inside the namespace) asks pg_serve; 0 when done.
pg_request() {
    local answer
    echo "$1" >"$PG_BASE/ctl" && read -r answer <"$PG_BASE/ack" && [ "$answer" = ok ]
}

# pg_test_begin "$@": the first line of a gateway test that needs PostgreSQL.
# Outside the namespace it starts the server and pg_serve, re-runs the
# calling script inside `unshare -rn` (with PG_BASE and PG_URI), then stops
# everything and exits with the script's status (77, skipped, when user
# namespaces are off). Inside, it returns at once.
pg_test_begin() {
    local serve rc
    [ -n "${DGO_IN_NETNS:-}" ] && return 0
    if ! unshare -rn true 2>/dev/null; then
        echo "SKIP: unshare -rn is not permitted here (user namespaces are off)"
        exit 77
    fi
    pg_start || exit 1
    pg_serve &
    serve=$!
    rc=0 # (under set -e too) the server is stopped whatever the script's status
    unshare -rn env DGO_IN_NETNS=1 PG_BASE="$PG_BASE" PG_URI="$PG_URI" bash "$0" "$@" || rc=$?
    kill "$serve" 2>/dev/null
    wait "$serve" 2>/dev/null || true
    pg_stop
    exit $rc
}
