#!/usr/bin/env bash
# API fuzzing with schemathesis, against the running server's own OpenAPI document.
#
#   scripts/fuzz-api.sh [--max-examples N] [--seed S] [-- EXTRA SCHEMATHESIS ARGS...]
#
# Installs schemathesis (PyPI) into target/fuzz-venv, builds the debug binary, migrates and
# seeds the demo town, serves on a free port (with the rate limits raised: the fuzzer is one
# client sending thousands of requests), logs in as Anna and runs
#
#   schemathesis run $URL/openapi.json -H "Authorization: Bearer …" \
#       --checks not_a_server_error,response_schema_conformance --max-examples N --seed S
#
# It fails (non-zero) on any 5xx or any response that does not match its documented schema.
# Without DATABASE_URL it runs itself inside scripts/with-postgres.sh (a throwaway cluster).
# With VOUCHGRAPH_URL set it uses that (migrated, demo-seeded) server instead of starting one.
# The report (JUnit) goes to target/fuzz-report/.
#
# DELETE /v1/sessions (logout) is left out: it would end Anna's session and turn the rest of
# the run into 401s. It is covered by tests/api/sessions.rs and tests/security.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)

MAX_EXAMPLES=25
SEED=20261123
EXTRA=()
ARGS=("$@")
while (($#)); do
    case $1 in
    --max-examples) MAX_EXAMPLES=$2; shift 2 ;;
    --seed) SEED=$2; shift 2 ;;
    --) shift; EXTRA=("$@"); break ;;
    *) echo "usage: $0 [--max-examples N] [--seed S] [-- SCHEMATHESIS ARGS...]" >&2; exit 2 ;;
    esac
done

if [[ -z ${VOUCHGRAPH_URL:-} && -z ${DATABASE_URL:-} ]]; then
    exec env VG_PG_FAST=1 bash scripts/with-postgres.sh bash "$ROOT/scripts/fuzz-api.sh" "${ARGS[@]}"
fi

say() { printf '\n==> %s\n' "$*"; }

VENV=$ROOT/target/fuzz-venv
ST=$VENV/bin/schemathesis
if ! "$ST" --version >/dev/null 2>&1; then
    say "installing schemathesis into $VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check schemathesis
fi
"$ST" --version

SERVER_PID=
cleanup() {
    if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
}
trap cleanup EXIT

if [[ -z ${VOUCHGRAPH_URL:-} ]]; then
    bin=$ROOT/target/debug/vouchgraph
    say "building, migrating and seeding the demo town"
    cargo build --bin vouchgraph
    "$bin" migrate
    "$bin" seed-demo
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    mkdir -p "$ROOT/target/fuzz-report"
    # One client sends everything: the per-client limits would answer 429 after a minute's
    # share. Login throttling stays on but high enough for the fuzzer's login attempts.
    VOUCHGRAPH_ADDR=127.0.0.1:$port \
        VOUCHGRAPH_RATE_ANONYMOUS=1000000 VOUCHGRAPH_RATE_SESSION=1000000 \
        VOUCHGRAPH_RATE_PUBLISHABLE=1000000 VOUCHGRAPH_RATE_SECRET=1000000 \
        VOUCHGRAPH_LOGIN_PER_IP=1000000 VOUCHGRAPH_LOGIN_PER_ACCOUNT=1000000 \
        VOUCHGRAPH_SIGNUP_PER_IP=1000000 \
        RUST_LOG=${RUST_LOG:-warn} \
        "$bin" serve >"$ROOT/target/fuzz-report/server.log" 2>&1 &
    SERVER_PID=$!
    VOUCHGRAPH_URL=http://127.0.0.1:$port
    for _ in $(seq 120); do
        curl -fsS "$VOUCHGRAPH_URL/readyz" >/dev/null 2>&1 && break
        kill -0 "$SERVER_PID" 2>/dev/null || {
            tail -n 30 "$ROOT/target/fuzz-report/server.log" >&2
            exit 1
        }
        sleep 0.5
    done
fi
curl -fsS "$VOUCHGRAPH_URL/readyz" >/dev/null

say "logging in as Anna"
TOKEN=$(curl -fsS -X POST "$VOUCHGRAPH_URL/v1/sessions" -H 'content-type: application/json' \
    -d '{"email":"anna@demo.vouchgraph.test","password":"anna-demo-2026"}' |
    python3 -c 'import sys, json; print(json.load(sys.stdin)["token"])')

mkdir -p "$ROOT/target/fuzz-report"
say "schemathesis run $VOUCHGRAPH_URL/openapi.json -H 'Authorization: Bearer ***' --checks not_a_server_error,response_schema_conformance --max-examples $MAX_EXAMPLES --seed $SEED --exclude-operation-id logout ${EXTRA[*]}"
"$ST" run "$VOUCHGRAPH_URL/openapi.json" \
    -H "Authorization: Bearer $TOKEN" \
    --checks not_a_server_error,response_schema_conformance \
    --max-examples "$MAX_EXAMPLES" --seed "$SEED" \
    --exclude-operation-id logout \
    --request-timeout 30 \
    --report junit --report-junit-path "$ROOT/target/fuzz-report/junit.xml" \
    "${EXTRA[@]}"
