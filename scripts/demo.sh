#!/usr/bin/env bash
# Build vouchgraph and run it with demo data:
#
#   scripts/demo.sh
#
# Builds the release binary, then, against a throwaway local Postgres (see
# scripts/with-postgres.sh; your own database if DATABASE_URL is set), runs
# `vouchgraph migrate`, `vouchgraph seed-demo` and `vouchgraph serve` on
# VOUCHGRAPH_ADDR (default 127.0.0.1:8080). Ctrl-C stops the server, then the
# database, and deletes the database's files.
set -euo pipefail

# Work from the repository root whatever the caller's cwd.
cd "$(dirname "${BASH_SOURCE[0]}")/.."

export VOUCHGRAPH_ADDR=${VOUCHGRAPH_ADDR:-127.0.0.1:8080}

echo "==> cargo build --release"
cargo build --release

# The three steps run inside with-postgres.sh, which exports DATABASE_URL.
# `exec` makes the server the process that with-postgres.sh waits on, so
# Ctrl-C/SIGTERM reach it as SIGTERM; with-postgres.sh then stops Postgres.
# Single quotes on purpose: the variables are expanded by the inner shell.
# shellcheck disable=SC2016
exec bash scripts/with-postgres.sh bash -c '
    set -euo pipefail
    echo "==> vouchgraph migrate"
    target/release/vouchgraph migrate
    echo "==> vouchgraph seed-demo"
    target/release/vouchgraph seed-demo
    echo "==> vouchgraph serve: open http://$VOUCHGRAPH_ADDR/ (Ctrl-C to stop)"
    exec target/release/vouchgraph serve
'
