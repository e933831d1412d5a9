#!/usr/bin/env python3
"""Draws the cost curve: how build time, memory, search latency and the global prior's upkeep
grow with the network, from the search benchmark's JSON figures at several sizes.

    scripts/cost-curve.py [--out docs/cost-curve.svg] target/bench-search-*.json

Each JSON file is one `cargo bench --bench search` run (benches/search/report.rs, `figures`).
scripts/cost-curve.sh runs the benchmark at 100k, 1M and 10M people and then this. The chart is
plain SVG written by hand, so nothing beyond Python's standard library is needed.
"""

import argparse
import json
import math
import sys
from html import escape

# Panels: (title, unit, [(series label, JSON key, colour)]).
PANELS = [
    ("Search latency, one thread", "ms", [
        ("p50", "p50_ms", "#1f77b4"),
        ("p99", "p99_ms", "#ff7f0e"),
        ("p99, heaviest 1%", "heaviest_p99_ms", "#d62728"),
    ]),
    ("Memory per graph edge", "bytes", [
        ("resident-set growth while building", "bytes_per_edge", "#2ca02c"),
    ]),
    ("Building and loading", "s", [
        ("GraphBuilder build", "build_s", "#9467bd"),
        ("load from Postgres", "load_s", "#8c564b"),
        ("full prior recompute", "full_prior_s", "#7f7f7f"),
    ]),
    ("Keeping the prior current, per trust change", "ms", [
        ("mean", "live_change_mean_ms", "#17becf"),
        ("p99", "live_change_p99_ms", "#bcbd22"),
    ]),
]

WIDTH, HEIGHT = 420, 260          # one panel
MARGIN = dict(left=62, right=44, top=34, bottom=70)


def people_label(n):
    if n >= 1_000_000:
        return f"{n / 1_000_000:g}M"
    if n >= 1_000:
        return f"{n / 1_000:g}k"
    return str(n)


def nice_ticks(low, high):
    """Powers of ten (and 2 and 5 between) covering [low, high] on a log axis."""
    ticks = []
    exponent = math.floor(math.log10(low))
    while 10 ** exponent <= high * 1.0001:
        for mantissa in (1, 2, 5):
            value = mantissa * 10 ** exponent
            if low / 1.0001 <= value <= high * 1.0001:
                ticks.append(value)
        exponent += 1
    return ticks or [low, high]


def tick_label(value):
    if value >= 1:
        return f"{value:g}"
    return f"{value:.3g}"


def panel(runs, title, unit, series, x0, y0):
    """One log-log panel at (x0, y0); returns its SVG elements."""
    out = []
    plot_w = WIDTH - MARGIN["left"] - MARGIN["right"]
    plot_h = HEIGHT - MARGIN["top"] - MARGIN["bottom"]
    left, top = x0 + MARGIN["left"], y0 + MARGIN["top"]
    xs = [run["people"] for run in runs]
    values = [run.get(key) for run in runs for _, key, _ in series]
    values = [v for v in values if isinstance(v, (int, float)) and v > 0]
    out.append(f'<text x="{x0 + WIDTH / 2}" y="{y0 + 20}" text-anchor="middle" '
               f'font-weight="bold">{escape(title)}</text>')
    if not values:
        out.append(f'<text x="{x0 + WIDTH / 2}" y="{y0 + HEIGHT / 2}" text-anchor="middle">'
                   'not measured</text>')
        return out
    x_low, x_high = min(xs) / 1.5, max(xs) * 1.5
    y_low, y_high = min(values) / 1.6, max(values) * 1.6

    def px(x):
        return left + plot_w * (math.log10(x) - math.log10(x_low)) / (
            math.log10(x_high) - math.log10(x_low))

    def py(y):
        return top + plot_h * (1 - (math.log10(y) - math.log10(y_low)) / (
            math.log10(y_high) - math.log10(y_low)))

    out.append(f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" '
               'fill="none" stroke="#999"/>')
    for tick in nice_ticks(y_low, y_high):
        y = py(tick)
        out.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" '
                   'stroke="#eee"/>')
        out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" '
                   f'font-size="11">{tick_label(tick)}</text>')
    for x in sorted(set(xs)):
        out.append(f'<text x="{px(x):.1f}" y="{top + plot_h + 16}" text-anchor="middle" '
                   f'font-size="11">{people_label(x)}</text>')
    out.append(f'<text x="{left + plot_w / 2}" y="{top + plot_h + 32}" text-anchor="middle" '
               'font-size="11">people (log scale)</text>')
    out.append(f'<text transform="translate({x0 + 14},{top + plot_h / 2}) rotate(-90)" '
               f'text-anchor="middle" font-size="11">{escape(unit)} (log scale)</text>')
    legend_y = top + plot_h + 48
    legend_x = left
    for label, key, colour in series:
        points = [(run["people"], run.get(key)) for run in sorted(runs, key=lambda r: r["people"])]
        points = [(x, y) for x, y in points if isinstance(y, (int, float)) and y > 0]
        if not points:
            continue
        path = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in points)
        out.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for x, y in points:
            out.append(f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="3" fill="{colour}">'
                       f'<title>{escape(label)} at {people_label(x)}: {y:.3g} {escape(unit)}'
                       '</title></circle>')
            out.append(f'<text x="{px(x) + 5:.1f}" y="{py(y) - 5:.1f}" font-size="10" '
                       f'fill="{colour}">{y:.3g}</text>')
        out.append(f'<rect x="{legend_x}" y="{legend_y - 8}" width="10" height="3" '
                   f'fill="{colour}"/>')
        out.append(f'<text x="{legend_x + 14}" y="{legend_y - 4}" font-size="10">'
                   f'{escape(label)}</text>')
        legend_x += 20 + 6 * len(label)
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="docs/cost-curve.svg")
    parser.add_argument("runs", nargs="+", help="bench JSON files, one per size")
    args = parser.parse_args()
    runs = []
    for name in args.runs:
        with open(name) as handle:
            runs.append(json.load(handle))
    if not runs:
        sys.exit("no runs")
    columns = 2
    rows = math.ceil(len(PANELS) / columns)
    width, height = columns * WIDTH, rows * HEIGHT + 40
    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
           f'<rect width="{width}" height="{height}" fill="white"/>']
    machine = runs[0].get("machine", "")
    svg.append(f'<text x="{width / 2}" y="{height - 14}" text-anchor="middle" font-size="11" '
               f'fill="#555">vouchgraph search benchmark, {len(runs)} network sizes; '
               f'{escape(machine)}</text>')
    for index, (title, unit, series) in enumerate(PANELS):
        x0, y0 = (index % columns) * WIDTH, (index // columns) * HEIGHT
        svg.extend(panel(runs, title, unit, series, x0, y0))
    svg.append("</svg>")
    with open(args.out, "w") as handle:
        handle.write("\n".join(svg) + "\n")
    print(f"wrote {args.out} from {len(runs)} runs", file=sys.stderr)


if __name__ == "__main__":
    main()
