#!/usr/bin/env bash
# The trust-quality table of docs/quality.md, from scratch:
#
#   scripts/quality.sh [--seeds "1 2 3 4 5 6"] [--networks "otc alpha advogato"]
#                      [--attacks "ring star popular demotion"] [--sybil 1000] [-- extra evaluate args]
#
# For every network, split seed and attack it runs `vouchgraph evaluate` (release build) and
# prints one row: clean order accuracy and MAE of vouchgraph and of the anonymous mean, then
# the drop in order accuracy on the attacked items for both. The networks are the copies in
# tests/data (see its README for sources and licences). Nothing here needs a database.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

SEEDS="1 2 3 4 5 6"
NETWORKS="otc alpha advogato"
ATTACKS="ring star popular demotion"
SYBIL=1000
while (($#)); do
    case $1 in
    --seeds) SEEDS=$2; shift 2 ;;
    --networks) NETWORKS=$2; shift 2 ;;
    --attacks) ATTACKS=$2; shift 2 ;;
    --sybil) SYBIL=$2; shift 2 ;;
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

# One evaluate run, reduced to: clean_vg clean_mean mae_vg mae_mean [drop_vg drop_mean]
run() {
    # shellcheck disable=SC2046
    "$BIN" evaluate $(args_for "$1") --seed "$2" "${@:3}" "${EXTRA[@]}" | awk -F'|' '
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
