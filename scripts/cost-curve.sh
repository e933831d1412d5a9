#!/usr/bin/env bash
# The cost curve: the search benchmark at 100k, 1M and 10M people, then the chart.
#
#   scripts/cost-curve.sh             # about 30 minutes on 2 cores; 10M needs ~9 GB of memory
#   scripts/cost-curve.sh 100000 1000000   # other sizes
#
# Each size runs `scripts/bench.sh --people N`: at 1M the whole benchmark, igraph's exact
# personalized PageRank and Postgres included, so that run alone gives every figure of
# docs/performance.md's table; below 1M without igraph; at 10M without igraph (hours) or
# Postgres (its bulk load of 140M rows alone takes most of an hour), and with 300 seekers.
# Every run writes target/bench-search-N.json (and this script keeps each report as
# target/bench-search-N.md); scripts/cost-curve.py draws docs/cost-curve.svg from them.
set -euo pipefail

cd "$(dirname "$0")/.."
sizes=("$@")
((${#sizes[@]})) || sizes=(100000 1000000 10000000)

files=()
for people in "${sizes[@]}"; do
    args=(--people "$people")
    if ((people > 1000000)); then
        args+=(--no-igraph --no-postgres --seekers 300)
    elif ((people < 1000000)); then
        args+=(--no-igraph)
    fi
    echo "cost-curve: ${args[*]}" >&2
    bash scripts/bench.sh "${args[@]}"
    cp target/bench-search.md "target/bench-search-$people.md"
    files+=("target/bench-search-$people.json")
done
python3 scripts/cost-curve.py --out docs/cost-curve.svg "${files[@]}"
