"""Server-side cost of one dashboard Step at a 20k pool, as a ratio to the engine step.

The app computes a simulated-oracle run once and reveals it round by round, so
a Step costs what it takes to build every figure for the new round and encode
it as Streamlit does (``plotly.io.to_json(fig.to_dict(), validate=False)``).
This prints that cost next to the engine's own ``Simulation.step()`` on the
same run, measured in the same process. The target: under 150 ms.

    python benchmarks/bench_dashboard.py [--quick]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import plotly.io as pio  # noqa: E402

from components.config import RunConfig  # noqa: E402
from components.engine import Simulation  # noqa: E402
from components.trace import trace_run  # noqa: E402
from dashboard import captions as C  # noqa: E402
from dashboard import charts as ch  # noqa: E402


def figures(trace, r: int, style: ch.Style) -> list:
    g, rd = trace.frames["groups"], trace.frames["rounds"]
    colors = ch.group_colors(trace.groups)
    lab = (trace.query_round[trace.score_rows] >= 0) & (trace.query_round[trace.score_rows] <= r)
    out = [
        ch.ledger_figure(g, rd, r, colors=colors, style=style),
        ch.composition_figure(g, rd, r, colors=colors, style=style),
        ch.accuracy_figure(g, rd, r, colors=colors, style=style),
        ch.fairness_figure(rd, r, style=style),
        ch.trace_map_figure(trace, r, style=style),
        ch.scores_figure(
            trace.scores[r],
            trace.g_pool[trace.score_rows],
            ~lab,
            groups=trace.groups,
            colors=colors,
            style=style,
        ),
    ]
    C.ledger_caption(g, r), C.accuracy_caption(g, r), C.fairness_caption(rd, r)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    rounds = 10 if args.quick else 30
    n = 26_667  # 25% test -> a 20,000-row pool
    results = []
    for dataset, label in (
        (f"two_groups:n_samples={n}", "two_groups, 2D (map draws the decision boundary)"),
        ("adult:group=sex", "adult (36,631-row pool, map downsampled to 20,000)"),
    ):
        cfg = RunConfig.from_dict(
            {
                "dataset": dataset,
                "strategy": "least_confidence",
                "scenarios": ["label_bias:flip=0.4"],
                "rounds": rounds,
            }
        )
        sim = Simulation(cfg)
        engine = []
        while not sim.done:
            t = time.perf_counter()
            sim.step()
            engine.append(time.perf_counter() - t)
        trace = trace_run(cfg)
        for style_name, style in (("screen", ch.Style()), ("presenter", ch.Style.presenter())):
            build, encode = [], []
            for r in range(1, trace.n_rounds):
                t = time.perf_counter()
                figs = figures(trace, r, style)
                t1 = time.perf_counter()
                for f in figs:
                    pio.to_json(f.to_dict(), validate=False)
                t2 = time.perf_counter()
                build.append(t1 - t)
                encode.append(t2 - t1)
            e = statistics.median(engine) * 1000
            b = statistics.median(build) * 1000
            j = statistics.median(encode) * 1000
            results.append((label, style_name, e, b, j))
    print(
        "| data | style | engine step ms | build 6 figures ms | encode ms | step total ms | ratio to engine | target <150 ms |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for label, style_name, e, b, j in results:
        total = b + j
        print(
            f"| {label} | {style_name} | {e:.1f} | {b:.1f} | {j:.1f} | {total:.1f} | "
            f"{total / e:.2f}x | {'met' if total < 150 else 'MISSED'} |"
        )


if __name__ == "__main__":
    main()
