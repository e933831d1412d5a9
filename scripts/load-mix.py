#!/usr/bin/env python3
"""The realistic request mix of `scripts/load.sh --mix realistic`: who searches, what they ask
for, and a session for each of them.

  load-mix.py prepare OUT_DIR [--seekers 1000] [--requests 20000] [--seed 16]
  load-mix.py check URL REQUESTS_FILE [--per-kind 40]

prepare reads the seeded database (psql, DATABASE_URL) and writes OUT_DIR/mix-requests.tsv,
one request a line: KIND, PERSON, PATH, TOKEN (tab-separated), which scripts/load-mix.lua
sends in order, and OUT_DIR/mix-summary.md, what was drawn.

Who: a person's activity is how many people they trust plus how many vouches they made.
Requests come from people in proportion to their activity (heavier users search more). The
SEEKERS people who send them are drawn with probability proportional to activity, without
replacement (Efraimidis-Spirakis keys u^(1/w)): the same as taking the first SEEKERS distinct
people of an endless stream of requests drawn that way. Each request then picks its seeker
among them, again in proportion to activity. People who trust no one and vouched for nothing
never search.

What: 70% searches, 15% "why" explanations, 15% provider pages, drawn per request.
  search   GET /v1/search?trade=SLUG&lat=..&lon=..  the trade drawn in proportion to its
           vouches (busy trades are searched more); at the seeker's home if they have one (the
           demo town), else at a random provider of that trade (the synthetic network has no
           homes; the provider's own area covers that point, so the search has answers).
  why      GET /v1/providers/ID/why?trade=SLUG  a provider someone the seeker trusts
           recommends (one such vouch drawn at random: the providers their search ranks
           high), else a random provider of a trade drawn as for searches.
  page     GET /v1/providers/ID  chosen as for why.

Sessions: the real kind, one per seeker. The token is 32 random bytes in unpadded base64url
and the row keeps its SHA-256, as src/auth/token.rs and src/app/sessions.rs make them; rows
are COPYed into `sessions` (and an `accounts` row, with a password hash no password matches,
for a seeker who had no account: in the synthetic network only provider owners have one).

check sends the first PER_KIND requests of each kind once and fails unless every answer is a
200 for the right seeker, and some signed-in searches show trust paths.
"""

import argparse
import bisect
import collections
import heapq
import http.client
import json
import math
import os
import random
import secrets
import subprocess
import sys
import urllib.parse
from hashlib import sha256

MIX = (("search", 70), ("why", 15), ("page", 15))

# The synthetic owners' password hash (src/synth/load.rs, UNUSABLE_PASSWORD_HASH): not the hash
# of anything, so no password signs in with it.
UNUSABLE_PASSWORD_HASH = "$argon2id$v=19$m=19456,t=2,p=1$YmVuY2htYXJr$not-a-real-hash"


def psql_rows(sql):
    out = subprocess.run(
        ["psql", os.environ["DATABASE_URL"], "-X", "-q", "-At", "-F", "\t", "-v", "ON_ERROR_STOP=1",
         "-c", sql],
        check=True, capture_output=True, text=True,
    ).stdout
    return [line.split("\t") for line in out.splitlines() if line]


def psql_script(script):
    subprocess.run(
        ["psql", os.environ["DATABASE_URL"], "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", "-"],
        input=script, check=True, text=True, stdout=subprocess.DEVNULL,
    )


def weighted_sample(rng, weights, k):
    """k distinct keys of `weights`, each drawn with probability proportional to its weight
    among those not drawn yet (the key with the largest u^(1/w), i.e. the smallest -ln(u)/w)."""
    return heapq.nsmallest(k, sorted(weights), key=lambda p: -math.log(1.0 - rng.random()) / weights[p])


class Picker:
    """Draws items with probability proportional to their weights."""

    def __init__(self, items, weights):
        self.items = list(items)
        self.cumulative = []
        total = 0
        for w in weights:
            total += w
            self.cumulative.append(total)
        self.total = total

    def __call__(self, rng):
        return self.items[bisect.bisect_right(self.cumulative, rng.random() * self.total)]


def prepare(args):
    rng = random.Random(args.seed)
    os.makedirs(args.out, exist_ok=True)

    # Activity: trust edges out plus vouches made.
    activity = {}
    for person, n in psql_rows(
        "select truster_id, count(*) from trust_edges group by truster_id"
        " union all select person_id, count(*) from vouches group by person_id"
    ):
        activity[int(person)] = activity.get(int(person), 0) + int(n)
    active = len(activity)
    if active < args.seekers:
        sys.exit(f"only {active} people trust someone or vouched; fewer than {args.seekers} seekers")
    seekers = sorted(weighted_sample(rng, activity, args.seekers))
    ids = "{" + ",".join(map(str, seekers)) + "}"

    homes, has_account = {}, set()
    for person, lat, lon, account in psql_rows(
        "select p.id, p.lat, p.lon, a.person_id is not null from people p"
        f" left join accounts a on a.person_id = p.id where p.id = any('{ids}'::bigint[])"
    ):
        if lat:
            homes[int(person)] = (float(lat), float(lon))
        if account == "t":
            has_account.add(int(person))

    # What the seekers' own networks recommend: one entry per vouch, so that a provider
    # recommended by several people they trust is looked at more often.
    network = collections.defaultdict(list)
    for person, provider, slug in psql_rows(
        "select t.truster_id, v.provider_id, tr.slug from trust_edges t"
        " join vouches v on v.person_id = t.trustee_id and v.stance = 'recommend'"
        " join trades tr on tr.id = v.trade_id"
        f" where t.truster_id = any('{ids}'::bigint[]) order by 1, 2, 3"
    ):
        network[int(person)].append((int(provider), slug))

    demand = {slug: int(n) for slug, n in psql_rows(
        "select tr.slug, count(*) from vouches v join trades tr on tr.id = v.trade_id group by 1 order by 1"
    )}
    offering = collections.defaultdict(list)
    for slug, provider, lat, lon in psql_rows(
        "select tr.slug, p.id, p.lat, p.lon from provider_trades pt"
        " join providers p on p.id = pt.provider_id join trades tr on tr.id = pt.trade_id order by 1, 2"
    ):
        offering[slug].append((int(provider), float(lat), float(lon)))
    trades = [slug for slug in sorted(demand) if offering[slug]]
    pick_trade = Picker(trades, [demand[t] for t in trades])
    pick_seeker = Picker(seekers, [activity[p] for p in seekers])
    pick_kind = Picker([k for k, _ in MIX], [w for _, w in MIX])

    # Sessions, the way the service makes them.
    tokens = {p: secrets.token_urlsafe(32) for p in seekers}
    new_accounts = [p for p in seekers if p not in has_account]
    script = ["begin;"]
    if new_accounts:
        script.append("copy accounts (person_id, email, password_hash) from stdin;")
        script += [f"{p}\tload-seeker-{p}@synthetic.vouchgraph.test\t{UNUSABLE_PASSWORD_HASH}"
                   for p in new_accounts]
        script.append("\\.")
    script.append("create temporary table minted (token_hash bytea, person_id bigint, csrf_token text);")
    script.append("copy minted from stdin;")
    script += [f"\\\\x{sha256(tokens[p].encode()).hexdigest()}\t{p}\t{secrets.token_urlsafe(32)}"
               for p in seekers]
    script.append("\\.")
    script.append("insert into sessions (token_hash, person_id, csrf_token, expires_at)"
                  " select token_hash, person_id, csrf_token, now() + interval '1 day' from minted;")
    script.append("commit;")
    psql_script("\n".join(script) + "\n")

    kinds, from_network, per_seeker = collections.Counter(), 0, collections.Counter()
    with open(os.path.join(args.out, "mix-requests.tsv"), "w") as out:
        for _ in range(args.requests):
            seeker, kind = pick_seeker(rng), pick_kind(rng)
            if kind == "search":
                trade = pick_trade(rng)
                if seeker in homes:
                    lat, lon = homes[seeker]
                else:
                    _, lat, lon = rng.choice(offering[trade])
                path = "/v1/search?" + urllib.parse.urlencode(
                    {"trade": trade, "lat": f"{lat:.4f}", "lon": f"{lon:.4f}"})
            else:
                if network[seeker]:
                    provider, trade = rng.choice(network[seeker])
                    from_network += 1
                else:
                    trade = pick_trade(rng)
                    provider, _, _ = rng.choice(offering[trade])
                path = (f"/v1/providers/{provider}/why?trade={trade}" if kind == "why"
                        else f"/v1/providers/{provider}")
            kinds[kind] += 1
            per_seeker[seeker] += 1
            out.write(f"{kind}\t{seeker}\t{path}\t{tokens[seeker]}\n")

    # What was drawn, for the report.
    everyone = sorted(activity.values())
    drawn = sorted((activity[p] for p in seekers), reverse=True)
    busiest = sorted(per_seeker.values(), reverse=True)
    top_tenth = sum(busiest[: max(1, len(seekers) // 10)]) / args.requests
    looked_at = args.requests - kinds["search"]
    lines = [
        f"- seekers: {len(seekers):,} of the {active:,} people who trust someone or vouched, drawn"
        f" with probability proportional to activity (trust edges out + vouches made; seed {args.seed});"
        f" {len(new_accounts):,} of them were given an account, all {len(seekers):,} a session",
        f"- activity of everyone active: median {everyone[len(everyone) // 2]}, mean"
        f" {sum(everyone) / len(everyone):.1f}, max {everyone[-1]:,}; of the seekers drawn: median"
        f" {drawn[len(drawn) // 2]}, mean {sum(drawn) / len(drawn):.1f}, max {drawn[0]:,}",
        f"- requests: {args.requests:,} drawn, sent in a cycle: " + ", ".join(
            f"{kinds[k]:,} {k} ({kinds[k] / args.requests:.1%})" for k, _ in MIX),
        f"- per seeker: {len(per_seeker):,} seekers send at least one; the busiest sends"
        f" {busiest[0]:,}, the busiest tenth {top_tenth:.0%} of all requests",
        f"- why and provider pages: {from_network / max(1, looked_at):.0%} of them for a provider"
        f" someone the seeker trusts recommends (otherwise a random provider of a trade)",
    ]
    with open(os.path.join(args.out, "mix-summary.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


def check(args):
    url = urllib.parse.urlsplit(args.url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    by_kind = collections.defaultdict(list)
    with open(args.requests) as f:
        for line in f:
            kind, person, path, token = line.rstrip("\n").split("\t")
            if len(by_kind[kind]) < args.per_kind:
                by_kind[kind].append((int(person), path, token))
    stats = collections.Counter()
    failures = []
    for kind, requests in sorted(by_kind.items()):
        for person, path, token in requests:
            conn.request("GET", path, headers={"Authorization": f"Bearer {token}"})
            response = conn.getresponse()
            body = response.read()
            if response.status != 200:
                failures.append(f"{kind} {path}: {response.status} {body[:200]!r}")
                continue
            answer = json.loads(body)
            stats[kind] += 1
            if kind == "search":
                stats["search results"] += bool(answer["results"])
                stats["search paths"] += any(r.get("paths") for r in answer["results"])
            elif kind == "why":
                stats["why paths"] += bool(answer["provider"]["paths"])
            if kind in ("search", "why") and answer["seeker_id"] != person:
                failures.append(f"{kind} {path}: answered for seeker {answer['seeker_id']}, not {person}")
    print(f"check: {stats['search']} searches answered 200, {stats['search results']} with results,"
          f" {stats['search paths']} with trust paths; {stats['why']} why answered 200,"
          f" {stats['why paths']} with trust paths; {stats['page']} provider pages answered 200")
    if not stats["search paths"]:
        failures.append("no signed-in search showed a trust path")
    if failures:
        sys.exit("check failed:\n  " + "\n  ".join(failures[:20]))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("prepare")
    p.add_argument("out")
    p.add_argument("--seekers", type=int, default=1000)
    p.add_argument("--requests", type=int, default=20000)
    p.add_argument("--seed", type=int, default=16)
    c = commands.add_parser("check")
    c.add_argument("url")
    c.add_argument("requests")
    c.add_argument("--per-kind", type=int, default=40)
    args = parser.parse_args()
    prepare(args) if args.command == "prepare" else check(args)


if __name__ == "__main__":
    main()
