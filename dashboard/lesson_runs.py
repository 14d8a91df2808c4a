"""The Lessons page's runs, charts and measured claims, computed once per server.

A lesson's runs go through the app's trace cache (``dashboard.cache.TRACES``):
the same run budget, the same line for simulation slots, and one computation
for a whole class on the same link. A lesson's measurement (every claim over
its seeds) is kept the same way, as pickled bytes in a bounded memo, so each
visitor gets a fresh copy and thirty students never measure it thirty times.
"""

from __future__ import annotations

import os
import pickle
import threading
from dataclasses import dataclass

import streamlit as st

from components.config import RunConfig
from components.lessons import Lesson, LessonResult, measure_lesson
from components.run_words import run_stamp
from components.trace import RunTrace
from dashboard import session, views
from dashboard.cache import FIGURES, TRACES, TTL_SECONDS
from dashboard.chart_list import CHARTS, ChartEntry, RoundView, figure_key
from dashboard.figure_fit import fit
from dashboard.figures import Chart, Style
from datasets.memo import Memo

#: Measured lessons, ``(slug, seeds) -> pickled Measured``, for every session.
MEASURED: Memo[tuple, bytes] = Memo(max_entries=24, ttl=TTL_SECONDS)

#: ``quick`` measures every lesson over its quick seeds (a slow server, the tests);
#: anything else, or unset, over its full seeds.
SEEDS_ENV = "WGL_LESSON_SEEDS"

MSG_CHART = "chart: {key!r} is not a chart of one run; allowed: {allowed}"


@dataclass(frozen=True)
class ClaimShown:
    """One claim as the page shows it: its filled text, its numbers, whether it held."""

    key: str
    text: str
    numbers: dict[str, float]
    passed: bool


@dataclass(frozen=True)
class Measured:
    """What the page shows of ``measure_lesson``: plain data, cheap to copy."""

    slug: str
    seeds: tuple[int, ...]
    reveal: str
    claims: tuple[ClaimShown, ...]
    seconds: float

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.claims)


def seeds(lesson: Lesson) -> tuple[int, ...]:
    """The seeds the page measures ``lesson`` over: its own, or its quick ones (``SEEDS_ENV``)."""
    quick = os.environ.get(SEEDS_ENV, "").strip().lower() == "quick"
    return tuple(lesson.quick_seeds if quick else lesson.seeds)


def round_chart(key: str) -> ChartEntry:
    """The chart list's entry ``key`` among the charts of one run at one round.

    Examples
    --------
    >>> round_chart("ledger").key
    'ledger'
    >>> round_chart("cmp_dp")
    Traceback (most recent call last):
    ...
    ValueError: chart: 'cmp_dp' is not a chart of one run; allowed: ledger, ...
    """
    for e in CHARTS:
        if e.key == key and e.scope == "round":
            return e
    allowed = ", ".join(e.key for e in CHARTS if e.scope == "round")
    raise ValueError(MSG_CHART.format(key=key, allowed=allowed))


def trace(config: RunConfig) -> RunTrace | None:
    """The run for ``config`` from the shared trace cache, with a progress bar.

    Bad input and refusals (the run budget) are shown as one message; then None.
    """
    bar = st.progress(0.0, text="Simulating the lesson's run…")

    def progress(done: int, total: int) -> None:
        bar.progress(done / max(total, 1), text=f"Simulating round {done} of {total}…")

    def on_wait(ahead: int) -> None:
        bar.progress(0.0, text=session.waiting_text(ahead))

    try:
        out = TRACES.get_or_compute(config.resolve(), progress=progress, on_wait=on_wait)
    except Exception as exc:  # noqa: BLE001 -- bad input is said, a bug is said as one
        bar.empty()
        session.show_error(exc)
        return None
    bar.empty()
    return out


def draw_chart(
    run: RunTrace, key: str, r: int, style: Style, *, widget: str, width: str = "full"
) -> None:
    """One chart of the chart list for ``run`` at round ``r``, with its caption.

    ``width`` is "full" (one chart) or "half" (two side by side). The built
    figure is shared through ``FIGURES``, keyed by the run, the chart, the round,
    the sizes and the width.
    """
    entry = round_chart(key)
    view = RoundView(run, r, style=style)
    cache_key = (run.config.to_json(), *figure_key(entry, view), width)
    stamp = run_stamp(run.config, r)
    spec = FIGURES.get_or_build(
        cache_key, lambda: fit(entry.build(view), style, width=width, stamp=stamp).to_dict()
    )
    views.draw_entry(entry, Chart.sent(spec), entry.caption(view), key=widget)


def shown(result: LessonResult) -> Measured:
    """What the page keeps of ``measure_lesson``'s result."""
    return Measured(
        slug=result.lesson.slug,
        seeds=tuple(result.seeds),
        reveal=result.reveal,
        claims=tuple(
            ClaimShown(c.claim.key, c.text, dict(c.numbers), c.passed) for c in result.claims
        ),
        seconds=float(result.seconds),
    )


def _measure(lesson: Lesson, over: tuple[int, ...]) -> bytes:
    """The pickled :class:`Measured` of ``lesson`` over ``over``, holding a simulation slot."""
    with TRACES.slots.slot():
        result = measure_lesson(lesson, seeds=over)
    return pickle.dumps(shown(result), protocol=pickle.HIGHEST_PROTOCOL)


_STARTED: set[tuple] = set()
_STARTED_LOCK = threading.Lock()


def prepare(lesson: Lesson) -> None:
    """Start measuring ``lesson`` in the background, once per server, so that by the
    Reveal step the numbers are ready (whoever asks sooner waits on the same work)."""
    key = (lesson.slug, seeds(lesson))
    with _STARTED_LOCK:
        if key in _STARTED or key in MEASURED:
            return
        _STARTED.add(key)

    def job() -> None:
        try:
            MEASURED.get_or_compute(key, lambda: _measure(lesson, key[1]))
        except Exception:  # noqa: BLE001 -- best effort; the Reveal step reports errors
            pass
        finally:
            with _STARTED_LOCK:
                _STARTED.discard(key)

    threading.Thread(target=job, name=f"measure-{lesson.slug}", daemon=True).start()


def measured(lesson: Lesson) -> Measured | None:
    """``measure_lesson`` over :func:`seeds`, once per server for every visitor.

    The measurement holds one of the server's simulation slots while it runs.
    A failure is shown as one message; then None.
    """
    over = seeds(lesson)
    try:
        with st.spinner(
            f"Measuring this lesson's claims over {len(over)} seeds "
            "(once for everyone on this server)…"
        ):
            blob = MEASURED.get_or_compute((lesson.slug, over), lambda: _measure(lesson, over))
    except Exception as exc:  # noqa: BLE001 -- bad input is said, a bug is said as one
        session.show_error(exc)
        return None
    return pickle.loads(blob)  # noqa: S301 -- our own bytes, never user input


def brief_button(config: RunConfig, *, replay_url: str | None) -> None:
    """A download button for the one-page brief (``components.brief``) of ``config``'s run.

    The page is built when the button is pressed, from the run in the trace cache.
    """
    from components.brief import brief_html

    def build() -> str:
        run = TRACES.get_or_compute(config.resolve())
        return brief_html(run.config, run.frames, replay_url=replay_url)

    st.download_button(
        "Download the brief of this lesson's run (HTML)",
        build,
        file_name=f"brief-{config.dataset.name}-{config.strategy.name}-seed{config.seed}.html",
        mime="text/html",
        key="lesson.brief",
        on_click="ignore",
        help="One page for decision-makers: who was asked, who the model fails against the "
        "truth, the fairness gaps with intervals, and what was assumed. Prints to one or two pages.",
    )
