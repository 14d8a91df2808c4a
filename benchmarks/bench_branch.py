"""The cost of a branch that shares its prefix, against rerunning from scratch.

Usage (from the repo root)::

    python benchmarks/bench_branch.py            # default Adult run, branch at round 15
    python benchmarks/bench_branch.py --repeat 1 # one timing each (quicker, noisier)

The main run is the app's default (Adult by sex, label bias on women, least
confidence, 20 + 30 x 10 labels, logistic regression). For each change
(another strategy, a weaker label bias, an added biased annotator) at round
``--at``, three costs are timed in CPU seconds of this process
(``time.process_time``, BLAS pinned to one thread by the engine):

- **branch**: ``branch_trace`` from the kept state of the main run (what the
  app pays once the main run's states are kept): rounds ``at+1 ..`` only;
- **replay + branch**: a tool that keeps no state must replay rounds
  ``0 .. at`` of the main run first;
- **scratch**: the changed config traced from round 0 (a separate run that
  shares nothing).

It also reports what forking costs: the time of one ``Simulation.fork()`` and
the memory a trunk keeps per round. Results go to
``benchmarks/results/branch.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from components.branch import BranchSpec, Trunk, branch_config, branch_trace  # noqa: E402
from components.config import RunConfig  # noqa: E402
from components.trace import trace_run  # noqa: E402
from specs import Spec  # noqa: E402

MAIN = RunConfig.from_dict(
    {
        "dataset": "adult:group=sex",
        "scenarios": ["label_bias:group=Female,flip=0.4"],
        "strategy": "least_confidence",
        "model": "logistic",
        "seed": 0,
        "initial_size": 20,
        "batch_size": 10,
        "rounds": 30,
    }
)
CHANGES = {
    "strategy: margin": (Spec("margin"), ()),
    "strategy: BALD (5 members)": (Spec("bald", (("members", 5),)), ()),
    "label bias flip 0.4 -> 0.1": (None, (Spec("label_bias", (("flip", 0.1),)),)),
    "add annotator_bias rate 0.3": (None, (Spec("annotator_bias", (("rate", 0.3),)),)),
}


def cpu(fn: Callable[[], object], repeat: int) -> tuple[float, float, object]:
    """Median CPU and wall seconds of ``repeat`` calls, and the last result."""
    cpus, walls, out = [], [], None
    for _ in range(repeat):
        c0, w0 = time.process_time(), time.perf_counter()
        out = fn()
        cpus.append(time.process_time() - c0)
        walls.append(time.perf_counter() - w0)
    return statistics.median(cpus), statistics.median(walls), out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--at", type=int, default=15, help="branch round (default 15)")
    ap.add_argument("--repeat", type=int, default=3, help="timings per cell, median kept")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "branch.md"))
    args = ap.parse_args(argv)
    load0 = os.getloadavg()

    t_main, w_main, main_trace = cpu(lambda: trace_run(MAIN), args.repeat)
    trunk = Trunk(main_trace.config)
    t_prefix, _, _ = cpu(lambda: trunk.at(args.at), 1)  # steps the trunk to round `at` once
    per_round = trunk.nbytes / (trunk.reached + 1)
    live = trunk.at(args.at)
    t_fork, _, _ = cpu(lambda: [live.fork() for _ in range(100)], 1)
    t_fork /= 100

    rows = []
    for label, (strategy, scenarios) in CHANGES.items():
        spec = BranchSpec(args.at, strategy, scenarios)
        t_branch, w_branch, _ = cpu(lambda s=spec: branch_trace(main_trace, s, trunk), args.repeat)
        t_replay, _, _ = cpu(
            lambda s=spec: branch_trace(main_trace, s, Trunk(main_trace.config)), args.repeat
        )
        cfg = branch_config(main_trace.config, spec)
        t_scratch, _, _ = cpu(lambda c=cfg: trace_run(c), args.repeat)
        rows.append((label, t_branch, w_branch, t_replay, t_scratch))
        print(
            f"{label:32s} branch {t_branch:6.2f} s  replay+branch {t_replay:6.2f} s  "
            f"scratch {t_scratch:6.2f} s  branch/scratch {t_branch / t_scratch:.2f}"
        )
    noop = branch_trace(main_trace, BranchSpec(args.at), trunk)
    same = np.array_equal(
        noop.frames["queries"]["position"], main_trace.frames["queries"]["position"]
    )

    lines = [
        "# Rewind and branch: cost of a branch against rerunning",
        "",
        f"{dt.date.today()}; {os.cpu_count()} cores, {platform.processor() or platform.machine()}, "
        f"Python {platform.python_version()}, numpy {np.__version__}. Load average at start "
        f"{', '.join(f'{x:.1f}' for x in load0)}, at end "
        f"{', '.join(f'{x:.1f}' for x in os.getloadavg())} (a shared machine).",
        "",
        f"Main run: the app's default (`{MAIN.dataset}`, `{MAIN.scenarios[0]}`, "
        f"`{MAIN.strategy}`, {MAIN.initial_size} + {MAIN.rounds} x {MAIN.batch_size} labels, "
        f"{MAIN.model}). Branch at round {args.at} of {MAIN.rounds}. CPU seconds of the "
        f"benchmark process, median of {args.repeat}.",
        "",
        f"- main run traced from scratch: {t_main:.2f} s CPU ({w_main:.2f} s wall)",
        f"- stepping the trunk to round {args.at} (paid once per main run, shared by every "
        f"branch): {t_prefix:.2f} s",
        f"- one `Simulation.fork()`: {t_fork * 1000:.2f} ms; a trunk keeps about "
        f"{per_round / 1e6:.2f} MB per round ({trunk.nbytes / 1e6:.1f} MB for rounds 0..{args.at})",
        f"- a branch that changes nothing reproduces the main run's queries: {same}",
        "",
        f"| change at round {args.at} | branch (kept state) | replay prefix + branch | scratch run "
        "| branch / scratch | branch / (replay + branch) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for label, t_branch, _w, t_replay, t_scratch in rows:
        lines.append(
            f"| {label} | {t_branch:.2f} s | {t_replay:.2f} s | {t_scratch:.2f} s "
            f"| {t_branch / t_scratch:.2f} | {t_branch / t_replay:.2f} |"
        )
    lines += [
        "",
        "*branch*: `branch_trace` from the trunk's kept state (rounds after the branch point "
        "only). *replay prefix + branch*: a fresh trunk stepped to the branch round, then the "
        "branch (what rerunning costs without kept states). *scratch*: the changed config "
        "traced from round 0. Ratios below 1 are the saving.",
        "",
    ]
    Path(args.out).write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
