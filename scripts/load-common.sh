# Shared by scripts/load.sh and scripts/flood.sh (sourced, not run): the tools they need, the
# release build, and a server pinned to CPU 0 that is stopped when the script exits.
#
# Expects ROOT (the project folder). Sets bin, OUT and, after start_pinned_server, URL and
# SERVER_PID.

command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install -y wrk)" >&2; exit 1; }
command -v oha >/dev/null || { echo "oha is not installed (cargo install oha --locked)" >&2; exit 1; }
command -v taskset >/dev/null || { echo "taskset is not installed (util-linux)" >&2; exit 1; }

say() { printf '\n==> %s\n' "$*"; }

bin=$ROOT/target/release/vouchgraph
OUT=$ROOT/target/load
mkdir -p "$OUT"

# Builds the release binary and migrates the database.
build_and_migrate() {
    cargo build --release --bin vouchgraph
    "$bin" migrate
}

# start_pinned_server LOG_NAME READY_TIMEOUT_SECS [VAR=value...]: starts `vouchgraph serve` on
# a free port, pinned to CPU 0, with the given extra environment, and waits until /readyz
# answers 200 (the trust graph is in memory).
start_pinned_server() {
    local log=$OUT/$1 timeout=$2 port started
    shift 2
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    URL=http://127.0.0.1:$port
    env VOUCHGRAPH_ADDR=127.0.0.1:$port RUST_LOG="${RUST_LOG:-warn}" "$@" \
        taskset -c 0 "$bin" serve >"$log" 2>&1 &
    SERVER_PID=$!
    trap 'kill -TERM "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true' EXIT
    started=$SECONDS
    until curl -fsS "$URL/readyz" >/dev/null 2>&1; do
        kill -0 "$SERVER_PID" 2>/dev/null || { echo "the server exited; see $log" >&2; exit 1; }
        ((SECONDS - started < timeout)) || { echo "the server was not ready after $timeout s" >&2; exit 1; }
        sleep 0.5
    done
    echo "server ready after $((SECONDS - started)) s"
}
