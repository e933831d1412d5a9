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

# The steps run inside with-postgres.sh, which exports DATABASE_URL. The
# town's email goes to vouchgraph's own mail catcher, an SMTP listener on
# 127.0.0.1:2525 that writes each message to target/demo-mail/ as an .eml file
# (open one in any mail program, or read it as text). Set VOUCHGRAPH_SMTP_URL to
# send through a real relay instead. Ctrl-C reaches the server as SIGTERM; the
# catcher stops with it, then with-postgres.sh stops Postgres.
# Single quotes on purpose: the variables are expanded by the inner shell.
# shellcheck disable=SC2016
exec bash scripts/with-postgres.sh bash -c '
    set -euo pipefail
    echo "==> vouchgraph migrate"
    target/release/vouchgraph migrate
    echo "==> vouchgraph seed-demo"
    target/release/vouchgraph seed-demo
    catcher=
    if [[ -z "${VOUCHGRAPH_SMTP_URL:-}" ]]; then
        echo "==> vouchgraph mail-catcher: every email the town sends lands in target/demo-mail/"
        target/release/vouchgraph mail-catcher --addr 127.0.0.1:2525 --dir target/demo-mail &
        catcher=$!
        export VOUCHGRAPH_SMTP_URL=smtp://127.0.0.1:2525
    fi
    echo "==> vouchgraph serve: open http://$VOUCHGRAPH_ADDR/ (Ctrl-C to stop)"
    target/release/vouchgraph serve &
    server=$!
    trap "kill -TERM $server 2>/dev/null || true" INT TERM
    status=0
    wait "$server" || status=$?
    # A signal interrupts the first wait; the second waits for the server to finish.
    wait "$server" 2>/dev/null || true
    [[ -n "$catcher" ]] && kill "$catcher" 2>/dev/null || true
    exit "$status"
'
