"""Drive many browser sessions of the Explore page at once, from one chromium.

Why the async API: Playwright's sync API objects belong to the thread that
started them, so "one thread per context" would need one Playwright (and one
chromium) per thread. The async API drives N contexts of ONE browser over one
connection from one event loop (``asyncio.gather``); since each Step's latency
is timed inside its page, scheduling in the driver does not enter the number.
:func:`run_wave_blocking` runs one wave from synchronous code (pytest).
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from harness.browser import launch_options
from harness.probes import active_sessions, cpu_seconds, machine_jiffies, rss_mb, tree_cpu
from harness.sessions import (
    IDLE,
    PAGE_HOOKS,
    PAGE_STATE,
    SessionPlan,
    SessionResult,
    WaveResult,
    summary_line,
)


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
    from components.strategies import STRATEGIES

    title = STRATEGIES[plan.strategy].title
    if f"{title} chooses" not in cap or f"Seed {plan.seed};" not in cap:
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
            marks["srv"] = cpu_seconds(server_pid)
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
    if marks.get("srv") is not None and (now := cpu_seconds(server_pid)) is not None:
        wave.server_cpu_s = now - marks["srv"]
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
        browser = await p.chromium.launch(**launch_options())
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
