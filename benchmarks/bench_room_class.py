"""A class labelling together: 30 clients label their share of a batch of 30; refit and charts.

Usage (from the repo root)::

    python benchmarks/bench_room_class.py                 # both parts, 6 rounds each
    python benchmarks/bench_room_class.py --quick         # 3 rounds each
    python benchmarks/bench_room_class.py --no-browser    # the server part only
    python benchmarks/bench_room_class.py --out benchmarks/results/room-class.md

Two measurements of submit-to-updated-chart, both on the census preset the
Class labelling page opens by default (Adult, groups by sex and race, least
confidence, logistic regression), batch 30, 30 students with one item each:

1. **At the server** (one process, as the app runs). One ``RoomStore`` shared
   by 30 threads, each a student's session: each reads its items, all wait at a
   barrier and call ``submit`` at the same moment (what the Join page's Send
   button does); the submission that completes the batch closes the round and
   refits. Then the teacher page's own functions build the updated charts:
   ``state`` and ``records`` from the store, then ``room_charts.room_figures``
   (the ledger and per-group accuracy from the app's chart list, fitted, as
   plotly JSON) and its JSON text. Per student: from their submit call to the
   chart JSON being ready. The browser's drawing is not in it.
2. **In a browser**: a real ``streamlit run`` server and the teacher's Class
   labelling page in headless chromium (1280x720). The 30 students submit at
   the same moment, as threads with their own ``RoomStore`` on the same SQLite
   file (as a second server process would): the room's own server only learns
   of the answers from the database, so its store replays the refit itself.
   Per student: from their submit call to the teacher's page showing the
   refitted round's charts (the page polls every ``TEACHER_POLL_SECONDS`` while
   a round is open; the wait for the poll is in the number).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from components.rooms import RoomStore  # noqa: E402
from dashboard.room_charts import room_figures, room_trace  # noqa: E402
from dashboard.room_common import TEACHER_POLL_SECONDS, preset_config  # noqa: E402

#: In the teacher's page: the wall-clock times (ms) at which a script run starts.
WATCH = """() => {
  window.__roomRuns = [];
  const app = document.querySelector('[data-testid=stApp]');
  new MutationObserver(() => {
    if (app.getAttribute('data-test-script-state') === 'running') window.__roomRuns.push(Date.now());
  }).observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
}"""
#: Both charts drawn for round r: their stamp under the title names the round.
CHARTS_AT = """(r) => [...document.querySelectorAll('.js-plotly-plot')]
  .filter(p => p.querySelector('.nsewdrag') && p.textContent.includes(`Round ${r} ·`))
  .length >= 2"""
N_STUDENTS = 30
BATCH = 30
PRESET = "census"


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


def charts(store: RoomStore, token: str) -> int:
    """What the teacher's page does after a refit: state, records, the charts' JSON."""
    state = store.state(token)
    records = store.records(token)
    trace = room_trace(records.config_json, records.frames, tuple(state["groups"]))
    return sum(len(json.dumps(spec)) for _, spec, _ in room_figures(trace))


def class_round(
    submitters: list[tuple[RoomStore, str]], r: int
) -> tuple[list[float], list[float], float]:
    """One round's 30 simultaneous submissions: per student (start, end), and the close time."""
    plans = []
    for k, (store, token) in enumerate(submitters):
        mine = store.items_for(token)
        plans.append((store, token, {i.position: (i.position + k + r) % 2 for i in mine}))
    barrier = threading.Barrier(len(plans))
    starts = [0.0] * len(plans)
    ends = [0.0] * len(plans)
    closed: list[float] = []

    def student(k: int) -> None:
        store, token, answers = plans[k]
        barrier.wait()
        starts[k] = time.perf_counter()
        out = store.submit(token, answers)
        ends[k] = time.perf_counter()
        if out.round_closed:
            closed.append(ends[k])

    threads = [threading.Thread(target=student, args=(k,)) for k in range(len(plans))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if len(closed) != 1:
        raise RuntimeError(f"round {r}: closed {len(closed)} times")
    return starts, ends, closed[0]


def server_part(rounds: int, folder: Path) -> dict[str, list[float]]:
    store = RoomStore(f"sqlite:///{folder / 'server.sqlite'}")
    room = store.create_room(preset_config(PRESET, batch_size=BATCH, rounds=rounds))
    tokens = [store.join(room.code, f"Student {k}") for k in range(N_STUDENTS)]
    charts(store, room.teacher_token)  # the page drew round 0 when the room opened
    times: dict[str, list[float]] = {
        "submit": [],
        "submit -> refit": [],
        "refit -> chart JSON": [],
        "submit -> chart JSON": [],
    }
    for r in range(1, rounds + 1):
        store.open_round(room.teacher_token)
        starts, ends, closed = class_round([(store, t) for t in tokens], r)
        t0 = time.perf_counter()
        charts(store, room.teacher_token)
        ready = time.perf_counter()
        times["submit"] += [e - s for s, e in zip(starts, ends, strict=True)]
        times["submit -> refit"] += [closed - s for s in starts]
        times["refit -> chart JSON"].append(ready - t0)
        times["submit -> chart JSON"] += [ready - s for s in starts]
    return times


def browser_part(rounds: int, folder: Path) -> dict[str, list[float]]:
    from playwright.sync_api import sync_playwright

    from harness.browser import launch_options
    from harness.server import free_port, streamlit_server

    url = f"sqlite:///{folder / 'browser.sqlite'}"
    os.environ["WGL_ROOMS_URL"] = url
    clients = RoomStore(url)  # the students' side: another process's view of the database
    log = folder / "server.log"
    times: dict[str, list[float]] = {
        "submit -> teacher's page shows the refit": [],
        "submit -> refit (students' side)": [],
        "refit -> page starts redrawing": [],
        "redraw -> charts drawn in the browser": [],
    }
    with streamlit_server(free_port(), log, timing=False) as (base, _pid):
        setup = RoomStore(url)
        room = setup.create_room(preset_config(PRESET, batch_size=BATCH, rounds=rounds))
        tokens = [clients.join(room.code, f"Student {k}") for k in range(N_STUDENTS)]
        with sync_playwright() as p:
            browser = p.chromium.launch(**launch_options())
            page = browser.new_page(viewport={"width": 1280, "height": 720})
            idle = "[data-testid='stApp'][data-test-script-state='notRunning']"
            page.goto(f"{base}/room?teacher={room.teacher_token}")
            page.wait_for_selector(idle, timeout=180_000)
            page.wait_for_function(CHARTS_AT, arg=0, timeout=180_000)
            for r in range(1, rounds + 1):
                page.get_by_role("button", name=f"Open round {r} of {rounds}").click()
                page.wait_for_function(
                    "(r) => document.body.innerText.includes(`Close round ${r}`)",
                    arg=r,
                    timeout=60_000,
                )
                page.wait_for_selector(idle, timeout=60_000)
                page.evaluate(WATCH)
                wall = time.time() - time.perf_counter()  # perf_counter -> epoch seconds
                starts, _, closed = class_round([(clients, t) for t in tokens], r)
                page.wait_for_function(CHARTS_AT, arg=r, timeout=60_000, polling=20)
                seen = time.perf_counter()
                runs = page.evaluate("() => window.__roomRuns")
                times["submit -> teacher's page shows the refit"] += [seen - s for s in starts]
                # The page's last script run before the charts showed: the full redraw.
                began = [t / 1000.0 - wall for t in runs if t / 1000.0 - wall <= seen]
                if began:
                    times["submit -> refit (students' side)"] += [closed - s for s in starts]
                    times["refit -> page starts redrawing"].append(max(began[-1] - closed, 0.0))
                    times["redraw -> charts drawn in the browser"].append(seen - began[-1])
                page.wait_for_selector(idle, timeout=60_000)
            browser.close()
    return times


def machine() -> str:
    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    return (
        f"{dt.date.today()}; {os.cpu_count()} cores, {platform.machine()}, "
        f"Python {platform.python_version()}; load average {load[0]:.1f}, {load[1]:.1f}, "
        f"{load[2]:.1f}"
    )


def table(rows: dict[str, list[float]]) -> list[str]:
    out = ["| step | n | median s | p95 s | max s |", "|---|---:|---:|---:|---:|"]
    for step, values in rows.items():
        out.append(
            f"| {step} | {len(values)} | {statistics.median(values):.3f} | "
            f"{pct(values, 95):.3f} | {max(values):.3f} |"
        )
    return out


def verdict(values: list[float], what: str) -> str:
    p95 = pct(values, 95)
    side = "under" if p95 < 1.0 else "over"
    return (
        f"- {what}: median {statistics.median(values):.3f} s, p95 {p95:.3f} s, {side} the "
        "1 s target."
    )


def report(parts: dict[str, dict[str, list[float]]], rounds: int, start: str, end: str) -> str:
    cfg = preset_config(PRESET, batch_size=BATCH, rounds=rounds)
    lines = [
        "# A class labelling together: submit to updated chart",
        "",
        f"Written by `python benchmarks/bench_room_class.py`. Machine: {start} (at start; "
        f"{end.split('; ')[-1]} at end). The machine is shared: other work ran meanwhile.",
        "",
        f"Room: the Class labelling page's default preset, `{cfg.dataset}`, "
        f"`{cfg.strategy}`, `{cfg.model}`, batch {BATCH}, {rounds} rounds; {N_STUDENTS} "
        "students with one item each, all submitting at the same moment (a barrier). "
        "Wall-clock seconds; n is the number of samples (one per student per round).",
        "",
    ]
    if "server" in parts:
        lines += [
            "## 1. At the server: store and page functions (no browser)",
            "",
            "One `RoomStore` shared by 30 threads (the app's sessions). `submit` is one "
            "student's call; `submit -> refit` runs until the submission that completes the "
            "batch has refitted the model; `refit -> chart JSON` is what the teacher's page "
            "then does (`state`, `records`, `room_figures`: the ledger and per-group accuracy "
            "from the chart list, as plotly JSON); `submit -> chart JSON` is both, per student.",
            "",
            *table(parts["server"]),
            "",
            verdict(parts["server"]["submit -> chart JSON"], "submit to chart JSON at the server"),
            "",
        ]
    if "browser" in parts:
        lines += [
            "## 2. In a browser: the teacher's page on a real server",
            "",
            "`streamlit run streamlit_app.py`, the teacher's Class labelling page in headless "
            "chromium; the 30 students submit through their own `RoomStore` on the same "
            "SQLite file (as another server process would), so the app's store replays the "
            "refit when its page reads the room. Per student: from their submit call until "
            "the teacher's page shows the refitted round and both charts are drawn. The "
            f"teacher's page polls every {TEACHER_POLL_SECONDS:g} s while a round is open; "
            "that wait is included. The 30 student pages themselves (browsers) are not "
            "driven here: their Send button is the same `submit` call. The three rows under "
            "it split one round: until the closing submission has refitted (in the "
            "students' process), until the teacher's page starts its last script run before "
            "the charts show (the poll noticing the closed round, then the full redraw: in "
            "the app's process, replaying the refit), and from that run's start to both "
            "charts drawn in chromium (one sample per round).",
            "",
            *table(parts["browser"]),
            "",
            verdict(
                parts["browser"]["submit -> teacher's page shows the refit"],
                "submit to the teacher's updated chart in the browser",
            ),
            "",
        ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="3 rounds per part")
    ap.add_argument("--rounds", type=int, default=6, help="rounds per part (default 6)")
    ap.add_argument("--no-browser", action="store_true", help="the server part only")
    ap.add_argument("--out", type=Path, help="write the markdown report here")
    args = ap.parse_args(argv)
    rounds = 3 if args.quick else args.rounds
    start = machine()
    parts: dict[str, dict[str, list[float]]] = {}
    steps: list[tuple[str, Callable[[int, Path], dict[str, list[float]]]]] = [
        ("server", server_part)
    ]
    if not args.no_browser:
        steps.append(("browser", browser_part))
    with tempfile.TemporaryDirectory() as tmp:
        for name, fn in steps:
            parts[name] = fn(rounds, Path(tmp))
            print(f"{name}: done", file=sys.stderr)
    text = report(parts, rounds, start, machine())
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
