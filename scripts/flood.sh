#!/usr/bin/env bash
# A request flood from one partner key is rate limited, and another partner's key barely
# notices.
#
#   scripts/flood.sh [FLOOD_DURATION] [VICTIM_DURATION] [VICTIM_RATE]   (defaults: 30s, 20s, 50)
#
# Release build, the demo town, the server pinned to CPU 0 with the default partner limits
# (VOUCHGRAPH_RATE_SECRET: 6,000 requests a minute per secret key; they are not raised here,
# that is the point), both load generators pinned to CPU 1. Two partners, each with a secret
# key, call the widget list (GET /v1/widget/list?trade=tiler&lat=51.47&lon=-2.60, X-Vouchgraph-Key:
# sk_...), the route a partner's server uses to show ranked providers:
#
#   1. before   the second partner's key alone, at a fixed VICTIM_RATE requests/s (oha -q,
#               latency-corrected): its p50/p99 without a flood.
#   2. during   the first partner's key floods the same route with wrk (one thread, 64
#               keep-alive connections, as fast as the server answers) for FLOOD_DURATION;
#               5 s in, the second key is measured again the same way.
#
# Reports the flooding key's share of 429 answers and the second key's latency before vs
# during. The limiter is a GCRA with a burst of the whole minute's quota, so the flood gets its
# first 6,000 requests at once and then one every 10 ms; everything else is answered 429 before
# the key is even looked up (src/ratelimit). The second key has a bucket of its own, so what it
# can lose is only CPU: the server's one core spends it answering the flood's 429s.
#
# Without DATABASE_URL it runs itself inside scripts/with-postgres.sh. Needs wrk, oha
# (cargo install oha --locked), taskset, and two CPUs. Figures go to target/load/flood.md.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)
FLOOD_DURATION=${1:-30s}
VICTIM_DURATION=${2:-20s}
VICTIM_RATE=${3:-50}

if [[ -z ${DATABASE_URL:-} ]]; then
    exec env VG_PG_FAST=1 bash scripts/with-postgres.sh bash "$ROOT/scripts/flood.sh" "$@"
fi
# shellcheck source=scripts/load-common.sh
source "$ROOT/scripts/load-common.sh"

say "building (release), migrating and seeding the demo town"
build_and_migrate
"$bin" seed-demo >/dev/null

# Only the partner limits matter here; the defaults of the others are kept too.
start_pinned_server server-flood.log 120

json() { python3 -c "import sys, json; print(json.load(sys.stdin)$1)"; }

# A partner owner's account, the partner and a secret key; prints the key.
partner_key() {
    local who=$1 token partner
    curl -fsS "$URL/v1/accounts" -H 'content-type: application/json' \
        -d "{\"email\":\"$who@flood.test\",\"password\":\"flood test $who 2026\",\"display_name\":\"$who\"}" >/dev/null
    token=$(curl -fsS "$URL/v1/sessions" -H 'content-type: application/json' \
        -d "{\"email\":\"$who@flood.test\",\"password\":\"flood test $who 2026\"}" | json '["token"]')
    partner=$(curl -fsS "$URL/v1/partners" -H "authorization: Bearer $token" \
        -H 'content-type: application/json' -d "{\"name\":\"$who\",\"allowed_origins\":[]}" | json '["id"]')
    curl -fsS "$URL/v1/partners/$partner/keys" -H "authorization: Bearer $token" \
        -H 'content-type: application/json' -d '{"kind":"secret"}' | json '["key"]'
}
FLOODER=$(partner_key flooder)
VICTIM=$(partner_key victim)
LIST="$URL/v1/widget/list?trade=tiler&lat=51.47&lon=-2.60"
curl -fsS -o /dev/null -H "x-vouchgraph-key: $FLOODER" "$LIST"
curl -fsS -o /dev/null -H "x-vouchgraph-key: $VICTIM" "$LIST"

# The second key at a fixed rate, for VICTIM_DURATION; writes NAME.json.
victim() {
    taskset -c 1 oha -z "$VICTIM_DURATION" -c 4 -q "$VICTIM_RATE" --latency-correction \
        --no-tui --output-format json -H "x-vouchgraph-key: $VICTIM" "$LIST" >"$OUT/flood-victim-$1.json"
}

say "before: the second key alone, $VICTIM_RATE requests/s for $VICTIM_DURATION"
victim before

cat >"$OUT/flood.lua" <<'LUA'
ok, limited, other = 0, 0, 0
response = function(status, headers, body)
  if status == 200 then ok = ok + 1 elseif status == 429 then limited = limited + 1 else other = other + 1 end
end
-- wrk runs response() in each thread's Lua state and done() in another, so the counts are
-- read back through the thread objects (which pass numbers, not tables).
local threads = {}
setup = function(thread) table.insert(threads, thread) end
done = function(summary, latency, requests)
  local s200, s429, rest = 0, 0, 0
  for _, thread in ipairs(threads) do
    s200 = s200 + thread:get("ok")
    s429 = s429 + thread:get("limited")
    rest = rest + thread:get("other")
  end
  io.write(string.format("RESULT requests=%d seconds=%.1f s200=%d s429=%d other=%d p50=%.2f p99=%.2f\n",
    summary.requests, summary.duration / 1e6, s200, s429, rest,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
LUA

say "during: the first key floods for $FLOOD_DURATION (wrk, 64 connections); the second key is measured again from 5 s in"
taskset -c 1 wrk -t1 -c64 -d"$FLOOD_DURATION" --latency -s "$OUT/flood.lua" \
    -H "x-vouchgraph-key: $FLOODER" "$LIST" >"$OUT/flood-wrk.txt" &
FLOOD_PID=$!
sleep 5
victim during
wait "$FLOOD_PID"
cat "$OUT/flood-wrk.txt"

python3 - "$OUT" "$VICTIM_RATE" <<'PY' | tee "$OUT/flood.md"
import json, sys
out, rate = sys.argv[1:]
line = next(l for l in open(f"{out}/flood-wrk.txt") if l.startswith("RESULT "))
f = dict(kv.split("=") for kv in line.split()[1:])
total, seconds = int(f["requests"]), float(f["seconds"])
limited, ok, other = int(f["s429"]), int(f["s200"]), int(f["other"])
print(f"flooding key: {total:,} requests in {seconds:.0f} s ({total / seconds:,.0f}/s); "
      f"{limited:,} answered 429 ({100 * limited / total:.1f}%), {ok:,} answered 200, {other} other; "
      f"p50 {f['p50']} ms, p99 {f['p99']} ms")
print()
print(f"| second key, {rate} requests/s | requests | p50 | p90 | p99 | max | non-200 |")
print("|---|---|---|---|---|---|---|")
for phase in ("before", "during"):
    r = json.load(open(f"{out}/flood-victim-{phase}.json"))
    s, p = r["summary"], r["latencyPercentiles"]
    codes = {int(k): v for k, v in r.get("statusCodeDistribution", {}).items()}
    # oha cuts off the requests in flight when the time is up: not answers, not counted.
    n = sum(codes.values()) + sum(v for e, v in r.get("errorDistribution", {}).items() if e != "aborted due to deadline")
    ms = lambda x: f"{x * 1000:.2f} ms"
    print(f"| {phase} the flood | {n:,} | {ms(p['p50'])} | {ms(p['p90'])} | {ms(p['p99'])} | {ms(s['slowest'])} | {n - codes.get(200, 0)} |")
PY
