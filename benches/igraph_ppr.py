#!/usr/bin/env python3
"""The exact reference for benches/search.rs: python-igraph's personalized PageRank.

    python3 benches/igraph_ppr.py DIR

DIR is written by the bench (little-endian binary arrays plus meta.json):

    meta.json            people, alpha, gamma, lambda, limit, level_weights
    edges.u32            trust edges as (from, to) person-index pairs, public ones only
    levels.u8            each edge's trust level, 1..=3
    seekers.u32          the seekers to rank for, as person indices
    providers_id.i64     the providers offering the benchmark's trade ...
    providers_owner.u32  ... their owners (person index; 2^32-1 for none) ...
    providers_prior.f64  ... and their global prior in that trade, as the engine computed it
    vouch_person.u32     public vouches for that trade: the voucher ...
    vouch_provider.u32   ... the provider, as an index into the providers_* arrays ...
    vouch_warn.u8        ... and 1 for a warning, 0 for a recommendation (strength is always 1)

For each seeker it times `Graph.personalized_pagerank` (PRPACK, exact up to rounding), turns
the result into provider scores with the engine's formula (src/graph/rank.rs):

    personal = max(0, R - gamma * W)   R, W: PPR mass at recommending / warning vouchers
    score    = personal + lambda * prior
    order    = score desc, then prior desc, then provider id asc; never the seeker's own

and writes DIR/results.json with the time and the top `limit` provider ids of every seeker.

The walk is the engine's: restart probability alpha (igraph's damping is 1 - alpha), edge
weights by trust level, and a person without out-edges sends the walk back to the seeker. The
last point holds because PRPACK, as igraph calls it, sends dangling mass to the reset
distribution; the self-check below verifies that against a plain power iteration before any
timing, and refuses to go on if it does not hold for the installed igraph.
"""

import json
import pathlib
import sys
import time

import igraph
import numpy as np


def personalized_pagerank(graph, seeker, alpha):
    """Exact personalized PageRank of one seeker, as a numpy array."""
    values = graph.personalized_pagerank(
        vertices=None,
        directed=True,
        damping=1.0 - alpha,
        reset_vertices=[seeker],
        weights="weight",
        implementation="prpack",
    )
    return np.asarray(values)


def power_iteration(n, edges, weights, seeker, alpha, iterations=400):
    """The engine's walk by brute force: dangling people restart at the seeker."""
    out_weight = np.zeros(n)
    np.add.at(out_weight, edges[:, 0], weights)
    x = np.zeros(n)
    x[seeker] = 1.0
    for _ in range(iterations):
        nxt = np.zeros(n)
        share = np.where(out_weight[edges[:, 0]] > 0, weights / out_weight[edges[:, 0]], 0.0)
        np.add.at(nxt, edges[:, 1], (1.0 - alpha) * x[edges[:, 0]] * share)
        dangling = x[out_weight == 0].sum()
        nxt[seeker] += alpha + (1.0 - alpha) * dangling
        x = nxt
    return x


def self_check(alpha):
    """igraph's PPR equals the engine's walk on small random graphs with dangling people."""
    rng = np.random.default_rng(7)
    worst = 0.0
    for trial in range(5):
        n = 40
        pairs = {(int(a), int(b)) for a, b in rng.integers(0, n, size=(120, 2)) if a != b}
        # People 30..39 trust nobody: they are dangling.
        edges = np.array(sorted((a, b) for a, b in pairs if a < 30), dtype=np.int64)
        weights = rng.choice([1.0, 2.0, 4.0], size=len(edges))
        graph = igraph.Graph(n=n, edges=edges.tolist(), directed=True)
        graph.es["weight"] = weights.tolist()
        for seeker in (0, 5 + trial):
            exact = power_iteration(n, edges, weights, seeker, alpha)
            got = personalized_pagerank(graph, seeker, alpha)
            worst = max(worst, float(np.abs(exact - got).max()))
    if worst > 1e-9:
        sys.exit(
            f"igraph {igraph.__version__} does not send dangling mass to the seeker "
            f"(max difference {worst:.3g}); the comparison would not be like with like"
        )
    return worst


def main():
    folder = pathlib.Path(sys.argv[1])
    meta = json.loads((folder / "meta.json").read_text())
    alpha, gamma, lam, limit = meta["alpha"], meta["gamma"], meta["lambda"], meta["limit"]
    check = self_check(alpha)

    def array(name, dtype):
        return np.fromfile(folder / name, dtype=dtype)

    started = time.perf_counter()
    edges = array("edges.u32", "<u4").reshape(-1, 2)
    levels = array("levels.u8", "u1")
    level_weights = np.asarray(meta["level_weights"], dtype=np.float64)
    graph = igraph.Graph(n=meta["people"], edges=edges, directed=True)
    graph.es["weight"] = level_weights[levels.astype(np.int64) - 1]
    del edges, levels
    load_s = time.perf_counter() - started

    provider_ids = array("providers_id.i64", "<i8")
    provider_owner = array("providers_owner.u32", "<u4")
    prior = array("providers_prior.f64", "<f8")
    vouch_person = array("vouch_person.u32", "<u4").astype(np.int64)
    vouch_provider = array("vouch_provider.u32", "<u4").astype(np.int64)
    warn = array("vouch_warn.u8", "u1").astype(bool)
    count = len(provider_ids)

    queries = []
    for seeker in array("seekers.u32", "<u4").tolist():
        started = time.perf_counter()
        ppr = personalized_pagerank(graph, seeker, alpha)
        ppr_s = time.perf_counter() - started
        mass = ppr[vouch_person]
        recommend = np.bincount(vouch_provider[~warn], weights=mass[~warn], minlength=count)
        warning = np.bincount(vouch_provider[warn], weights=mass[warn], minlength=count)
        net = recommend - gamma * warning
        personal = np.where(net > 0.0, net, 0.0)
        score = personal + lam * prior
        eligible = provider_owner != seeker
        # lexsort sorts by the last key first.
        order = np.lexsort((provider_ids, -prior, -score))
        top = [int(provider_ids[i]) for i in order if eligible[i]][:limit]
        query_s = time.perf_counter() - started
        queries.append({"seeker": seeker, "ppr_s": ppr_s, "query_s": query_s, "top": top})
        print(f"igraph: seeker {seeker}: {query_s:.2f} s", file=sys.stderr, flush=True)

    result = {
        "igraph_version": igraph.__version__,
        "numpy_version": np.__version__,
        "self_check_max_error": check,
        "load_s": load_s,
        "queries": queries,
    }
    (folder / "results.json").write_text(json.dumps(result))


if __name__ == "__main__":
    main()
