"""Classroom rooms under a class's load: 30 students labelling a batch of 30 at once.

Usage (from the repo root)::

    python benchmarks/bench_rooms.py               # two_groups (2,000 rows) and adult
    python benchmarks/bench_rooms.py --quick       # two_groups only, 3 rounds
    python benchmarks/bench_rooms.py --out benchmarks/results/rooms.md

One server process, as the app runs: one ``RoomStore`` on a SQLite file,
shared by 30 threads (a browser session each). Per round the teacher opens
the round, each student reads their item, all 30 wait at a barrier and then
submit at the same moment; the submission that completes the batch closes
the round and refits the model; then the teacher reads the state and the
records (what the charts are drawn from). Wall-clock seconds throughout:

- ``submit``: one student's submit call;
- ``submit -> refit``: from a student's submit until the model has refitted
  on the whole batch (the closing submission returns), what each student
  waits before the class's charts can move;
- ``refit -> chart data``: the teacher's ``state()`` and ``records()`` after
  the refit;
- ``submit -> chart data``: the two above together, per student: the
  issue's submit-to-updated-chart time without the browser's own drawing;
- ``open round``, ``items``: the teacher's and a student's other requests;
- ``restart``: a new store (a restarted server) rebuilding the room by
  replay and returning its records, after the last round.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from components.config import RunConfig  # noqa: E402
from components.rooms import RoomStore  # noqa: E402

N_STUDENTS = 30
BATCH = 30

CASES = {
    "two_groups": {"dataset": "two_groups:n_samples=2000", "initial_size": 20},
    "adult": {"dataset": "adult", "initial_size": 20},
}


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


def run_case(name: str, rounds: int, folder: Path) -> dict[str, list[float]]:
    cfg = RunConfig.from_dict({**CASES[name], "batch_size": BATCH, "rounds": rounds, "seed": 1})
    url = f"sqlite:///{folder / f'{name}.sqlite'}"
    store = RoomStore(url)
    t0 = time.perf_counter()
    room = store.create_room(cfg)
    created = time.perf_counter() - t0
    tokens = [store.join(room.code, f"Student {k}") for k in range(N_STUDENTS)]
    times: dict[str, list[float]] = {
        "create room": [created],
        "open round": [],
        "items": [],
        "submit": [],
        "submit -> refit": [],
        "refit -> chart data": [],
        "submit -> chart data": [],
        "restart": [],
    }
    for r in range(rounds):
        t0 = time.perf_counter()
        store.open_round(room.teacher_token)
        times["open round"].append(time.perf_counter() - t0)
        plans = []
        for k, token in enumerate(tokens):
            t0 = time.perf_counter()
            mine = store.items_for(token)
            times["items"].append(time.perf_counter() - t0)
            plans.append((token, {i.position: (i.position + k + r) % 2 for i in mine}))
        barrier = threading.Barrier(N_STUDENTS)
        starts: list[float] = [0.0] * N_STUDENTS
        ends: list[float] = [0.0] * N_STUDENTS
        closed_at: list[float] = []

        def student(
            k: int,
            token: str,
            answers: dict[int, int],
            barrier=barrier,
            starts=starts,
            ends=ends,
            closed_at=closed_at,
        ) -> None:
            barrier.wait()
            starts[k] = time.perf_counter()
            out = store.submit(token, answers)
            ends[k] = time.perf_counter()
            if out.round_closed:
                closed_at.append(ends[k])

        threads = [
            threading.Thread(target=student, args=(k, token, answers))
            for k, (token, answers) in enumerate(plans)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if len(closed_at) != 1:
            raise RuntimeError(f"round {r + 1} closed {len(closed_at)} times")
        t0 = time.perf_counter()
        state = store.state(room.teacher_token)
        store.records(room.teacher_token)
        chart = time.perf_counter() - t0
        if state["round"] != r + 1 or state["progress"][-1]["labelled"] != BATCH:
            raise RuntimeError(f"round {r + 1}: the state is {state['progress'][-1]}")
        times["submit"] += [e - s for s, e in zip(starts, ends, strict=True)]
        times["submit -> refit"] += [closed_at[0] - s for s in starts]
        times["refit -> chart data"].append(chart)
        times["submit -> chart data"] += [closed_at[0] - s + chart for s in starts]
    t0 = time.perf_counter()
    RoomStore(url).records(room.teacher_token)
    times["restart"].append(time.perf_counter() - t0)
    return times


def machine() -> str:
    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    return (
        f"{dt.date.today()}; {os.cpu_count()} cores, {platform.processor() or platform.machine()}, "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}; "
        f"load average {load[0]:.1f}, {load[1]:.1f}, {load[2]:.1f}"
    )


def report(results: dict[str, dict[str, list[float]]], rounds: int, start: str, end: str) -> str:
    lines = [
        "# Classroom rooms: submit to refit under 30 simultaneous students",
        "",
        f"Written by `python benchmarks/bench_rooms.py`. Machine: {start} (at start; "
        f"{end.split('; ')[-1]} at end).",
        "",
        f"One server process, one `RoomStore` on a SQLite file (WAL), {N_STUDENTS} students "
        f"as threads, batch of {BATCH} (one item each), {rounds} rounds per data set, "
        "logistic regression with least confidence. All 30 submit at the same moment "
        "(a barrier); the submission that completes the batch refits the model. Wall-clock "
        "seconds; n is the number of samples.",
        "",
        "| data set | step | n | median s | p95 s | max s |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for name, times in results.items():
        for step, values in times.items():
            lines.append(
                f"| {CASES[name]['dataset']} | {step} | {len(values)} | "
                f"{statistics.median(values):.3f} | {pct(values, 95):.3f} | {max(values):.3f} |"
            )
    lines.append("")
    for name, times in results.items():
        p95 = pct(times["submit -> chart data"], 95)
        verdict = "under" if p95 < 1.0 else "over"
        lines.append(
            f"- {CASES[name]['dataset']}: submit to chart data p95 {p95:.3f} s, {verdict} the 1 s "
            f"target (median {statistics.median(times['submit -> chart data']):.3f} s)."
        )
    lines += [
        "",
        "The browser's own drawing of the charts is not in these numbers; the page-level "
        "classroom benchmark measures it.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="two_groups only, 3 rounds")
    ap.add_argument("--rounds", type=int, default=6, help="rounds per data set (default 6)")
    ap.add_argument("--out", type=Path, help="write the markdown report here")
    args = ap.parse_args(argv)
    rounds = 3 if args.quick else args.rounds
    names = ["two_groups"] if args.quick else list(CASES)
    start = machine()
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            results[name] = run_case(name, rounds, Path(tmp))
            print(f"{name}: done", file=sys.stderr)
    text = report(results, rounds, start, machine())
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
