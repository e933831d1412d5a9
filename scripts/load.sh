#!/usr/bin/env bash
# Load test of the search endpoint with wrk.
#
#   scripts/load.sh [DURATION] [CONNECTIONS]     (defaults: 30s, 32)
#
# Release build, the demo town, the server pinned to CPU 0 (`taskset -c 0`) and wrk pinned to
# CPU 1 with keep-alive connections, against
#   GET /v1/search?trade=tiler&lat=51.47&lon=-2.60
# once signed in as Anna (Authorization: Bearer) and once anonymous. Prints wrk's requests/s
# and latency distribution (--latency: p50/p75/p90/p99).
#
# The per-client rate limits (VOUCHGRAPH_RATE_SESSION=2400 and VOUCHGRAPH_RATE_ANONYMOUS=1200
# per minute by default) would turn nearly every request of a one-client load test into a 429,
# so they are raised for this run. Without DATABASE_URL it runs itself inside
# scripts/with-postgres.sh. Needs wrk (apt-get install -y wrk) and taskset, and two CPUs.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)
DURATION=${1:-30s}
CONNECTIONS=${2:-32}

if [[ -z ${DATABASE_URL:-} ]]; then
    exec env VG_PG_FAST=1 bash scripts/with-postgres.sh bash "$ROOT/scripts/load.sh" "$@"
fi
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install -y wrk)" >&2; exit 1; }
command -v taskset >/dev/null || { echo "taskset is not installed (util-linux)" >&2; exit 1; }

say() { printf '\n==> %s\n' "$*"; }

bin=$ROOT/target/release/vouchgraph
say "building (release), migrating and seeding the demo town"
cargo build --release --bin vouchgraph
"$bin" migrate
"$bin" seed-demo

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
URL=http://127.0.0.1:$port
mkdir -p "$ROOT/target/load"
VOUCHGRAPH_ADDR=127.0.0.1:$port \
    VOUCHGRAPH_RATE_ANONYMOUS=100000000 VOUCHGRAPH_RATE_SESSION=100000000 \
    RUST_LOG=${RUST_LOG:-warn} \
    taskset -c 0 "$bin" serve >"$ROOT/target/load/server.log" 2>&1 &
SERVER_PID=$!
trap 'kill -TERM "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true' EXIT
for _ in $(seq 120); do
    curl -fsS "$URL/readyz" >/dev/null 2>&1 && break
    sleep 0.5
done
curl -fsS "$URL/readyz" >/dev/null

TOKEN=$(curl -fsS -X POST "$URL/v1/sessions" -H 'content-type: application/json' \
    -d '{"email":"anna@demo.vouchgraph.test","password":"anna-demo-2026"}' |
    python3 -c 'import sys, json; print(json.load(sys.stdin)["token"])')
SEARCH="$URL/v1/search?trade=tiler&lat=51.47&lon=-2.60"
# Both must answer 200 before they are measured (a 401 or 429 would be fast and meaningless).
curl -fsS -o /dev/null -H "Authorization: Bearer $TOKEN" "$SEARCH"
curl -fsS -o /dev/null "$SEARCH"

# Counts non-2xx answers, which wrk reports but does not fail on.
cat >"$ROOT/target/load/count.lua" <<'LUA'
local bad = 0
response = function(status, headers, body)
  if status ~= 200 then bad = bad + 1 end
end
done = function(summary, latency, requests)
  io.write(string.format("non-200 answers: %d (wrk socket errors: connect %d read %d write %d timeout %d)\n",
    summary.errors.status, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.timeout))
end
LUA

say "signed in as Anna: $DURATION, $CONNECTIONS connections, server on CPU 0, wrk on CPU 1"
taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --latency \
    -H "Authorization: Bearer $TOKEN" -s "$ROOT/target/load/count.lua" "$SEARCH" |
    tee "$ROOT/target/load/anna.txt"

say "anonymous: $DURATION, $CONNECTIONS connections"
taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --latency \
    -s "$ROOT/target/load/count.lua" "$SEARCH" |
    tee "$ROOT/target/load/anonymous.txt"
