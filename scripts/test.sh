#!/usr/bin/env bash
# The whole test suite, in one command (CI runs exactly this via .ci/run):
#
#   scripts/test.sh
#
# Steps, each reported in a summary at the end:
#   1. cargo fmt --check
#   2. cargo clippy --all-targets -D warnings   } inside a throwaway Postgres
#   3. cargo test                                } (scripts/with-postgres.sh,
#   4. API fuzzing (schemathesis)                }  fast-but-unsafe settings),
#   5. browser tests (tests/browser)             }  or DATABASE_URL if set
# Every step runs even if an earlier one failed, so one run shows every
# problem; the exit status is non-zero if any step failed.
#
# DATABASE_URL, if you set it, must name a scratch database on a role that may
# create databases: #[sqlx::test] creates one per test, and the browser step
# migrates and seeds the database itself. The tests of an instance reading a
# streaming replica also need DATABASE_REPLICA_URL, a hot standby of that
# cluster; without one they fail, unless VG_SKIP_REPLICA=1 skips them. Without
# DATABASE_URL, the throwaway cluster comes with its standby.
set -euo pipefail

# Work from the repository root whatever the caller's cwd.
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)
SELF=$ROOT/scripts/test.sh

# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------
say() { printf '\n==> %s\n' "$*"; }
warn() { printf 'test.sh: warning: %s\n' "$*" >&2; }

# Step results are appended to a file, not kept in a variable: the database
# steps run in a second process of this script (started by with-postgres.sh)
# and their results must reach the summary printed by the first one.
record() { printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$VG_TEST_RESULTS"; }

# VG_STEPS, when set, runs only the steps whose name contains it, for a quick
# local rerun (VG_STEPS=browser bash scripts/test.sh); CI leaves it unset.
wanted() { [[ -z ${VG_STEPS:-} || $1 == *"$VG_STEPS"* ]]; }

# run_step NAME CMD [ARGS...]: run one step and record PASS or FAIL.
# The step runs in a subshell with `set -e` in force: called as `cmd || ...`
# bash would silently ignore failures inside step functions.
run_step() {
    local name=$1 start=$SECONDS rc
    shift
    if ! wanted "$name"; then
        record SKIP "$name" "not in VG_STEPS"
        return 0
    fi
    say "$name"
    set +e
    (
        set -e
        "$@"
    )
    rc=$?
    set -e
    if ((rc == 0)); then
        record PASS "$name" "$((SECONDS - start))s"
    else
        record FAIL "$name" "exit $rc after $((SECONDS - start))s"
    fi
}

# skip_step NAME REASON: record a step that did not apply to this checkout.
skip_step() {
    say "$1: skipped ($2)"
    record SKIP "$1" "$2"
}

# Install Debian packages: directly as root, through sudo otherwise. The
# package lists are refreshed once per run.
APT_UPDATED=0
apt_install() {
    local sudo=()
    if ((EUID != 0)); then
        command -v sudo >/dev/null 2>&1 || {
            echo "need root to install $* (not root and sudo is not installed)" >&2
            return 1
        }
        sudo=(sudo)
    fi
    if ((!APT_UPDATED)); then
        "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update
        APT_UPDATED=1
    fi
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y "$@"
}

# A free TCP port on 127.0.0.1: asked of the OS where python3 can, otherwise
# found by probing random high ports.
free_port() {
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
    echo "no free TCP port found" >&2
    return 1
}

# clippy and rustfmt are rustup components that a minimal toolchain may lack.
ensure_rust_components() {
    local missing=()
    cargo clippy --version >/dev/null 2>&1 || missing+=(clippy)
    cargo fmt --version >/dev/null 2>&1 || missing+=(rustfmt)
    if ((${#missing[@]} == 0)); then
        return 0
    fi
    if command -v rustup >/dev/null 2>&1; then
        say "rustup component add ${missing[*]}"
        rustup component add "${missing[@]}" || warn "could not add ${missing[*]}; the steps needing them will fail"
    else
        warn "cargo lacks ${missing[*]} and rustup is not installed; the steps needing them will fail"
    fi
}

# ---------------------------------------------------------------------------
# A running server, for the steps that test it from the outside (browser
# tests, API fuzzing). start_server builds the debug binary, migrates and
# seeds the database (like scripts/demo.sh), starts `vouchgraph mail-catcher`
# (a real SMTP listener that writes each message to a folder, exported as
# VOUCHGRAPH_MAIL_DIR) and `vouchgraph serve` sending to it, on free ports,
# waits until the server accepts connections and exports VOUCHGRAPH_URL.
# Call it inside a step (a subshell): stop_server then runs when the step ends.
# ---------------------------------------------------------------------------
SERVER_PID=
CATCHER_PID=
stop_server() {
    if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    SERVER_PID=
    if [[ -n $CATCHER_PID ]]; then
        kill -TERM "$CATCHER_PID" 2>/dev/null || true
        wait "$CATCHER_PID" 2>/dev/null || true
    fi
    CATCHER_PID=
}

start_server() {
    local log_name=$1 port bin=$ROOT/target/debug/vouchgraph
    mkdir -p "$ROOT/tests/artifacts"
    cargo build --bin vouchgraph
    "$bin" migrate
    "$bin" seed-demo
    port=$(free_port)
    mail_port=$(free_port)
    export VOUCHGRAPH_MAIL_DIR=$ROOT/tests/artifacts/mail-${log_name%.log}
    rm -rf "$VOUCHGRAPH_MAIL_DIR"
    "$bin" mail-catcher --addr "127.0.0.1:$mail_port" --dir "$VOUCHGRAPH_MAIL_DIR" \
        >"$ROOT/tests/artifacts/mail-$log_name" 2>&1 &
    CATCHER_PID=$!
    trap stop_server EXIT
    VOUCHGRAPH_ADDR=127.0.0.1:$port VOUCHGRAPH_PUBLIC_URL=http://127.0.0.1:$port \
        VOUCHGRAPH_SMTP_URL=smtp://127.0.0.1:$mail_port \
        "$bin" serve >"$ROOT/tests/artifacts/$log_name" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 120); do
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            echo "the server exited during start-up; its log (tests/artifacts/$log_name):" >&2
            tail -n 30 "$ROOT/tests/artifacts/$log_name" >&2
            return 1
        fi
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            export VOUCHGRAPH_URL=http://127.0.0.1:$port
            echo "server up at $VOUCHGRAPH_URL (log: tests/artifacts/$log_name)"
            return 0
        fi
        sleep 0.5
    done
    echo "the server did not accept connections on 127.0.0.1:$port within 60s" >&2
    return 1
}

# ---------------------------------------------------------------------------
# Steps
# ---------------------------------------------------------------------------
step_fmt() { cargo fmt --all -- --check; }
step_clippy() { cargo clippy --all-targets -- -D warnings; }
# Default targets only (lib, bins, integration tests, examples, doc tests):
# not --all-targets, which would add the criterion benches.
step_cargo_test() { cargo test; }

# --- Hook: browser tests ----------------------------------------------------
# tests/browser is a node package (playwright-core driving Debian's chromium,
# no browser download). Its `npm test` gets:
#   VOUCHGRAPH_URL  base URL of a running, migrated and demo-seeded server
#   VOUCHGRAPH_MAIL_DIR  the folder its mail catcher writes each email to
#   CHROMIUM_PATH   the chromium executable (Debian's, installed if missing;
#                   set CHROMIUM_PATH to use another)
#   ARTIFACTS_DIR   where to write screenshots etc. (git-ignored)
step_browser() {
    local chromium=${CHROMIUM_PATH:-/usr/bin/chromium}
    if [[ ! -x $chromium ]]; then
        apt_install chromium
        chromium=/usr/bin/chromium
    fi
    if ! command -v npm >/dev/null 2>&1; then
        apt_install nodejs npm
    fi
    (cd tests/browser && npm ci --no-audit --no-fund)
    # One client signs up a dozen newcomers here; the per-address limit itself is tested in
    # tests/security, not by running this suite into it.
    VOUCHGRAPH_SIGNUP_PER_IP=100 start_server browser-server.log
    mkdir -p "$ROOT/tests/artifacts/browser"
    (
        cd tests/browser
        CHROMIUM_PATH=$chromium ARTIFACTS_DIR=$ROOT/tests/artifacts/browser npm test
    )
}

# --- Hook: API fuzzing --------------------------------------------------------
# scripts/fuzz-api.sh (schemathesis from PyPI, in target/fuzz-venv) against a
# server started like the browser step's, signed in as the demo account Anna:
# every documented operation, a small fixed-seed run (well under 3 minutes),
# checks not_a_server_error and response_schema_conformance. Any 5xx or any
# response that breaks its documented schema fails the step. The per-client
# rate limits are raised for this server: the fuzzer is one client.
# The full run (>= 10,000 cases) and its results: docs/reliability.md.
FUZZ_MAX_EXAMPLES=${FUZZ_MAX_EXAMPLES:-10}
FUZZ_SEED=${FUZZ_SEED:-20261123}
step_api_fuzzing() {
    if ! command -v python3 >/dev/null 2>&1 || ! python3 -m venv --help >/dev/null 2>&1; then
        apt_install python3 python3-venv
    fi
    command -v curl >/dev/null 2>&1 || apt_install curl
    export VOUCHGRAPH_RATE_ANONYMOUS=1000000 VOUCHGRAPH_RATE_SESSION=1000000
    export VOUCHGRAPH_RATE_PUBLISHABLE=1000000 VOUCHGRAPH_RATE_SECRET=1000000
    export VOUCHGRAPH_LOGIN_PER_IP=1000000 VOUCHGRAPH_LOGIN_PER_ACCOUNT=1000000
    export VOUCHGRAPH_SIGNUP_PER_IP=1000000
    # A database of its own: what the fuzzer writes as Anna must not change what the browser
    # tests see in the demo town.
    psql "$DATABASE_URL" -qc 'drop database if exists vouchgraph_fuzz' -c 'create database vouchgraph_fuzz'
    export DATABASE_URL=${DATABASE_URL%/*}/vouchgraph_fuzz
    start_server fuzz-server.log
    bash scripts/fuzz-api.sh --max-examples "$FUZZ_MAX_EXAMPLES" --seed "$FUZZ_SEED"
}

# The steps that need a database. Runs as `test.sh --db-phase`, a command
# given to with-postgres.sh, so DATABASE_URL is set.
db_phase() {
    run_step "cargo clippy" step_clippy
    run_step "cargo test" step_cargo_test
    run_step "API fuzzing" step_api_fuzzing
    if [[ -f tests/browser/package.json ]]; then
        run_step "browser tests" step_browser
    else
        skip_step "browser tests" "no tests/browser/package.json yet"
    fi
    # Tell the first process whether anything failed.
    ! grep -q '^FAIL' "$VG_TEST_RESULTS"
}

if [[ ${1:-} == --db-phase ]]; then
    db_phase
    exit
fi

# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------
VG_TEST_RESULTS=$(mktemp "${TMPDIR:-/tmp}/vouchgraph-test-results.XXXXXX")
export VG_TEST_RESULTS
trap 'rm -f "$VG_TEST_RESULTS"' EXIT
START=$SECONDS

ensure_rust_components
run_step "cargo fmt --check" step_fmt

# One throwaway cluster for all database steps, with a streaming standby for
# the replica tests. VG_PG_FAST trades durability for speed, which is fine for
# a cluster deleted at the end.
say "starting the database steps"
# It runs in the background so that a SIGTERM sent to this script alone (a CI
# time-out, say) is passed on at once and the cluster still gets stopped; a
# foreground child would make bash sit on the signal until the child exits.
[[ -e /dev/fd/0 ]] || exec </dev/null
VG_PG_FAST=1 VG_PG_STANDBY=1 bash scripts/with-postgres.sh bash "$SELF" --db-phase <&0 &
DB_PID=$!
trap 'kill -TERM "$DB_PID" 2>/dev/null || true' INT TERM HUP
db_rc=0
while :; do
    wait "$DB_PID" && db_rc=0 || db_rc=$?
    kill -0 "$DB_PID" 2>/dev/null || break
done
trap - INT TERM HUP
if ((db_rc != 0)) && ! grep -q '^FAIL' "$VG_TEST_RESULTS"; then
    # No step reported a failure, so the phase as a whole did: it was
    # interrupted, or the database could not be started.
    if ((db_rc > 128)); then
        record FAIL "database steps" "interrupted (exit $db_rc)"
    else
        record FAIL "database steps" "exit $db_rc (see the with-postgres messages above)"
    fi
fi

# The summary avoids the "N passed, N failed" shape on purpose: these are
# steps, not tests, and CI reads that shape as a test count.
printf '\n==================== test.sh summary ====================\n'
failed=()
while IFS=$'\t' read -r status name detail; do
    printf '  %-4s  %-22s %s\n' "$status" "$name" "$detail"
    if [[ $status == FAIL ]]; then
        failed+=("$name")
    fi
done <"$VG_TEST_RESULTS"
printf '==========================================================\n'
if ((${#failed[@]} == 0)); then
    echo "test.sh: all steps passed in $((SECONDS - START))s"
else
    printf -v list '%s, ' "${failed[@]}"
    echo "test.sh: FAILED: ${list%, }"
    exit 1
fi
