#!/usr/bin/env bash
# Load test of the search endpoint: saturated throughput with wrk, and latency at a fixed
# offered rate with oha; or, with --mix realistic, of many seekers sending a mix of requests.
#
#   scripts/load.sh [--graph demo|1m] [--mix single|realistic] [--seekers N] [--rate N]
#                   [DURATION] [CONNECTIONS]
#
#   --graph demo   the demo town (2,000 people; the default)
#   --graph 1m     the benchmark's synthetic network: 1,000,000 people, 12,000,000 trust edges
#                  (`vouchgraph seed-synthetic`; seeding takes a few minutes, the server's
#                  start-up load 10-20 s)
#   --mix single   one signed-in seeker and anonymous, one search URL (the default; below)
#   --mix realistic  many signed-in seekers and a mix of requests (further below)
#   --seekers N    how many seekers the realistic mix signs in (default 1000)
#   --rate N       the fixed offered rate of the oha runs, and the paced rate of the realistic
#                  mix, requests/s (default 3000)
#   DURATION       per scenario (default 30s); CONNECTIONS (default 32), keep-alive
#   LOAD_GRAPH, LOAD_MIX, LOAD_SEEKERS and LOAD_RATE set the same as the options.
#
# Release build, the server pinned to CPU 0 (`taskset -c 0`), the load generator to CPU 1.
# --mix single: four scenarios, each signed in as the graph's seeker (Authorization: Bearer;
# personalized ranking with trust-path explanations) and anonymous (the global prior):
#   saturated    wrk, one thread, CONNECTIONS connections, as fast as the server answers:
#                the maximum throughput. Its latencies are mostly time spent queueing behind
#                the other connections, since every connection sends again as soon as it is
#                answered.
#   fixed rate   oha -q RATE with latency correction (a request's latency counts from when the
#                schedule says it should have been sent, so a stalled server cannot hide its
#                stall by delaying the requests behind it): the latency at that load.
# The figures go to target/load/results-GRAPH.md as a Markdown table.
#
# --mix realistic: scripts/load-mix.py draws SEEKERS people, each with probability
# proportional to their activity (how many people they trust plus how many vouches they made;
# people who do neither never search), gives each a real session (a random token whose SHA-256
# is inserted into `sessions`, as signing in does, plus an account for those without one), and
# draws 20,000 requests, each from a seeker again in proportion to activity, of three kinds:
#   70% search       GET /v1/search?trade=..&lat=..&lon=..  (trades in proportion to their
#                    vouches; at the seeker's home, or at a provider of the trade)
#   15% why          GET /v1/providers/ID/why?trade=..  (mostly providers that people the
#                    seeker trusts recommend)
#   15% provider     GET /v1/providers/ID  (chosen as for why)
# It sends a sample of each kind once and stops unless all answer 200 for the right seeker.
# wrk then sends them, each with its seeker's bearer token (scripts/load-mix.lua), from the
# first in order and in a cycle, in six runs: a first pass, every request once, in which each
# seeker's first request computes their walk; the mix saturated; the mix paced at RATE
# requests/s (wrk, latency from when each request was sent, so without oha's latency
# correction: an overloaded server shows as fewer requests/s than offered); and each kind
# alone, saturated. Requests are independent draws: consecutive requests of one seeker (a
# search, then why for a result) are not modelled. The figures go to
# target/load/results-GRAPH-realistic.md, with what was drawn and the sample's check.
#
# The per-client rate limits (VOUCHGRAPH_RATE_SESSION=2400 and VOUCHGRAPH_RATE_ANONYMOUS=1200
# per minute by default) would turn nearly every request of a one-client load test into a 429,
# so they are raised for this run (scripts/flood.sh tests the limits themselves). Without
# DATABASE_URL it runs itself inside scripts/with-postgres.sh. Needs wrk (apt-get install -y
# wrk), oha (cargo install oha --locked), taskset, two CPUs, and for --mix realistic psql.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)
GRAPH=${LOAD_GRAPH:-demo}
MIX=${LOAD_MIX:-single}
SEEKERS=${LOAD_SEEKERS:-1000}
RATE=${LOAD_RATE:-3000}
ARGS=("$@")
POSITIONAL=()
while (($#)); do
    case $1 in
        --graph) GRAPH=$2; shift 2 ;;
        --graph=*) GRAPH=${1#--graph=}; shift ;;
        --mix) MIX=$2; shift 2 ;;
        --mix=*) MIX=${1#--mix=}; shift ;;
        --seekers) SEEKERS=$2; shift 2 ;;
        --seekers=*) SEEKERS=${1#--seekers=}; shift ;;
        --rate) RATE=$2; shift 2 ;;
        --rate=*) RATE=${1#--rate=}; shift ;;
        -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) POSITIONAL+=("$1"); shift ;;
    esac
done
DURATION=${POSITIONAL[0]:-30s}
CONNECTIONS=${POSITIONAL[1]:-32}
case $GRAPH in
    demo | 1m) ;;
    *) echo "--graph must be demo or 1m, not $GRAPH" >&2; exit 2 ;;
esac
case $MIX in
    single | realistic) ;;
    *) echo "--mix must be single or realistic, not $MIX" >&2; exit 2 ;;
esac

if [[ -z ${DATABASE_URL:-} ]]; then
    exec env VG_PG_FAST=1 bash scripts/with-postgres.sh bash "$ROOT/scripts/load.sh" "${ARGS[@]}"
fi
# shellcheck source=scripts/load-common.sh
source "$ROOT/scripts/load-common.sh"

say "building (release), migrating and seeding the $GRAPH graph"
build_and_migrate
if [[ $GRAPH == demo ]]; then
    "$bin" seed-demo
    EMAIL=anna@demo.vouchgraph.test PASSWORD=anna-demo-2026
    QUERY="trade=tiler&lat=51.47&lon=-2.60"
else
    "$bin" seed-synthetic --people 1000000 | tee "$OUT/seed-1m.txt"
    # seed-synthetic prints the seeker's credentials and a search that reaches their network:
    #   seeker: person N (...), trusts K people; sign in as EMAIL / PASSWORD
    #   search: /v1/search?QUERY (...)
    read -r EMAIL PASSWORD < <(sed -n 's|^seeker: .*sign in as \([^ ]*\) / \([^ ]*\)$|\1 \2|p' "$OUT/seed-1m.txt")
    QUERY=$(sed -n 's|^search: /v1/search?\([^ ]*\) .*|\1|p' "$OUT/seed-1m.txt")
    [[ -n $EMAIL && -n $QUERY ]] || { echo "could not read the seeker from seed-synthetic's output" >&2; exit 1; }
fi
if [[ $MIX == realistic ]]; then
    say "drawing $SEEKERS seekers and their requests, and minting their sessions"
    python3 "$ROOT/scripts/load-mix.py" prepare "$OUT/mix-$GRAPH" --seekers "$SEEKERS"
fi

# /readyz answers 200 once the trust graph is in memory: a second for the demo town, 10-20 s
# for a million people on one core. Give up after five minutes.
start_pinned_server "server-$GRAPH.log" 300 \
    VOUCHGRAPH_RATE_ANONYMOUS=100000000 VOUCHGRAPH_RATE_SESSION=100000000

# Starts the Markdown table in RESULTS.
table_header() {
    {
        echo "| scenario | graph | load | requests/s | p50 | p90 | p99 | max | non-200 |"
        echo "|---|---|---|---|---|---|---|---|---|"
    } >"$RESULTS"
}

# Appends to RESULTS the row of a wrk run: its output file (with the RESULT line the Lua
# scripts print), the scenario, and the load.
wrk_row() {
    python3 - "$1" "$2" "$GRAPH" "$3" >>"$RESULTS" <<'PY'
import sys
path, scenario, graph, load = sys.argv[1:]
line = next(l for l in open(path) if l.startswith("RESULT "))
f = dict(kv.split("=") for kv in line.split()[1:])
print(f"| {scenario} | {graph} | {load} | {int(f['rps']):,} | {f['p50']} ms"
      f" | {f['p90']} ms | {f['p99']} ms | {f['max']} ms | {f['non200']} of {int(f['total']):,} |")
PY
}

if [[ $MIX == realistic ]]; then
    REQUESTS=$OUT/mix-$GRAPH/mix-requests.tsv
    # Each kind must answer 200 for its own seeker before it is measured (a 401 would be fast
    # and meaningless).
    python3 "$ROOT/scripts/load-mix.py" check "$URL" "$REQUESTS" | tee "$OUT/mix-$GRAPH/check.txt"
    RESULTS=$OUT/results-$GRAPH-realistic.md
    table_header
    # mix_run NAME DURATION SCENARIO LOAD [VAR=value...]: wrk with scripts/load-mix.lua and
    # the given environment (VG_LOAD_PACE, VG_LOAD_KIND, VG_LOAD_ONCE). Notes how many
    # compilers were running as each run started, for the report.
    compilers=()
    mix_run() {
        local file=$OUT/$GRAPH-realistic-$1.txt duration=$2 scenario=$3 load=$4
        shift 4
        say "$scenario, $GRAPH graph: $duration, $CONNECTIONS connections, server on CPU 0, wrk on CPU 1"
        compilers+=("$(($(pgrep -cx rustc || true) + $(pgrep -cx clippy-driver || true)))")
        env VG_LOAD_REQUESTS="$REQUESTS" VG_WRK_REPORT="$ROOT/scripts/wrk-report.lua" "$@" taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d"$duration" \
            --latency -s "$ROOT/scripts/load-mix.lua" "$URL/" | tee "$file"
        wrk_row "$file" "$scenario" "$load"
    }
    seekers=$(python3 -c 'import sys; print(f"{int(sys.argv[1]):,}")' "$SEEKERS")
    rate=$(python3 -c 'import sys; print(f"{int(sys.argv[1]):,}")' "$RATE")
    # The first pass computes each seeker's walk on their first request (wrk stops once every
    # request is answered; 600 s at most); later passes find it remembered while the walk
    # cache holds it.
    mix_run mix-first-pass 600s "mix, first pass: each request once, walks not yet remembered" \
        "wrk, $CONNECTIONS connections, $seekers seekers" VG_LOAD_ONCE=1
    mix_run mix-saturated "$DURATION" "mix (70% search, 15% why, 15% provider), saturated" \
        "wrk, $CONNECTIONS connections, $seekers seekers"
    mix_run mix-paced "$DURATION" "mix, paced" "wrk, $rate/s offered, $CONNECTIONS connections" \
        VG_LOAD_PACE="$RATE"
    mix_run search "$DURATION" "search only, saturated" "wrk, $CONNECTIONS connections" VG_LOAD_KIND=search
    mix_run why "$DURATION" "why only, saturated" "wrk, $CONNECTIONS connections" VG_LOAD_KIND=why
    mix_run page "$DURATION" "provider page only, saturated" "wrk, $CONNECTIONS connections" \
        VG_LOAD_KIND=page
    {
        echo
        cat "$OUT/mix-$GRAPH/mix-summary.md"
        echo "- $(cat "$OUT/mix-$GRAPH/check.txt")"
        echo "- machine: $(nproc) CPUs ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1))," \
            "$(free -g | awk '/^Mem:/ {print $2}') GiB; compilers (rustc, clippy-driver) running as" \
            "each run started: ${compilers[*]}; load average at the end: $(cut -d ' ' -f 1-3 /proc/loadavg)"
    } >>"$RESULTS"
    say "figures (also in $RESULTS)"
    cat "$RESULTS"
    exit 0
fi

TOKEN=$(curl -fsS -X POST "$URL/v1/sessions" -H 'content-type: application/json' \
    -d "{\"email\":\"$EMAIL\",\"password\":\"$PASSWORD\"}" |
    python3 -c 'import sys, json; print(json.load(sys.stdin)["token"])')
SEARCH="$URL/v1/search?$QUERY"
# Both must answer 200 with results before they are measured (a 401 or 429 would be fast and
# meaningless); the signed-in answer must be personalized, with trust paths.
curl -fsS -H "Authorization: Bearer $TOKEN" "$SEARCH" >"$OUT/sample-$GRAPH-signed-in.json"
curl -fsS "$SEARCH" >"$OUT/sample-$GRAPH-anonymous.json"
python3 - "$OUT/sample-$GRAPH-signed-in.json" "$OUT/sample-$GRAPH-anonymous.json" <<'PY'
import json, sys
signed_in, anonymous = (json.load(open(p)) for p in sys.argv[1:])
assert signed_in["results"] and anonymous["results"], "a search came back empty"
first = signed_in["results"][0]
paths = sum(len(r.get("paths", [])) for r in signed_in["results"])
assert paths > 0, "the signed-in search has no trust paths"
print(f"signed in: {len(signed_in['results'])} results, {paths} trust paths; first: {first['name']}"
      f" (personal {first['personal']:.4f}): {first['paths'][0]['text'] if first.get('paths') else '-'}")
print(f"anonymous: {len(anonymous['results'])} results")
PY

# Prints one machine-readable line per run, from which the table rows are made.

RESULTS=$OUT/results-$GRAPH.md
table_header

# wrk, saturated: NAME then extra wrk arguments.
saturated() {
    local name=$1
    shift
    say "$name, $GRAPH graph, saturated: $DURATION, $CONNECTIONS connections, server on CPU 0, wrk on CPU 1"
    taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --latency -s "$ROOT/scripts/wrk-report.lua" "$@" "$SEARCH" |
        tee "$OUT/$GRAPH-$name-saturated.txt"
    wrk_row "$OUT/$GRAPH-$name-saturated.txt" "$name, saturated" "wrk, $CONNECTIONS connections"
}

# oha at a fixed rate: NAME then extra oha arguments.
fixed_rate() {
    local name=$1
    shift
    say "$name, $GRAPH graph, fixed rate $RATE/s: $DURATION, $CONNECTIONS connections, oha on CPU 1"
    taskset -c 1 oha -z "$DURATION" -c "$CONNECTIONS" -q "$RATE" --latency-correction \
        --no-tui --output-format json "$@" "$SEARCH" >"$OUT/$GRAPH-$name-rate.json"
    python3 - "$OUT/$GRAPH-$name-rate.json" "$name" "$GRAPH" "$CONNECTIONS" "$RATE" <<'PY' | tee -a "$RESULTS"
import json, sys
path, name, graph, connections, rate = sys.argv[1:]
r = json.load(open(path))
s, p = r["summary"], r["latencyPercentiles"]
codes = {int(k): v for k, v in r.get("statusCodeDistribution", {}).items()}
# oha cuts off the requests in flight when the time is up; those are no answer of the server's.
errors = sum(n for e, n in r.get("errorDistribution", {}).items() if e != "aborted due to deadline")
total = sum(codes.values()) + errors
ms = lambda x: f"{x * 1000:.2f} ms"
print(f"| {name}, fixed rate | {graph} | oha, {int(rate):,}/s offered, {connections} connections"
      f" | {s['requestsPerSec']:,.0f} | {ms(p['p50'])} | {ms(p['p90'])} | {ms(p['p99'])} | {ms(s['slowest'])}"
      f" | {total - codes.get(200, 0)} of {total:,} |")
PY
}

saturated signed-in -H "Authorization: Bearer $TOKEN"
saturated anonymous
fixed_rate signed-in -H "Authorization: Bearer $TOKEN"
fixed_rate anonymous

say "figures (also in $RESULTS)"
cat "$RESULTS"
