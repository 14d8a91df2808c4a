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

The server, the browser and the sessions are driven by the ``harness``
package (shared with the real-browser tests); this script runs the waves and
writes the report.

The browsers run on the same machine as the server, so on a 2-core box the step
latency includes client-side rendering contention (N pages redrawing six plotly
charts each, in software GL) as well as the server's own work.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from harness.browser import chromium_missing  # noqa: E402
from harness.probes import pct  # noqa: E402
from harness.server import free_port, server_tracebacks, snapshot, streamlit_server  # noqa: E402
from harness.sessions import SessionPlan, WaveResult, plan_sessions  # noqa: E402
from harness.waves import run_waves  # noqa: E402

# tests/e2e/test_load.py imports pct, plan_sessions and run_wave_blocking from
# here; once it imports them from harness, this list can go.
__all__ = ["main"]

RESULTS = ROOT / "benchmarks" / "results"
#: Bounded memory: RSS after the second repeated wave <= after the first + max(these).
MEM_SLACK_MB = 40.0
MEM_SLACK_FRAC = 0.10


def _f(x: float | None, fmt: str = "{:.0f}") -> str:
    return "n/a" if x is None else fmt.format(x)


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
    if (missing := chromium_missing()) is not None:
        print(missing, file=sys.stderr)
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
