"""Many users at once: N real browser sessions stepping the Explore page together.

    python benchmarks/load_test.py --clients 1 10 30 [--steps 8] [--port P]

Starts ONE ``streamlit run streamlit_app.py`` (headless, no usage stats, free
port) and ONE headless chromium. For each N it opens N browser contexts (each
its own cookies, so its own Streamlit session), each on a URL with different
settings (seed, strategy, seed-set and batch size; two_groups with 5,000 rows,
and adult:group=sex for every fifth session). Once every session has drawn its
first page, all of them press Step ``--steps`` times, as fast as the app
answers. Per step it records:

- the step latency: from the click event to the moment the "Labelled so far"
  metric shows the new count, both timed in the page (``performance.now()`` in a
  capturing click listener and a MutationObserver), so the driver's own event
  loop does not inflate it; and the time until the rerun has finished
  (``data-test-script-state=notRunning``), timed by the driver;
- isolation: the count, the "This run: ..." caption (strategy and seed) and the
  URL (``seed=``, ``strategy=``) must be what this session asked for;
- errors: ``stException``, ``st.error`` boxes, "Traceback", uncaught page errors.

The server's RSS (``/proc/PID/status`` VmRSS) is sampled before, during (peak)
and 10 s after the contexts close. The wave given by ``--repeat`` (default 10)
runs twice with fresh seeds: the second wave must not leave RSS much above the
first (caches and stored sessions are bounded).

Why the async API: Playwright's sync API objects belong to the thread that
started them, so "one thread per context" would need one Playwright (and one
chromium) per thread. The async API drives N contexts of ONE browser over one
connection from one event loop (``asyncio.gather``); waiting costs nothing, and
since the latency is timed inside each page, event-loop scheduling in the driver
does not enter the number.

The browsers run on the same machine as the server, so on a 2-core box the step
latency includes client-side rendering contention (N pages redrawing six plotly
charts each, in software GL) as well as the server's own work.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
#: Same flags as tests/e2e/conftest.py (Debian's chromium, never `playwright install`).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
STRATEGIES = ("least_confidence", "margin", "entropy", "random")
#: Bounded memory: RSS after the second repeated wave <= after the first + max(these).
MEM_SLACK_MB = 40.0
MEM_SLACK_FRAC = 0.10
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
CLK = os.sysconf("SC_CLK_TCK")

# Installed in every page before Streamlit's own scripts.
PAGE_HOOKS = """
(() => {
  window.__wgl = { click: null };
  document.addEventListener('click', (e) => {
    const t = e.target;
    if (t && t.closest && t.closest('button')) window.__wgl.click = performance.now();
  }, true);
  window.__wglLabelled = () => {
    for (const m of document.querySelectorAll('[data-testid="stMetric"]')) {
      const l = m.querySelector('[data-testid="stMetricLabel"]');
      if (l && l.textContent.trim().startsWith('Labelled so far')) {
        const v = m.querySelector('[data-testid="stMetricValue"]');
        return v ? v.textContent.trim() : null;
      }
    }
    return null;
  };
  window.__wglArm = (want) => {
    window.__wgl.click = null;
    window.__wglWait = new Promise((resolve) => {
      const obs = new MutationObserver(() => {
        if (window.__wglLabelled() === want) {
          obs.disconnect();
          resolve({ click: window.__wgl.click, seen: performance.now() });
        }
      });
      obs.observe(document.documentElement, { subtree: true, childList: true, characterData: true });
    });
    return true;
  };
})();
"""

PAGE_STATE = """
() => {
  let caption = null;
  for (const c of document.querySelectorAll('[data-testid="stCaptionContainer"]')) {
    if (c.textContent.includes('This run:')) { caption = c.textContent.trim(); break; }
  }
  const text = document.body ? document.body.textContent : '';
  return {
    labelled: window.__wglLabelled ? window.__wglLabelled() : null,
    caption,
    exceptions: document.querySelectorAll('[data-testid="stException"]').length,
    errors: [...document.querySelectorAll('[data-testid="stAlertContentError"]')]
      .map(e => e.textContent.trim().slice(0, 200)),
    warnings: [...document.querySelectorAll('[data-testid="stAlertContentWarning"]')]
      .map(e => e.textContent.trim().slice(0, 200)),
    traceback: text.includes('Traceback'),
  };
}
"""


# --------------------------------------------------------------------------- plans


@dataclass(frozen=True)
class SessionPlan:
    """What one simulated student asks for."""

    idx: int
    dataset: str
    scenario: str
    strategy: str
    seed: int
    initial: int
    batch: int
    rounds: int

    def query(self) -> str:
        return urllib.parse.urlencode(
            {
                "dataset": self.dataset,
                "scenario": self.scenario,
                "strategy": self.strategy,
                "model": "logistic",
                "seed": self.seed,
                "initial": self.initial,
                "batch": self.batch,
                "rounds": self.rounds,
            }
        )

    def expected(self, k: int) -> str:
        """The "Labelled so far" value after k steps, formatted as the app does."""
        return f"{self.initial + self.batch * k:,}"


def plan_sessions(n: int, *, steps: int, wave: int = 0, adult_every: int = 5) -> list[SessionPlan]:
    """N different, light configurations: strategy, seed, seed set and batch all vary.

    Every ``adult_every``-th session uses adult:group=sex (a 36k-row pool); the
    others two_groups with 5,000 rows. ``wave`` shifts the seeds, so a repeated
    wave asks for runs nobody has asked for yet. Rounds = steps + 2, so Step
    never reaches the end and each run costs little to simulate.
    """
    plans = []
    for i in range(n):
        adult = adult_every > 0 and i % adult_every == adult_every - 1
        plans.append(
            SessionPlan(
                idx=i,
                dataset="adult:group=sex" if adult else "two_groups:n_samples=5000",
                scenario="label_bias:group=Female,flip=0.4" if adult else "label_bias:flip=0.3",
                strategy=STRATEGIES[i % len(STRATEGIES)],
                seed=1000 * wave + i,
                initial=20 + 5 * (i % 3),
                batch=5 + 5 * (i % 4),
                rounds=steps + 2,
            )
        )
    return plans


# --------------------------------------------------------------------------- results


@dataclass
class SessionResult:
    plan: SessionPlan
    connected: bool = False
    first_render_s: float | None = None
    latencies_ms: list[float] = field(default_factory=list)
    settle_ms: list[float] = field(default_factory=list)
    steps_done: int = 0
    errors: list[str] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    ws_opened: int = 0
    ws_closed: int = 0
    ws_closed_at: list[str] = field(default_factory=list)  # when, for diagnosis
    cdp: Any = None
    main_task_s: float = 0.0  # renderer main-thread busy time over the steps (CDP)
    main_script_s: float = 0.0  # of which JavaScript


@dataclass
class WaveResult:
    label: str
    n: int
    steps: int
    sessions: list[SessionResult]
    server_active: int | None = None
    rss_before: float | None = None
    rss_peak: float | None = None
    rss_after: float | None = None
    wall_s: float = 0.0
    step_phase_s: float = 0.0
    server_cpu_s: float | None = None
    client_cpu_s: float | None = None
    machine_util: float | None = None
    load_avg: float | None = None
    server_body_ms: list[float] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.label if self.label.startswith("N=") else f"N={self.n} {self.label}"

    @property
    def latencies(self) -> list[float]:
        return [x for s in self.sessions for x in s.latencies_ms]

    @property
    def settles(self) -> list[float]:
        return [x for s in self.sessions for x in s.settle_ms]

    @property
    def errors(self) -> list[str]:
        return [f"session {s.plan.idx}: {e}" for s in self.sessions for e in s.errors]

    @property
    def violations(self) -> list[str]:
        return [f"session {s.plan.idx}: {v}" for s in self.sessions for v in s.violations]

    @property
    def connected(self) -> int:
        return sum(s.connected for s in self.sessions)

    @property
    def steps_measured(self) -> int:
        return len(self.latencies)

    @property
    def all_held(self) -> bool:
        """Every session drew its page, kept one websocket open, and the server agrees."""
        ok = all(s.connected and s.ws_opened == 1 and s.ws_closed == 0 for s in self.sessions)
        return ok and (self.server_active is None or self.server_active >= self.n)


def pct(xs: list[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100); None for no data."""
    if not xs:
        return None
    s = sorted(xs)
    k = max(0, min(len(s) - 1, int(-(-q * len(s) // 100)) - 1))
    return s[k]


# --------------------------------------------------------------------------- /proc probes


def rss_mb(pid: int | None) -> float | None:
    if pid is None:
        return None
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        return None
    return None


def _stat(pid: int) -> tuple[int, float] | None:
    """(ppid, cpu seconds) of a process."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    rest = raw[raw.rfind(")") + 2 :].split()
    return int(rest[1]), (int(rest[11]) + int(rest[12])) / CLK


def tree_cpu(root: int, exclude: int | None = None) -> float:
    """CPU seconds of ``root`` and its live descendants, minus ``exclude``'s subtree."""
    stats = {}
    for d in os.listdir("/proc"):
        if d.isdigit() and (st := _stat(int(d))) is not None:
            stats[int(d)] = st
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in stats.items():
        children.setdefault(ppid, []).append(pid)
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        if pid == exclude or pid not in stats:
            continue
        total += stats[pid][1]
        todo.extend(children.get(pid, []))
    return total


def machine_jiffies() -> tuple[int, int]:
    """(busy, total) jiffies over all cores."""
    f = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = f[3] + (f[4] if len(f) > 4 else 0)
    return sum(f) - idle, sum(f)


def active_sessions(base_url: str) -> int | None:
    """The server's own count of connected sessions (Streamlit's /_stcore/metrics)."""
    try:
        with urllib.request.urlopen(
            f"{base_url}/_stcore/metrics?families=active_sessions", timeout=10
        ) as r:
            for line in r.read().decode().splitlines():
                if line.startswith("active_sessions"):
                    return int(float(line.split()[-1]))
    except (OSError, ValueError):
        return None
    return None


# --------------------------------------------------------------------------- one session


async def open_session(
    ctx: Any, base_url: str, plan: SessionPlan, res: SessionResult, *, load_timeout: float
) -> Any:
    """A page in ``ctx`` on the plan's URL, drawn and idle."""
    page = await ctx.new_page()
    page.on("pageerror", lambda e: res.errors.append(f"page error: {e}"))

    def console(msg: Any) -> None:
        if msg.type == "error":
            res.console_errors.append(msg.text[:200])

    page.on("console", console)

    t_page = time.monotonic()

    def websocket(ws: Any) -> None:
        if "/_stcore/stream" in ws.url:
            res.ws_opened += 1

            def closed(*_: Any) -> None:
                res.ws_closed += 1
                where = f"after step {res.steps_done}" if res.connected else "while loading"
                res.ws_closed_at.append(f"{time.monotonic() - t_page:.0f} s after opening, {where}")

            ws.on("close", closed)

    page.on("websocket", websocket)
    res.cdp = await ctx.new_cdp_session(page)
    await res.cdp.send("Performance.enable")
    await page.add_init_script(PAGE_HOOKS)
    t0 = time.monotonic()
    await page.goto(
        f"{base_url}/?{plan.query()}", wait_until="domcontentloaded", timeout=load_timeout * 1000
    )
    await page.wait_for_function(
        "(w) => window.__wglLabelled && window.__wglLabelled() === w",
        arg=plan.expected(0),
        polling=100,
        timeout=load_timeout * 1000,
    )
    await page.wait_for_selector(IDLE, timeout=load_timeout * 1000)
    res.first_render_s = time.monotonic() - t0
    res.connected = True
    return page


async def check_page(page: Any, plan: SessionPlan, k: int, res: SessionResult) -> None:
    """Errors and isolation after step k (0 = first render)."""
    st = await page.evaluate(PAGE_STATE)
    where = f"step {k}" if k else "first render"
    if st["exceptions"]:
        res.errors.append(f"{where}: {st['exceptions']} stException element(s)")
    for e in st["errors"]:
        res.errors.append(f"{where}: st.error: {e}")
    if st["traceback"]:
        res.errors.append(f"{where}: 'Traceback' in the page")
    for w in st["warnings"]:
        if w not in res.warnings:
            res.warnings.append(w)
    want = plan.expected(k)
    if st["labelled"] != want:
        res.violations.append(f"{where}: Labelled so far {st['labelled']!r}, asked for {want!r}")
    cap = st["caption"] or ""
    if f"{plan.strategy} choosing" not in cap or f"seed {plan.seed};" not in cap:
        res.violations.append(
            f"{where}: caption {cap[:120]!r} is not strategy {plan.strategy}, seed {plan.seed}"
        )
    q = urllib.parse.parse_qs(urllib.parse.urlsplit(page.url).query)
    if q.get("seed") != [str(plan.seed)] or q.get("strategy") != [plan.strategy]:
        res.violations.append(
            f"{where}: URL seed={q.get('seed')} strategy={q.get('strategy')}, "
            f"asked for {plan.seed} / {plan.strategy}"
        )


async def main_thread(res: SessionResult) -> tuple[float, float]:
    """(task, script) seconds the page's renderer main thread has been busy so far."""
    if res.cdp is None:
        return 0.0, 0.0
    m = await res.cdp.send("Performance.getMetrics")
    v = {x["name"]: x["value"] for x in m["metrics"]}
    return v.get("TaskDuration", 0.0), v.get("ScriptDuration", 0.0)


async def step_session(
    page: Any,
    plan: SessionPlan,
    res: SessionResult,
    *,
    steps: int,
    step_timeout: float,
    think: float,
) -> None:
    await check_page(page, plan, 0, res)
    m0 = await main_thread(res)
    button = page.get_by_role("button", name="Step")
    for k in range(1, steps + 1):
        want = plan.expected(k)
        await page.evaluate("(w) => window.__wglArm(w)", want)
        t0 = time.monotonic()
        await button.click(timeout=step_timeout * 1000)
        try:
            got = await asyncio.wait_for(page.evaluate("() => window.__wglWait"), step_timeout)
        except TimeoutError:
            now = await page.evaluate("() => window.__wglLabelled()")
            res.violations.append(
                f"step {k}: Labelled so far stayed {now!r} for {step_timeout:.0f} s, "
                f"asked for {want!r}"
            )
            return
        wall_ms = (time.monotonic() - t0) * 1000
        in_page = got["seen"] - got["click"] if got.get("click") is not None else None
        res.latencies_ms.append(in_page if in_page is not None else wall_ms)
        await page.wait_for_selector(IDLE, timeout=step_timeout * 1000)
        res.settle_ms.append((time.monotonic() - t0) * 1000)
        res.steps_done = k
        m1 = await main_thread(res)
        res.main_task_s += m1[0] - m0[0]
        res.main_script_s += m1[1] - m0[1]
        await check_page(page, plan, k, res)
        if think:
            await asyncio.sleep(think)
        m0 = await main_thread(res)


# --------------------------------------------------------------------------- one wave


async def run_wave(
    browser: Any,
    base_url: str,
    plans: list[SessionPlan],
    *,
    steps: int,
    label: str = "",
    server_pid: int | None = None,
    server_log: Path | None = None,
    settle_after: float = 10.0,
    load_timeout: float = 600.0,
    step_timeout: float = 180.0,
    think: float = 0.0,
) -> WaveResult:
    """Open every plan's session at once, wait until all have drawn, step them together."""
    n = len(plans)
    wave = WaveResult(
        label=label or f"N={n}", n=n, steps=steps, sessions=[SessionResult(p) for p in plans]
    )
    wave.rss_before = rss_mb(server_pid)
    wave.load_avg = os.getloadavg()[0]
    peak = [wave.rss_before or 0.0]
    stop = asyncio.Event()

    async def sample() -> None:
        while not stop.is_set():
            if (r := rss_mb(server_pid)) is not None:
                peak[0] = max(peak[0], r)
            try:
                await asyncio.wait_for(stop.wait(), 0.25)
            except TimeoutError:
                pass

    sampler = asyncio.create_task(sample())
    t_wave = time.monotonic()
    ready = asyncio.Event()
    arrived = [0]
    marks: dict[str, Any] = {}

    def arrive() -> None:
        arrived[0] += 1
        if arrived[0] == n:
            # Everyone has drawn (or failed): start the clocks for the step phase.
            marks["t"] = time.monotonic()
            marks["srv"] = _stat(server_pid)[1] if server_pid and _stat(server_pid) else None
            marks["cli"] = tree_cpu(os.getpid(), exclude=server_pid)
            marks["mach"] = machine_jiffies()
            marks["log"] = server_log.stat().st_size if server_log else 0
            ready.set()

    async def one(res: SessionResult) -> Any:
        ctx = None
        try:
            try:
                ctx = await browser.new_context(viewport={"width": 1280, "height": 900})
                page = await open_session(ctx, base_url, res.plan, res, load_timeout=load_timeout)
            finally:
                arrive()
            await ready.wait()
            await step_session(
                page, res.plan, res, steps=steps, step_timeout=step_timeout, think=think
            )
        except Exception as exc:  # noqa: BLE001 -- a failed session is a result, not a crash
            msg = " | ".join(x.strip() for x in str(exc).splitlines()[:4])
            res.errors.append(f"driver: {type(exc).__name__}: {msg[:400]}")
        return ctx

    contexts = await asyncio.gather(*(one(r) for r in wave.sessions))
    # Step phase over; every context is still open: how many sessions does the server hold?
    t_end = time.monotonic()
    if server_pid and "srv" in marks and marks["srv"] is not None and _stat(server_pid):
        wave.server_cpu_s = _stat(server_pid)[1] - marks["srv"]
    if "cli" in marks:
        wave.client_cpu_s = tree_cpu(os.getpid(), exclude=server_pid) - marks["cli"]
        b0, a0 = marks["mach"]
        b1, a1 = machine_jiffies()
        wave.machine_util = (b1 - b0) / max(a1 - a0, 1) * (os.cpu_count() or 1)
        wave.step_phase_s = t_end - marks["t"]
    if server_log is not None and "log" in marks:
        with open(server_log, "rb") as f:
            f.seek(marks["log"])
            for line in f.read().decode(errors="replace").splitlines():
                if line.startswith("TIMING body "):
                    wave.server_body_ms.append(float(line.split()[2]))
    wave.server_active = active_sessions(base_url)
    await asyncio.gather(*(c.close() for c in contexts if c is not None), return_exceptions=True)
    wave.wall_s = time.monotonic() - t_wave
    await asyncio.sleep(settle_after)
    stop.set()
    await sampler
    wave.rss_peak = peak[0] if server_pid else None
    wave.rss_after = rss_mb(server_pid)
    return wave


async def run_waves(
    base_url: str,
    waves: list[tuple[str, list[SessionPlan]]],
    *,
    steps: int,
    warmup: list[SessionPlan] | None = None,
    progress: bool = False,
    out: list[WaveResult] | None = None,
    on_wave: Callable[[WaveResult], None] | None = None,
    **kw: Any,
) -> tuple[list[WaveResult], str]:
    """One chromium for every wave; returns the results and the browser's version.

    Finished waves are appended to ``out`` (so a caller keeps them if the run is
    interrupted) and passed to ``on_wave``.
    """
    from playwright.async_api import async_playwright

    out = [] if out is None else out
    async with async_playwright() as p:
        browser = await p.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        version = browser.version
        try:
            if warmup:
                if progress:
                    print(f"warm-up: {len(warmup)} session(s)", flush=True)
                await run_wave(
                    browser,
                    base_url,
                    warmup,
                    steps=1,
                    settle_after=0,
                    **{
                        k: v
                        for k, v in kw.items()
                        if k not in ("server_pid", "server_log", "settle_after")
                    },
                )
            for label, plans in waves:
                if progress:
                    name = label if label.startswith("N=") else f"N={len(plans)} {label}"
                    print(f"wave {name}: {steps} steps each ...", flush=True)
                w = await run_wave(browser, base_url, plans, steps=steps, label=label, **kw)
                if progress:
                    print("  " + summary_line(w), flush=True)
                out.append(w)
                if on_wave is not None:
                    on_wave(w)
        finally:
            await browser.close()
    return out, version


def run_wave_blocking(
    base_url: str, plans: list[SessionPlan], *, steps: int, **kw: Any
) -> WaveResult:
    """One wave from synchronous code (pytest), on its own thread and event loop.

    A fresh thread keeps ``asyncio.run`` clear of any loop the caller's thread
    may hold (pytest-playwright or the sync ``browser`` fixture).
    """
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["r"] = asyncio.run(run_waves(base_url, [("", plans)], steps=steps, **kw))
        except BaseException as exc:  # noqa: BLE001 -- re-raised in the caller's thread
            box["e"] = exc

    t = threading.Thread(target=target, name="load-wave")
    t.start()
    t.join()
    if "e" in box:
        raise box["e"]
    return box["r"][0][0]


# --------------------------------------------------------------------------- server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def snapshot(dest: Path) -> Path:
    """Copy the working tree (tracked + untracked, not ignored) to ``dest``.

    The server runs from this copy: other work may edit the repo during a long
    run, and Streamlit's file watcher unloads changed modules, so a mid-run edit
    would mix two versions of the app inside one measurement.
    """
    try:
        out = subprocess.run(
            ["git", "ls-files", "-z", "-co", "--exclude-standard"],
            cwd=ROOT,
            capture_output=True,
            check=True,
        ).stdout.decode()
        files = [f for f in out.split("\0") if f]
    except (OSError, subprocess.CalledProcessError):
        files = [
            str(p.relative_to(ROOT))
            for p in ROOT.rglob("*")
            if p.is_file() and ".git" not in p.parts and "__pycache__" not in p.parts
        ]
    for f in files:
        src = ROOT / f
        if src.is_file():
            (dest / f).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / f)
    return dest


def server_tracebacks(log_text: str, limit: int = 3) -> list[str]:
    """The distinct tracebacks in a server log (last line + the app frame nearest it)."""
    blocks, cur = [], None
    for line in log_text.splitlines():
        if line.startswith("Traceback"):
            cur = [line]
        elif cur is not None:
            cur.append(line)
            if line and not line.startswith(" "):
                blocks.append(cur)
                cur = None
    seen, out = set(), []
    for b in blocks:
        frames = [
            x.strip() for x in b if x.strip().startswith("File ") and "site-packages" not in x
        ]
        key = (b[-1], frames[-1] if frames else "")
        if key not in seen:
            seen.add(key)
            out.append(
                f"{b[-1][:300]} (at {key[1][:200] or 'streamlit internals'}; {len(b)} lines)"
            )
    return out[:limit]


@contextmanager
def streamlit_server(
    port: int, log_path: Path, *, timing: bool = True, cwd: Path = ROOT
) -> Iterator[tuple[str, int]]:
    """``streamlit run streamlit_app.py`` in ``cwd`` on ``port``, healthy; yields (url, pid)."""
    env = dict(os.environ)
    if timing:
        env["WGL_TIMING"] = "1"  # dashboard/player.py prints each fragment body's time
    log = open(log_path, "w")  # noqa: SIM115
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "streamlit_app.py",
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=cwd,
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"streamlit exited with {proc.returncode}; see {log_path}")
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.read().decode().strip() == "ok":
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"streamlit not healthy in 90 s; see {log_path}")
            time.sleep(0.5)
        yield url, proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


# --------------------------------------------------------------------------- report


def _f(x: float | None, fmt: str = "{:.0f}") -> str:
    return "n/a" if x is None else fmt.format(x)


def summary_line(w: WaveResult) -> str:
    return (
        f"{w.connected}/{w.n} drew, server holds {w.server_active}, "
        f"{w.steps_measured}/{w.n * w.steps} steps, median {_f(pct(w.latencies, 50))} ms, "
        f"p95 {_f(pct(w.latencies, 95))} ms, {len(w.errors)} errors, "
        f"{len(w.violations)} violations, RSS {_f(w.rss_before)}/{_f(w.rss_peak)}/"
        f"{_f(w.rss_after)} MB, {w.wall_s:.0f} s"
    )


def memory_check(
    waves: list[WaveResult], repeat: int, *, slack_mb: float, slack_frac: float
) -> tuple[bool | None, str]:
    same = [w for w in waves if w.n == repeat and w.rss_after is not None]
    if len(same) < 2:
        return None, f"no repeated N={repeat} wave to compare"
    a, b = same[0].rss_after, same[1].rss_after
    limit = a + max(slack_mb, slack_frac * a)
    ok = b <= limit
    return ok, (
        f"N={repeat} twice: RSS after the first wave {a:.0f} MB, after the second {b:.0f} MB "
        f"({b - a:+.0f} MB; limit {limit:.0f} MB = first + max({slack_mb:.0f} MB, "
        f"{slack_frac:.0%})): {'bounded' if ok else 'GREW'}"
    )


def report(
    waves: list[WaveResult], *, meta: list[str], mem: tuple[bool | None, str], notes: list[str]
) -> str:
    lines = ["# Many users at once: load test of the Explore page", "", *meta, ""]
    lines += [
        "| clients | sessions held (all connected?) | steps measured | median step (ms) "
        "| p95 step (ms) | errors | isolation violations | server RSS before / peak / after (MB) |",
        "|---:|---|---:|---:|---:|---:|---:|---|",
    ]
    for w in waves:
        held = f"{w.server_active if w.server_active is not None else w.connected}/{w.n}"
        lines.append(
            f"| {w.n}{' (' + w.label + ')' if w.label != f'N={w.n}' else ''} "
            f"| {held} ({'yes' if w.all_held else 'NO'}) "
            f"| {w.steps_measured}/{w.n * w.steps} | {_f(pct(w.latencies, 50))} "
            f"| {_f(pct(w.latencies, 95))} | {len(w.errors)} | {len(w.violations)} "
            f"| {_f(w.rss_before)} / {_f(w.rss_peak)} / {_f(w.rss_after)} |"
        )
    lines += ["", f"Memory: {mem[1]}.", ""]
    lines += [
        "## Where the time goes",
        "",
        "Step phase only: from the moment every session had drawn its first page to the last "
        "step. *Server body* = `dashboard/player.py`'s fragment body (charts, captions, cards), "
        "timed in the server (`WGL_TIMING=1`) by wall clock, so it includes waiting for the GIL. "
        "*Per step* = CPU time of the phase / steps measured. *Browsers* = chromium (all its "
        "processes) + the Playwright driver. *Renderer main thread* = Chrome's own "
        "TaskDuration / ScriptDuration (CDP Performance metrics) summed over the pages, per step. "
        "*Cores busy* = CPU time / phase length (1.0 = one core for the whole phase; the machine "
        f"has {os.cpu_count()}); *other* = processes outside this benchmark (other users of the "
        "machine). *Load avg* = 1-min load average when the wave started.",
        "",
        "| clients | load avg | first render median / max (s) | step to idle median / p95 (ms) "
        "| server body median / p95 (ms) | server CPU per step (ms) | browsers CPU per step (ms) "
        "| renderer main thread per step: busy / JS (ms) | step phase (s) "
        "| cores busy: server / browsers / other |",
        "|---:|---:|---|---|---|---:|---:|---|---:|---|",
    ]
    for w in waves:
        fr = [s.first_render_s for s in w.sessions if s.first_render_s is not None]
        ph = max(w.step_phase_s, 1e-9)
        k = max(w.steps_measured, 1)
        srv, cli = w.server_cpu_s, w.client_cpu_s
        other = None
        if w.machine_util is not None and srv is not None and cli is not None:
            other = max(0.0, w.machine_util - (srv + cli) / ph)
        task = sum(s.main_task_s for s in w.sessions)
        js = sum(s.main_script_s for s in w.sessions)
        lines.append(
            f"| {w.n}{' (' + w.label + ')' if w.label != f'N={w.n}' else ''} "
            f"| {_f(w.load_avg, '{:.1f}')} "
            f"| {_f(pct(fr, 50), '{:.1f}')} / {_f(max(fr) if fr else None, '{:.1f}')} "
            f"| {_f(pct(w.settles, 50))} / {_f(pct(w.settles, 95))} "
            f"| {_f(pct(w.server_body_ms, 50))} / {_f(pct(w.server_body_ms, 95))} "
            f"| {_f(None if srv is None else 1000 * srv / k)} "
            f"| {_f(None if cli is None else 1000 * cli / k)} "
            f"| {1000 * task / k:.0f} / {1000 * js / k:.0f} "
            f"| {w.step_phase_s:.1f} "
            f"| {_f(None if srv is None else srv / ph, '{:.2f}')} / "
            f"{_f(None if cli is None else cli / ph, '{:.2f}')} / {_f(other, '{:.2f}')} |"
        )
    problems = []
    for w in waves:
        for e in (w.errors + w.violations)[:10]:
            problems.append(f"- {w.name}: {e}")
        for s in w.sessions:
            if not s.connected:
                problems.append(f"- {w.name}: session {s.plan.idx} never drew its page")
            elif s.ws_opened != 1 or s.ws_closed:
                problems.append(
                    f"- {w.name}: session {s.plan.idx} websocket opened {s.ws_opened}x, "
                    f"closed {s.ws_closed}x during the wave (" + "; ".join(s.ws_closed_at[:3]) + ")"
                )
        warns = sorted({x for s in w.sessions for x in s.warnings})
        for x in warns[:3]:
            problems.append(f"- {w.name}: st.warning shown: {x}")
        cons = sorted({x for s in w.sessions for x in s.console_errors})
        if cons:
            problems.append(
                f"- {w.name}: {sum(len(s.console_errors) for s in w.sessions)} browser console "
                f"error(s) (not counted as app errors), e.g. {cons[0]!r}"
            )
    lines += ["", "## Problems seen", "", *(problems or ["None."]), ""]
    lines += ["## Notes", "", *notes, ""]
    return "\n".join(lines)


def _git() -> str:
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            text=True,
            capture_output=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain"], cwd=ROOT, text=True, capture_output=True, check=True
        ).stdout.strip()
        return head + (" + uncommitted changes" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clients", type=int, nargs="+", default=[1, 10, 30])
    ap.add_argument("--steps", type=int, default=8)
    ap.add_argument("--port", type=int, default=None)
    ap.add_argument(
        "--repeat",
        type=int,
        default=10,
        help="run this N twice (fresh seeds) and compare RSS after each",
    )
    ap.add_argument("--think", type=float, default=0.0, help="seconds between a session's steps")
    ap.add_argument(
        "--settle",
        type=float,
        default=10.0,
        help="seconds to wait after closing the contexts before sampling RSS",
    )
    ap.add_argument("--out", type=Path, default=RESULTS / "load.md")
    args = ap.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(f"chromium not found at {CHROMIUM} (apt-get install chromium)", file=sys.stderr)
        return 2

    waves: list[tuple[str, list[SessionPlan]]] = []
    for n in args.clients:
        runs = 2 if n == args.repeat else 1
        for r in range(runs):
            label = f"N={n}" if runs == 1 else f"run {r + 1}"
            waves.append((label, plan_sessions(n, steps=args.steps, wave=len(waves) + 1)))
    # Warm-up: the first visitor pays for imports, the data sets and the default run.
    warmup = [
        SessionPlan(
            0, "two_groups:n_samples=5000", "label_bias:flip=0.3", "margin", 999_001, 20, 10, 3
        ),
        SessionPlan(
            1, "adult:group=sex", "label_bias:group=Female,flip=0.4", "entropy", 999_002, 20, 10, 3
        ),
    ]
    port = args.port or free_port()
    started = time.strftime("%Y-%m-%d %H:%M:%S")
    code = _git()
    results: list[WaveResult] = []
    chromium = ["?"]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    kept_log = args.out.with_name(args.out.stem + "-server.log")

    def write(log_path: Path, status: str) -> str:
        """The report for the waves done so far, written to --out (after every wave)."""
        log_text = log_path.read_text(errors="replace") if log_path.exists() else ""
        kept_log.write_text(log_text)
        text = build_report(
            args,
            results,
            started=started,
            code=code,
            chromium=chromium[0],
            status=status,
            tracebacks=server_tracebacks(log_text),
            log_name=kept_log.name,
        )
        args.out.write_text(text)
        return text

    def interrupted(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, interrupted)
    status = ""
    with tempfile.TemporaryDirectory(prefix="wgl-load-") as tmp:
        app = snapshot(Path(tmp) / "app")
        log_path = Path(tmp) / "server.log"
        try:
            with streamlit_server(port, log_path, cwd=app) as (url, pid):

                def on_wave(w: WaveResult) -> None:
                    write(log_path, f"PARTIAL: {len(results)} of {len(waves)} waves done so far.")

                _, chromium[0] = asyncio.run(
                    run_waves(
                        url,
                        waves,
                        steps=args.steps,
                        warmup=warmup,
                        progress=True,
                        out=results,
                        on_wave=on_wave,
                        server_pid=pid,
                        server_log=log_path,
                        settle_after=args.settle,
                        think=args.think,
                    )
                )
        except KeyboardInterrupt as exc:
            nxt = waves[len(results)][1] if len(results) < len(waves) else []
            status = (
                f"INTERRUPTED ({exc or 'Ctrl-C'}) during the wave of {len(nxt)} clients: "
                f"only the {len(results)} waves above finished."
            )
        text = write(log_path, status)
    print()
    print(text)
    print(f"written to {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")
    mem = memory_check(results, args.repeat, slack_mb=MEM_SLACK_MB, slack_frac=MEM_SLACK_FRAC)
    bad = any(w.errors or w.violations or not w.all_held for w in results) or mem[0] is False
    return 3 if status else 1 if bad else 0


def build_report(
    args: argparse.Namespace,
    results: list[WaveResult],
    *,
    started: str,
    code: str,
    chromium: str,
    status: str,
    tracebacks: list[str],
    log_name: str,
) -> str:
    from importlib.metadata import version  # not `import streamlit`: the core stays UI-free

    mem = memory_check(results, args.repeat, slack_mb=MEM_SLACK_MB, slack_frac=MEM_SLACK_FRAC)
    meta = [
        f"Run {started}; code {code}, served from a snapshot copy taken at the start (this "
        "repo is edited by other work meanwhile, and Streamlit reloads changed modules); "
        f"`python benchmarks/load_test.py --clients {' '.join(map(str, args.clients))} "
        f"--steps {args.steps}`.",
        "",
        f"Machine: {os.cpu_count()} cores. Streamlit {version('streamlit')}, one server process; "
        f"ONE headless chromium {chromium} (`--disable-gpu`, so plotly's WebGL map is drawn in "
        "software), one browser context per session. **The browsers run on the same machine as "
        "the server, so every latency below includes client-side rendering contention: N pages "
        "redrawing six plotly charts each compete with the server for the same cores.**",
        "",
        "Each session opens its own URL: strategy cycles least_confidence / margin / entropy / "
        "random, seed = 1000 x wave + i (fresh per wave), seed set 20/25/30, batch 5/10/15/20, "
        "rounds = steps + 2; two_groups with 5,000 rows, and adult:group=sex (36,631-row pool) "
        "for every fifth session. All sessions open at once; when all have drawn, all press "
        f"Step {args.steps} times without pause (closed loop: the next click waits for the "
        "previous rerun to finish).",
        "",
        'Step latency = click event to the new "Labelled so far" value in the page (both '
        "timed in the page). Sessions held = the server's own count of connected sessions "
        '(`/_stcore/metrics`, active_sessions) with every context still open; "all '
        'connected" also needs every page drawn and exactly one websocket opened and none '
        'closed. Isolation: after every step the count, the "This run:" caption (strategy, '
        "seed) and the URL must be the session's own. Errors: stException, st.error, "
        '"Traceback" or an uncaught page error. RSS from /proc/PID/status before the '
        f"contexts open, peak (sampled every 0.25 s), and {args.settle:.0f} s after they close. "
        "A warm-up visit (one two_groups and one adult session) runs first and is not reported.",
    ]
    if status:
        meta += ["", f"**{status}**"]
    notes = [
        "- Streamlit keeps a closed tab's session for `server.disconnectedSessionTTL` (120 s "
        "by default, at most 128 sessions) so a dropped connection can resume; the 'after' RSS "
        "therefore still holds the sessions that just closed.",
        "- Python rarely returns freed heap to the OS, so 'after' stays near 'peak'; the "
        "bounded-memory check compares two identical waves instead.",
    ]
    if tracebacks:
        notes.append(f"- Tracebacks in the server log ({log_name}): " + " | ".join(tracebacks))
    else:
        notes.append(f"- No traceback in the server log ({log_name}).")
    return report(results, meta=meta, mem=mem, notes=notes)


if __name__ == "__main__":
    sys.exit(main())
