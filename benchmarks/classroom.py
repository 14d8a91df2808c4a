"""A classroom at once: N sessions press Play on one server, measured at the server.

    python benchmarks/classroom.py --clients 1 10 30 [--steps 10] [--same] [--speed normal]

``load_test.py`` drives real chromium pages, but on a 2-core machine 30 pages
redrawing their charts use most of both cores, so its latencies mix the
server's work with the clients' rendering. Here each student is a light
client that speaks Streamlit's own websocket protocol (the protobuf messages
the browser sends and receives), so nearly all the CPU left is the server's.

Each client:

1. opens ``/_stcore/stream`` and asks for the Explore page with its URL's
   query string (``--same``: every client the app's default run, as when a
   teacher hands out one link; otherwise each its own seed, the worst case for
   any cache), and times the first render (request to ``script_finished``);
2. presses Play (the button's widget id and fragment, read from the page);
3. acts as the browser's fragment timer: every time the server's
   ``auto_rerun`` interval elapses it asks for a fragment rerun, unless the
   previous one is still running (a browser would queue it; skipping keeps the
   client from piling up work and the skip is counted);
4. records, per step, the time from the request to ``script_finished`` and the
   "Labelled so far" value, which must grow round after round, and the
   "This run: ..." caption, which must stay this session's own.

It prints per N: first render, step latency (median, p95), the achieved rounds
per second per client against the timer's rate, the bytes each step sends,
and the server's CPU (cores used) with the clients' own CPU beside it.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import websockets  # noqa: E402  (a dependency of streamlit)
from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402
from streamlit.proto.ClientState_pb2 import ClientState  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402
from streamlit.proto.WidgetStates_pb2 import WidgetState, WidgetStates  # noqa: E402

from harness.probes import pct, rss_mb, tree_cpu  # noqa: E402
from harness.server import free_port, snapshot, streamlit_server  # noqa: E402

LABELLED = "Labelled so far"
WIDGETS = ("checkbox", "selectbox", "multiselect", "button_group", "slider", "number_input")
EARLY = ForwardMsg.ScriptFinishedStatus.FINISHED_EARLY_FOR_RERUN


@dataclass
class Student:
    idx: int
    query: str
    first_render_s: float | None = None
    first_bytes: int = 0
    steps_s: list[float] = field(default_factory=list)
    step_bytes: list[int] = field(default_factory=list)
    step_msgs: list[int] = field(default_factory=list)
    stagger_s: float = 0.0
    labelled: list[int] = field(default_factory=list)
    gaps_s: list[float] = field(default_factory=list)  # between successive round advances
    skipped_ticks: int = 0
    interval: float | None = None
    problems: list[str] = field(default_factory=list)
    caption: str = ""


def widget_state(kind: str, w) -> WidgetState | None:
    """The value a browser would hold for a widget the server just drew.

    A widget proto carries a value only when the server sets one (``set_value``);
    otherwise the browser keeps what it has, or the default for a new widget.
    The caller keeps known widgets when this returns None.
    """
    out = WidgetState(id=w.id)
    if kind == "checkbox":
        out.bool_value = w.value if w.set_value else w.default
    elif kind == "selectbox":
        out.string_value = w.raw_value if w.set_value else w.options[w.default]
    elif kind == "multiselect":
        out.string_array_value.data.extend(
            w.raw_values if w.set_value else [w.options[i] for i in w.default]
        )
    elif kind == "button_group":
        out.string_array_value.data.extend(
            w.raw_values if w.set_value else [w.options[i].content for i in w.default]
        )
    elif kind == "slider":
        out.double_array_value.data.extend(w.value if w.set_value else w.default)
    elif kind == "number_input":
        v = w.value if w.set_value else w.default
        if w.data_type == w.INT:
            out.int_value = int(v)
        else:
            out.double_value = v
    else:
        return None
    return out


class Page:
    """What one script run sent: buttons, the labelled count, the run caption, bytes.

    ``widgets`` is the session's view of every widget's value, updated from each
    drawn widget and sent back with every request, as the browser does.
    """

    def __init__(self, widgets: dict[str, WidgetState]) -> None:
        self.widgets = widgets
        self.buttons: dict[str, tuple[str, str]] = {}
        self.labelled: int | None = None
        self.caption = ""
        self.nbytes = 0
        self.nmsgs = 0
        self.auto_rerun: tuple[float, str] | None = None
        self.status: int | None = None
        self.exception = ""
        self.query: str | None = None
        self.drawn: set[str] = set()  # widget ids drawn in this run
        self.frames = 0  # animation frames in the page's plotly charts (classroom mode)

    def take(self, f: ForwardMsg) -> None:
        kind = f.WhichOneof("type")
        if kind == "page_info_changed":  # the app rewrote the URL (it holds the config)
            self.query = f.page_info_changed.query_string
        elif kind == "auto_rerun":
            self.auto_rerun = (f.auto_rerun.interval, f.auto_rerun.fragment_id)
        elif kind == "delta" and f.delta.WhichOneof("type") == "new_element":
            el = f.delta.new_element
            t = el.WhichOneof("type")
            if t == "button":
                self.buttons[el.button.label] = (el.button.id, f.delta.fragment_id)
            elif t == "metric" and el.metric.label == LABELLED:
                self.labelled = int(el.metric.body.replace(",", ""))
            elif t == "markdown" and el.markdown.body.startswith("**This run:**"):
                self.caption = el.markdown.body
            elif t == "plotly_chart" and '"frames"' in el.plotly_chart.spec:
                self.frames += el.plotly_chart.spec.count('"traces"')
            elif t in WIDGETS:
                w = getattr(el, t)
                self.drawn.add(w.id)
                if w.set_value or w.id not in self.widgets:
                    self.widgets[w.id] = widget_state(t, w)
            elif t == "exception":
                self.exception = el.exception.message or el.exception.type


async def run_script(
    ws, page: Page, query: str, triggers=(), fragment: str = "", auto: bool = False
) -> float:
    """Send one rerun request; read until the server says the run finished."""
    msg = BackMsg()
    msg.rerun_script.CopyFrom(
        ClientState(
            query_string=query,
            widget_states=WidgetStates(
                widgets=[w for k, w in page.widgets.items() if k not in {t.id for t in triggers}]
                + list(triggers)
            ),
            fragment_id=fragment,
            is_auto_rerun=auto,
        )
    )
    t0 = time.perf_counter()
    await ws.send(msg.SerializeToString())
    while True:
        data = await ws.recv()
        page.nbytes += len(data)
        page.nmsgs += 1
        f = ForwardMsg()
        f.ParseFromString(data)
        page.take(f)
        # FINISHED_EARLY_FOR_RERUN (st.rerun): the rerun it asked for follows.
        if f.WhichOneof("type") == "script_finished" and f.script_finished != EARLY:
            page.status = f.script_finished
            if f.script_finished == ForwardMsg.ScriptFinishedStatus.FINISHED_SUCCESSFULLY:
                # A full run: the browser forgets widgets it no longer shows.
                for gone in set(page.widgets) - page.drawn:
                    del page.widgets[gone]
            return time.perf_counter() - t0


async def student(
    url: str, s: Student, steps: int, start: asyncio.Event, replay: bool = False
) -> None:
    ws_url = url.replace("http", "ws", 1) + "/_stcore/stream"
    async with websockets.connect(ws_url, subprotocols=["streamlit"], max_size=None) as ws:
        widgets: dict[str, WidgetState] = {}
        first = Page(widgets)
        s.first_render_s = await run_script(ws, first, s.query)
        url_query = first.query if first.query is not None else s.query
        if first.exception:
            s.problems.append(f"first render raised: {first.exception}")
            return
        s.caption = first.caption
        s.first_bytes = first.nbytes
        if replay:
            # Classroom mode: the run arrives once as frames; plotly's Play needs
            # nothing more from the server, so there is nothing more to time.
            if not first.frames or "Play" in first.buttons:
                s.problems.append("replay=1 did not send an animated figure")
            return
        if "Play" not in first.buttons or first.labelled is None:
            s.problems.append("no Play button or no 'Labelled so far' on the first render")
            return
        await start.wait()
        await asyncio.sleep(s.stagger_s)
        pid, frag = first.buttons["Play"]
        click = Page(widgets)
        await run_script(ws, click, url_query, [WidgetState(id=pid, trigger_value=True)], frag)
        # Play reruns the whole page once so that the fragment gets its timer.
        if click.auto_rerun is None:
            s.problems.append("Play did not start the fragment timer (no auto_rerun)")
            return
        s.interval, frag = click.auto_rerun
        last_label = click.labelled if click.labelled is not None else first.labelled
        last_advance = time.perf_counter()
        next_tick = time.perf_counter() + s.interval
        while len(s.steps_s) < steps:
            await asyncio.sleep(max(0.0, next_tick - time.perf_counter()))
            tick = Page(widgets)
            took = await run_script(ws, tick, url_query, (), frag, auto=True)
            next_tick += s.interval
            while next_tick < time.perf_counter():  # the browser's timer fired while busy
                s.skipped_ticks += 1
                next_tick += s.interval
            if tick.exception:
                s.problems.append(f"step raised: {tick.exception}")
                return
            s.steps_s.append(took)
            s.step_bytes.append(tick.nbytes)
            s.step_msgs.append(tick.nmsgs)
            if tick.labelled is not None:
                if tick.labelled > last_label:
                    now = time.perf_counter()
                    s.gaps_s.append(now - last_advance)
                    last_advance = now
                    last_label = tick.labelled
                s.labelled.append(tick.labelled)
            if tick.caption and tick.caption != s.caption:
                s.problems.append("the run caption changed: another session's run?")
            if "Play" in tick.buttons and "Pause" not in tick.buttons:
                break  # the run ended and playing stopped
        if not s.labelled or max(s.labelled) <= first.labelled:
            s.problems.append(
                f"Play did not advance the run: labelled {first.labelled}, then {s.labelled[:5]}"
            )


@dataclass
class Wave:
    n: int
    students: list[Student]
    seconds: float
    server_cores: float
    client_cores: float
    rss_mb: float | None


def queries(n: int, same: bool, base: str, replay: bool = False) -> list[str]:
    out = []
    for i in range(n):
        q = dict(urllib.parse.parse_qsl(base))
        if not same:
            q["seed"] = str(1000 + i)
        if replay:
            q["replay"] = "1"
        out.append(urllib.parse.urlencode(q))
    return out


async def wave(
    url: str,
    n: int,
    steps: int,
    same: bool,
    base: str,
    pid: int,
    replay: bool = False,
    stagger: float = 0.0,
) -> Wave:
    students = [Student(i, q) for i, q in enumerate(queries(n, same, base, replay))]
    # --stagger: students press Play at spread-out moments (a fixed, even spread), so
    # their timers are out of phase; 0 = everyone at the same instant (the worst case).
    for s in students:
        s.stagger_s = stagger * s.idx / max(n, 1)
    start = asyncio.Event()
    tasks = [asyncio.create_task(student(url, s, steps, start, replay)) for s in students]
    # Every student has the page before anyone presses Play (a class following
    # the teacher's "now press Play").
    while not all(s.first_render_s is not None or s.problems for s in students):
        await asyncio.sleep(0.05)
    cpu0, me0, t0 = tree_cpu(pid), time.process_time(), time.monotonic()
    start.set()
    for t in tasks:
        try:
            await t
        except Exception as e:  # noqa: BLE001 - a broken connection is a finding
            students[tasks.index(t)].problems.append(f"{type(e).__name__}: {e}")
    secs = time.monotonic() - t0
    # Classroom mode has no stepping phase: no CPU rate to report.
    rate = (lambda x: x / secs) if secs >= 1.0 else (lambda x: float("nan"))
    return Wave(
        n,
        students,
        secs,
        rate(tree_cpu(pid) - cpu0),
        rate(time.process_time() - me0),
        rss_mb(pid),
    )


def _ms(x: float | None) -> str:
    return "–" if x is None else f"{1000 * x:,.0f}"


def report(waves: list[Wave], same: bool, replay: bool = False, stagger: float = 0.0) -> str:
    rows = [
        "| clients | first render median / p95 ms | first render kB | step median ms | step p95 ms | "
        "rounds/s per client (timer) | skipped ticks | kB per step | messages per step | "
        "server cores | client cores | RSS MB | problems |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for w in waves:
        firsts = [s.first_render_s for s in w.students if s.first_render_s is not None]
        steps = [x for s in w.students for x in s.steps_s]
        kb = [b / 1e3 for s in w.students for b in s.step_bytes]
        msgs = [m for s in w.students for m in s.step_msgs]
        rates = [
            (len(s.gaps_s) / sum(s.gaps_s)) if s.gaps_s and sum(s.gaps_s) > 0 else 0.0
            for s in w.students
        ]
        timer = next((s.interval for s in w.students if s.interval), None)
        probs = sum(bool(s.problems) for s in w.students)
        rows.append(
            f"| {w.n} | {_ms(statistics.median(firsts) if firsts else None)} / "
            f"{_ms(pct(firsts, 95))} | "
            f"{statistics.median([s.first_bytes for s in w.students]) / 1e3:.0f} | "
            f"{_ms(statistics.median(steps) if steps else None)} | "
            f"{_ms(pct(steps, 95))} | {statistics.median(rates):.2f} "
            f"({'–' if not timer else f'{1 / timer:.2f}'}) | "
            f"{sum(s.skipped_ticks for s in w.students)} | "
            f"{statistics.median(kb) if kb else 0:.0f} | "
            f"{statistics.median(msgs) if msgs else 0:.0f} | {w.server_cores:.2f} | "
            f"{w.client_cores:.2f} | {w.rss_mb or 0:.0f} | {probs} |"
        )
    detail = [
        f"- N={w.n} session {s.idx}: {p}" for w in waves for s in w.students for p in s.problems
    ][:20]
    mode = "every client the same URL" if same else "each client its own seed"
    if stagger:
        mode += f"; Play pressed over {stagger:g} s, not at one instant"
    if replay:
        mode += "; classroom mode: Play runs in the browser, so only the first render costs"
    return "\n".join(
        [f"Classroom load ({mode}), server-side, {time.strftime('%Y-%m-%d %H:%M')}", ""]
        + rows
        + ([""] + detail if detail else [])
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clients", type=int, nargs="+", default=[1, 10, 30])
    ap.add_argument("--steps", type=int, default=10, help="Play ticks per client")
    ap.add_argument("--same", action="store_true", help="every client opens the same URL")
    ap.add_argument(
        "--replay", action="store_true", help="classroom mode (replay=1): Play runs in the browser"
    )
    ap.add_argument(
        "--stagger",
        type=float,
        default=0.0,
        help="spread the Play presses evenly over this many seconds (default 0: all at once)",
    )
    ap.add_argument("--query", default="", help="the URL's query string (default: the app's)")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--url", default="", help="measure a server that is already running")
    ap.add_argument("--pid", type=int, default=0, help="that server's process id (for its CPU)")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "classroom.md")
    args = ap.parse_args(argv)
    bad = [n for n in args.clients if n < 1]
    if bad or args.steps < 1 or args.stagger < 0:
        ap.error(
            f"--clients and --steps must be >= 1 and --stagger >= 0 (got clients "
            f"{args.clients}, steps {args.steps}, stagger {args.stagger})"
        )

    def measure(url: str, pid: int) -> str:
        waves = []
        for n in args.clients:
            w = asyncio.run(
                wave(url, n, args.steps, args.same, args.query, pid, args.replay, args.stagger)
            )
            waves.append(w)
            print(report([w], args.same, args.replay, args.stagger).splitlines()[4], flush=True)
        return report(waves, args.same, args.replay, args.stagger)

    if args.url:
        text = measure(args.url.rstrip("/"), args.pid)
    else:
        with tempfile.TemporaryDirectory(prefix="wgl-class-") as tmp:
            app = snapshot(Path(tmp) / "app")
            with streamlit_server(
                args.port or free_port(), Path(tmp) / "server.log", timing=False, cwd=app
            ) as (url, pid):
                text = measure(url, pid)
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
