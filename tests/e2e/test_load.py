"""Five students at once: real browser sessions stepping together stay separate and fast.

The driving logic lives in benchmarks/load_test.py (``python benchmarks/load_test.py``
runs the same thing at 1, 10 and 30 clients and reports memory too).
"""

from __future__ import annotations

import pytest

from harness.probes import pct
from harness.sessions import plan_sessions
from harness.waves import run_wave_blocking

pytestmark = pytest.mark.e2e

N = 5
STEPS = 3
#: p95 bound for click -> new "Labelled so far" value, in ms. See the test's docstring.
P95_BOUND_MS = 10_000.0


def test_five_concurrent_sessions_step_without_errors_or_leaks(server):
    """Five browser contexts, each on its own URL (strategy, seed, seed set, batch and
    one adult session), all press Step 3 times at once.

    Every session must draw and step, show no stException / st.error / Traceback,
    and after every step show its own count, its own strategy and seed in the
    "This run:" caption, and its own seed and strategy in the URL.

    Why p95 < 10 s: this is a regression guard, not the classroom target. A Step
    only reveals a round of a run computed once when the page opened (server cost
    ~70-90 ms, benchmarks/bench_dashboard.py), but here five software-rendered
    browser pages share the server's 2 cores: measured on this machine, median
    1.4 s and p95 4.0 s (2026-11-26). The bound fails if a Step re-simulates the
    run (seconds per session, serialised by the GIL), if sessions queue behind one
    lock, or if a rerun hangs; README reports the real latencies.
    """
    wave = run_wave_blocking(
        server, plan_sessions(N, steps=STEPS, wave=7), steps=STEPS, settle_after=0
    )
    lat = wave.latencies
    detail = "\n".join(wave.errors + wave.violations)
    print(
        f"\n{N} sessions x {STEPS} steps: median {pct(lat, 50):.0f} ms, "
        f"p95 {pct(lat, 95):.0f} ms, first render max "
        f"{max(s.first_render_s or 0 for s in wave.sessions):.1f} s, "
        f"server holds {wave.server_active} sessions"
        if lat
        else f"\nno step measured:\n{detail}"
    )
    assert all(s.connected for s in wave.sessions), detail
    assert all(s.steps_done == STEPS for s in wave.sessions), detail
    assert wave.all_held, [(s.plan.idx, s.ws_opened, s.ws_closed) for s in wave.sessions]
    assert wave.steps_measured == N * STEPS
    assert wave.errors == [], detail
    assert wave.violations == [], detail
    assert pct(lat, 95) < P95_BOUND_MS, sorted(lat)
