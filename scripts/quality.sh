#!/usr/bin/env bash
# The trust-quality table of docs/quality.md, from scratch:
#
#   scripts/quality.sh [--seeds "1 2 3 4 5 6"] [--networks "otc alpha advogato"]
#                      [--attacks "ring star popular demotion"] [--sybil 1000]
#                      [--operator-seeds] [-- extra evaluate args]
#
# For every network, split seed and attack it runs `vouchgraph evaluate` (release build) and
# prints one row: clean order accuracy and MAE of vouchgraph and of the anonymous mean, then
# the drop in order accuracy on the attacked items for both (`--attacks` also takes
# `camouflage`: a ring whose sybils copy honest ratings, see `vouchgraph evaluate --help`). `--operator-seeds` runs it as a
# deployment whose operator has marked seed people (`vouchgraph seeds add`): Advogato's four
# founders, and on the Bitcoin networks the ten people most others trust, counted once over the
# whole file (fixed below, so that a sybil is never one). The networks are the copies in
# tests/data (see its README for sources and licences). Nothing here needs a database.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

SEEDS="1 2 3 4 5 6"
NETWORKS="otc alpha advogato"
ATTACKS="ring star popular demotion"
SYBIL=1000
OPERATOR_SEEDS=
while (($#)); do
    case $1 in
    --seeds) SEEDS=$2; shift 2 ;;
    --networks) NETWORKS=$2; shift 2 ;;
    --attacks) ATTACKS=$2; shift 2 ;;
    --sybil) SYBIL=$2; shift 2 ;;
    --operator-seeds) OPERATOR_SEEDS=1; shift ;;
    --) shift; break ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
    esac
done
EXTRA=("$@")
DATA=${VOUCHGRAPH_DATA:-tests/data}

cargo build --release --quiet --bin vouchgraph
BIN=target/release/vouchgraph

# network name -> evaluate arguments
args_for() {
    case $1 in
    otc) echo "--trust $DATA/bitcoin-otc/soc-sign-bitcoinotc.csv.gz --trust-format bitcoin-otc --ratings $DATA/bitcoin-otc/soc-sign-bitcoinotc.csv.gz --items-are-people" ;;
    alpha) echo "--trust $DATA/bitcoin-alpha/bitcoinalpha.csv.gz --trust-format bitcoin-otc --ratings $DATA/bitcoin-alpha/bitcoinalpha.csv.gz --items-are-people" ;;
    advogato) echo "--trust $DATA/advogato --trust-format advogato --ratings $DATA/advogato/out.advogato.gz --items-are-people" ;;
    *) echo "unknown network $1" >&2; return 1 ;;
    esac
}

# network name -> the seeds an operator would mark, with --operator-seeds
seeds_for() {
    [[ -n $OPERATOR_SEEDS ]] || return 0
    case $1 in
    otc) echo "--seeds 35,2642,1810,2028,905,1,7,4172,4197,13" ;;
    alpha) echo "--seeds 1,3,4,2,177,11,7,10,15,6" ;;
    advogato) echo "--seeds 328,30,719,46" ;; # raph, miguel, federico, alan
    esac
}

# One evaluate run, reduced to: clean_vg clean_mean mae_vg mae_mean [drop_vg drop_mean]
run() {
    # shellcheck disable=SC2046
    "$BIN" evaluate $(args_for "$1") $(seeds_for "$1") --seed "$2" "${@:3}" "${EXTRA[@]}" | awk -F'|' '
        /^\| vouchgraph /     { vg[++n] = $5; vmae[n] = $3 }
        /^\| anonymous mean / { mn[++m] = $5; mmae[m] = $3 }
        END {
            printf "%.4f %.4f %.3f %.3f", vg[1], mn[1], vmae[1], mmae[1]
            if (n >= 4) printf " %.4f %.4f", vg[3] - vg[4], mn[3] - mn[4]
            printf "\n"
        }'
}

printf '| network | seed | clean: vouchgraph | anonymous | difference | MAE: vouchgraph | anonymous |'
for attack in $ATTACKS; do printf ' %s drop: vouchgraph | anonymous |' "$attack"; done
printf '\n|---|---|---:|---:|---:|---:|---:|'
for _ in $ATTACKS; do printf -- '---:|---:|'; done
printf '\n'
for network in $NETWORKS; do
    for seed in $SEEDS; do
        read -r vg mean vmae mmae < <(run "$network" "$seed")
        printf '| %s | %s | %s | %s | %+.4f | %s | %s |' "$network" "$seed" "$vg" "$mean" \
            "$(awk -v a="$vg" -v b="$mean" 'BEGIN { print a - b }')" "$vmae" "$mmae"
        for attack in $ATTACKS; do
            read -r _ _ _ _ dvg dmean < <(run "$network" "$seed" --attack "$attack" --sybil "$SYBIL")
            printf ' %s | %s |' "$dvg" "$dmean"
        done
        printf '\n'
    done
done
