#!/usr/bin/env bash
# Coverage-guided fuzzing (cargo-fuzz, libFuzzer) of the import parsers and the HTTP query
# parameters, each target for a fixed time.
#
#   scripts/fuzz-parsers.sh [SECONDS_PER_TARGET] [TARGET...]     default: 60 s, every target
#   scripts/fuzz-parsers.sh 120                                   the reliability figures' run
#   scripts/fuzz-parsers.sh 30 import_generic http_query
#
# The targets (fuzz/fuzz_targets/, each says what it checks):
#   import_table      the row reader under every format (src/import/table.rs)
#   import_advogato   KONECT Advogato, names and edges (src/import/advogato.rs)
#   import_bitcoin    SNAP Bitcoin OTC/Alpha CSV (src/import/bitcoin.rs)
#   import_generic    truster,trustee[,weight] (src/import/generic.rs)
#   evaluate_data     `vouchgraph predict` ratings and queries (src/evaluate/data.rs)
#   http_query        the API's query strings through the Query extractor and the handlers'
#                     validation (src/http/{search,people,referrals,insights,notifications}.rs)
#
# Installs cargo-fuzz (crates.io) and the nightly toolchain if missing, builds every target
# with nightly, then runs each as
#
#   cargo +nightly fuzz run TARGET fuzz/corpus/TARGET fuzz/corpus-seeds/TARGET -- \
#       -max_total_time=SECONDS -max_len=4096 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
#
# The live corpus grows in fuzz/corpus/ (kept between runs, not committed); the committed seeds
# in fuzz/corpus-seeds/ are a few dozen real lines of each format. A crash leaves its input in
# fuzz/artifacts/TARGET/; replay it with `cargo +nightly fuzz run TARGET ARTIFACT`. Each run's
# log is fuzz/logs/TARGET.log. Exits non-zero if any target crashed, and prints per target the
# executions, executions per second and final coverage.
#
# Environment knobs:
#   VG_FUZZ_NICE=N       the niceness of builds and runs (default 15)
#   CARGO_TARGET_DIR     where the instrumented build goes (default fuzz/target)
set -euo pipefail

cd "$(dirname "$0")/.."

SECONDS_PER_TARGET=${1:-60}
shift || true
ALL_TARGETS=(import_table import_advogato import_bitcoin import_generic evaluate_data http_query)
TARGETS=("$@")
((${#TARGETS[@]})) || TARGETS=("${ALL_TARGETS[@]}")
[[ $SECONDS_PER_TARGET =~ ^[0-9]+$ ]] || {
    echo "usage: $0 [SECONDS_PER_TARGET] [TARGET...]" >&2
    exit 2
}
NICE=${VG_FUZZ_NICE:-15}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/fuzz/target}

if ! rustup toolchain list | grep -q '^nightly'; then
    echo "fuzz: installing the nightly toolchain" >&2
    rustup toolchain install nightly --profile minimal
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "fuzz: installing cargo-fuzz" >&2
    nice -n "$NICE" cargo install cargo-fuzz --locked
fi

echo "fuzz: building ${TARGETS[*]}" >&2
for target in "${TARGETS[@]}"; do
    nice -n "$NICE" cargo +nightly fuzz build "$target"
done

mkdir -p fuzz/logs
failed=()
summary=()
for target in "${TARGETS[@]}"; do
    mkdir -p "fuzz/corpus/$target"
    log=fuzz/logs/$target.log
    echo "fuzz: $target for ${SECONDS_PER_TARGET}s (log: $log)" >&2
    status=0
    nice -n "$NICE" cargo +nightly fuzz run "$target" \
        "fuzz/corpus/$target" "fuzz/corpus-seeds/$target" -- \
        -max_total_time="$SECONDS_PER_TARGET" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 >"$log" 2>&1 || status=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
    ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
    corpus=$(find "fuzz/corpus/$target" -type f | wc -l)
    if ((status != 0)); then
        failed+=("$target")
        tail -40 "$log" >&2
        summary+=("$(printf '%-16s CRASHED (exit %s), see %s and fuzz/artifacts/%s/' \
            "$target" "$status" "$log" "$target")")
    else
        summary+=("$(printf '%-16s %6ss  %10s execs  %7s exec/s  cov: %-5s ft: %-6s corpus: %s' \
            "$target" "$SECONDS_PER_TARGET" "${runs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "$corpus")")
    fi
done

echo
printf '%s\n' "${summary[@]}"
if ((${#failed[@]})); then
    echo "fuzz: crashed: ${failed[*]}" >&2
    exit 1
fi
echo "fuzz: no crashes"
