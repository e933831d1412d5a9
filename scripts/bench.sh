#!/usr/bin/env bash
# The search benchmark (benches/search.rs), with everything it compares against.
#
#   scripts/bench.sh [--quick] [BENCH ARGS...]     e.g. scripts/bench.sh --quick
#   scripts/bench.sh -- --help                     lists the bench's arguments
#
# 1. Makes a Python venv in target/bench-venv with igraph and numpy (once), for the exact
#    personalized PageRank reference (benches/igraph_ppr.py).
# 2. Starts a throwaway Postgres (scripts/with-postgres.sh) and runs
#    `cargo bench --bench search -- ARGS` against it.
# The report is printed and written to target/bench-search.md; docs/performance.md explains it.
#
# Environment knobs:
#   VG_BENCH_PYTHON=PATH   a python that already has igraph and numpy; no venv is made.
set -euo pipefail

cd "$(dirname "$0")/.."

if [[ -z ${VG_BENCH_PYTHON:-} ]]; then
    venv=target/bench-venv
    if ! "$venv/bin/python" -c 'import igraph, numpy' 2>/dev/null; then
        echo "bench: making $venv with igraph and numpy" >&2
        python3 -m venv "$venv"
        "$venv/bin/pip" install --quiet igraph numpy
    fi
    VG_BENCH_PYTHON=$PWD/$venv/bin/python
fi
export VG_BENCH_PYTHON

# "--" alone is how `scripts/bench.sh -- --help` reaches the bench; drop it.
[[ ${1:-} == -- ]] && shift

# VG_PG_FAST: the cluster is thrown away, so it need not make the bulk load durable. It only
# changes how writes are flushed; the timed reads (load_snapshot, the CTE) are unaffected.
VG_PG_FAST=1 exec bash scripts/with-postgres.sh cargo bench --bench search -- "$@"
