"""Many students on the Explore page: what each asks for, and what a wave of them saw.

A :class:`SessionPlan` is one browser session's URL (dataset, scenario,
strategy, seed, seed set, batch, rounds) and the "Labelled so far" count it
must show after each Step. :func:`plan_sessions` makes N different ones.
``PAGE_HOOKS`` and ``PAGE_STATE`` are the scripts the driver runs in each page
(:mod:`harness.waves`): the first times a Step from the click event to the new
count inside the page, the second reads what the page shows.
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass, field
from typing import Any

from harness.probes import pct

STRATEGIES = ("least_confidence", "margin", "entropy", "random")
#: The app is idle: no script run in progress.
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"

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
