#!/usr/bin/env bash
# Run a command with DATABASE_URL pointing at a working Postgres database.
#
#   scripts/with-postgres.sh CMD [ARGS...]
#
# If DATABASE_URL is already set, the command is simply exec'd: the caller has
# a database of their own. Otherwise a throwaway PostgreSQL cluster is started
# on a free 127.0.0.1 port, the database `vouchgraph` is created, and
#   DATABASE_URL=postgres://postgres@127.0.0.1:PORT/vouchgraph
# is exported for the command. The cluster is stopped and its files deleted
# when the command ends, when this script fails, and on Ctrl-C/SIGTERM/SIGHUP.
# The command's exit status is this script's exit status.
#
# The `postgres` role is a superuser with trust auth (on 127.0.0.1 only), so
# #[sqlx::test] can create its per-test databases.
#
# Environment knobs:
#   VG_PG_FAST=1   turn off fsync/synchronous_commit/full_page_writes. Only for
#                  the test suite: the cluster is deleted afterwards anyway, and
#                  durability settings are what make migrations slow.
#   VG_PG_BIN=DIR  use Postgres binaries from DIR instead of the Debian ones.
#   VG_PG_STANDBY=1  also start a streaming replica (hot standby) of the cluster,
#                  copied with pg_basebackup, and export
#                  DATABASE_REPLICA_URL=postgres://postgres@127.0.0.1:PORT2/vouchgraph
#                  for the tests of an instance that reads a replica. Every
#                  database created on the primary appears on the standby too.
set -euo pipefail

# CI may start us with stdin closed; give fd 0 something harmless now, before a
# file we open lands on it and is handed to the command as its stdin.
[[ -e /dev/fd/0 ]] || exec </dev/null

log() { printf 'with-postgres: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

if (($# == 0)); then
    die "usage: $0 CMD [ARGS...]"
fi

# A database was provided: nothing to manage, get out of the way entirely.
if [[ -n ${DATABASE_URL:-} ]]; then
    exec "$@"
fi

# ---------------------------------------------------------------------------
# Locate (or install) the Postgres server binaries.
# ---------------------------------------------------------------------------
PG_BIN=${VG_PG_BIN:-/usr/lib/postgresql/15/bin}

# Run a privileged command: directly as root, through sudo otherwise.
as_root() {
    if ((EUID == 0)); then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        die "need root to run '$*' (not root and sudo is not installed)"
    fi
}

if [[ ! -x $PG_BIN/pg_ctl ]]; then
    log "PostgreSQL server binaries not found in $PG_BIN; installing Debian's 'postgresql' package"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql
    if [[ ! -x $PG_BIN/pg_ctl ]]; then
        # A Debian release other than bookworm ships another major version;
        # any recent one is fine for this project, so take the newest.
        newest=$(find /usr/lib/postgresql -mindepth 3 -maxdepth 3 -path '*/bin/pg_ctl' 2>/dev/null | sort -V | tail -n 1)
        [[ -n $newest ]] || die "installed 'postgresql' but found no pg_ctl under /usr/lib/postgresql"
        PG_BIN=$(dirname "$newest")
        log "using $PG_BIN"
    fi
fi

# Postgres refuses to run as root, so when we are root the server-side tools
# run as the `postgres` system user (created by the Debian package). They are
# started from / so they don't trip over a cwd the postgres user can't read.
if ((EUID == 0)); then
    id postgres >/dev/null 2>&1 || die "running as root but there is no 'postgres' user to run the server as"
    as_pg() { (cd / && runuser -u postgres -- "$@"); }
    # The project folder isn't writable by the postgres user: use /tmp.
    BASE=$(mktemp -d /tmp/vouchgraph-pg.XXXXXX)
    chown postgres: "$BASE"
else
    as_pg() { (cd / && "$@"); }
    BASE=$(mktemp -d "${TMPDIR:-/tmp}/vouchgraph-pg.XXXXXX")
fi
# Everything lives under $BASE so one `rm -rf` removes it. The unix socket goes
# inside the data dir: private (mode 0700), and it can't clash with a system
# Postgres in /var/run/postgresql.
PGDATA_DIR=$BASE/data
PG_LOG=$BASE/postgres.log
STARTED=0   # whether the server may be running and needs stopping
STANDBY_DIR=$BASE/standby
STANDBY_STARTED=0
CHILD=      # pid of the command, once started
SIGNALLED=  # name of the first signal received while the command runs

# ---------------------------------------------------------------------------
# Cleanup: always stop the cluster and delete its files.
# ---------------------------------------------------------------------------
# shellcheck disable=SC2317  # invoked from a trap
cleanup() {
    local status=$?
    # Finish the cleanup even if the user hits Ctrl-C again.
    trap '' INT TERM HUP
    set +e
    # The standby first: stopping the primary first would leave it retrying its stream.
    if ((STANDBY_STARTED)) && [[ -f $STANDBY_DIR/postmaster.pid ]]; then
        as_pg "$PG_BIN/pg_ctl" -D "$STANDBY_DIR" -m immediate -w -t 30 stop >/dev/null 2>&1
    fi
    if ((STARTED)) && [[ -f $PGDATA_DIR/postmaster.pid ]]; then
        if ! as_pg "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" -m fast -w -t 30 stop >/dev/null 2>&1; then
            log "fast shutdown failed; using immediate shutdown"
            as_pg "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" -m immediate -w -t 30 stop >/dev/null 2>&1
        fi
    fi
    rm -rf "$BASE"
    exit "$status"
}
trap cleanup EXIT

# Signals: before the command runs, just exit (the EXIT trap cleans up).
# While it runs, pass the signal on as SIGTERM to the command's whole process
# group (it runs in its own session, see below) and keep waiting for it, so it
# can shut down cleanly before the database disappears under it. A second
# signal kills the group outright.
# shellcheck disable=SC2317  # invoked from a trap
on_signal() {
    local sig=$1 code=$2
    if [[ -z $CHILD ]]; then
        exit "$code"
    fi
    if [[ -z $SIGNALLED ]]; then
        SIGNALLED=$sig
        log "got SIG$sig; stopping the command"
        kill -TERM -- "-$CHILD" 2>/dev/null || kill -TERM "$CHILD" 2>/dev/null || true
    else
        log "got SIG$sig again; killing the command"
        kill -KILL -- "-$CHILD" 2>/dev/null || kill -KILL "$CHILD" 2>/dev/null || true
    fi
}
trap 'on_signal INT 130' INT
trap 'on_signal TERM 143' TERM
trap 'on_signal HUP 129' HUP

# ---------------------------------------------------------------------------
# Create and start the cluster.
# ---------------------------------------------------------------------------
# A free port, asked of the OS where python3 can do it; otherwise probe random
# high ports until one refuses connections. Either way another process could
# grab it before Postgres binds, so start-up is retried on a bind failure.
pick_port() {
    local port
    if command -v python3 >/dev/null 2>&1 &&
        port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null) &&
        [[ $port =~ ^[0-9]+$ ]]; then
        echo "$port"
        return
    fi
    for _ in $(seq 100); do
        port=$((20000 + RANDOM % 30000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return
        fi
    done
    die "could not find a free TCP port"
}

# -U postgres: the superuser is called `postgres` even when a non-root user
# runs initdb (it would otherwise be named after that user). --no-sync: the
# cluster is thrown away, so there is no point waiting for the disk.
if ! as_pg "$PG_BIN/initdb" -D "$PGDATA_DIR" -U postgres --auth=trust \
    --encoding=UTF8 --no-locale --no-sync --no-instructions >"$BASE/initdb.log" 2>&1; then
    cat "$BASE/initdb.log" >&2
    die "initdb failed"
fi

# Trust auth, but only over the private unix socket and 127.0.0.1.
cat >"$PGDATA_DIR/pg_hba.conf" <<'EOF'
# TYPE  DATABASE  USER  ADDRESS        METHOD
local   all       all                  trust
host    all       all   127.0.0.1/32   trust
host    replication all 127.0.0.1/32   trust
EOF

{
    echo "# --- added by scripts/with-postgres.sh ---"
    echo "listen_addresses = '127.0.0.1'"
    echo "unix_socket_directories = '$PGDATA_DIR'"
    # #[sqlx::test] opens a pool per test, and tests run in parallel.
    echo "max_connections = 300"
    if [[ ${VG_PG_FAST:-0} == 1 ]]; then
        # Test cluster only: a crash loses nothing we care about.
        echo "fsync = off"
        echo "synchronous_commit = off"
        echo "full_page_writes = off"
    fi
} >>"$PGDATA_DIR/postgresql.conf"

# start_server DATA_DIR LOG FLAG NAME: starts the cluster in DATA_DIR on a free
# port and sets SERVER_PORT. FLAG names the variable (STARTED, STANDBY_STARTED)
# that tells the cleanup to stop it: set before each try, so that a server that
# half started is stopped too.
start_server() {
    local dir=$1 logfile=$2 flag=$3 name=$4 attempt
    for attempt in 1 2 3; do
        SERVER_PORT=$(pick_port)
        printf -v "$flag" 1
        # -w: wait until the server accepts connections (or fails).
        if as_pg "$PG_BIN/pg_ctl" -D "$dir" -l "$logfile" -o "-p $SERVER_PORT" -w -t 60 start >/dev/null 2>&1; then
            return
        fi
        printf -v "$flag" 0
        if ((attempt < 3)) && grep -q 'could not bind\|Address already in use' "$logfile" 2>/dev/null; then
            log "port $SERVER_PORT was taken; retrying with another port"
            continue
        fi
        log "$name failed to start; end of its log:"
        tail -n 30 "$logfile" >&2 || true
        exit 1
    done
}

start_server "$PGDATA_DIR" "$PG_LOG" STARTED PostgreSQL
PORT=$SERVER_PORT

# pg_ctl -w already waited; pg_isready over TCP double-checks the address the
# command will actually use.
for _ in $(seq 60); do
    if "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT" -U postgres -d postgres; then
        break
    fi
    sleep 0.5
done
if ! "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT" -U postgres -d postgres; then
    log "PostgreSQL is not accepting connections on 127.0.0.1:$PORT; end of its log:"
    tail -n 30 "$PG_LOG" >&2 || true
    exit 1
fi

"$PG_BIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres vouchgraph
export DATABASE_URL="postgres://postgres@127.0.0.1:$PORT/vouchgraph"
log "PostgreSQL $("$PG_BIN/pg_ctl" --version | awk '{print $3}') ready: $DATABASE_URL"

# ---------------------------------------------------------------------------
# The standby, when asked for.
# ---------------------------------------------------------------------------
if [[ ${VG_PG_STANDBY:-0} == 1 ]]; then
    # -R writes standby.signal and primary_conninfo; -X stream copies the WAL written
    # during the copy, so the standby starts consistent. -C -S gives the standby a
    # replication slot, so the primary keeps every WAL segment until the standby has it: the
    # test suite writes gigabytes of WAL, and without a slot a standby whose stream broke
    # off asked again for a segment the primary had already recycled, and never caught up.
    if ! as_pg "$PG_BIN/pg_basebackup" -h 127.0.0.1 -p "$PORT" -U postgres -D "$STANDBY_DIR" \
        -R -C -S vouchgraph_standby -X stream --checkpoint=fast --no-sync \
        >"$BASE/basebackup.log" 2>&1; then
        cat "$BASE/basebackup.log" >&2
        die "pg_basebackup failed"
    fi
    # The copied configuration names the primary's socket directory; the standby gets its own.
    echo "unix_socket_directories = '$STANDBY_DIR'" >>"$STANDBY_DIR/postgresql.conf"
    start_server "$STANDBY_DIR" "$BASE/standby.log" STANDBY_STARTED "the standby"
    STANDBY_PORT=$SERVER_PORT
    # Ready once it accepts read-only connections to our database (hot standby).
    for _ in $(seq 60); do
        if "$PG_BIN/psql" -qAt -h 127.0.0.1 -p "$STANDBY_PORT" -U postgres -d vouchgraph \
            -c 'select pg_is_in_recovery()' 2>/dev/null | grep -qx t; then
            break
        fi
        sleep 0.5
    done
    # And streaming through its slot, so the primary holds back the WAL it has not had.
    slot_active() {
        "$PG_BIN/psql" -qAt -h 127.0.0.1 -p "$PORT" -U postgres -d vouchgraph \
            -c "select active from pg_replication_slots where slot_name = 'vouchgraph_standby'" \
            2>/dev/null | grep -qx t
    }
    for _ in $(seq 60); do
        slot_active && break
        sleep 0.5
    done
    slot_active || die "the standby is not streaming through its replication slot"
    export DATABASE_REPLICA_URL="postgres://postgres@127.0.0.1:$STANDBY_PORT/vouchgraph"
    log "standby ready, streaming through its slot: $DATABASE_REPLICA_URL"
fi

# ---------------------------------------------------------------------------
# Run the command.
# ---------------------------------------------------------------------------
# It runs in the background so this shell can react to signals at once (a
# foreground child would delay our traps until it exits). setsid gives it a
# process group of its own, so a signal reaches everything it started (e.g.
# cargo and the test binaries) and not only the top process. Background jobs
# get /dev/null as stdin unless told otherwise, so pass ours on explicitly.
setsid "$@" <&0 &
CHILD=$!

# `wait` also returns (with 128+N) when a trapped signal interrupts it; keep
# waiting until the command has really exited.
status=0
while :; do
    wait "$CHILD" && status=0 || status=$?
    kill -0 "$CHILD" 2>/dev/null || break
done
exit "$status"
