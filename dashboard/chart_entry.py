"""The chart list's types: ``ChartEntry``, and what its builders draw from.

A round chart's builder takes a ``RoundView`` (one run at one round); a
strategies chart's builder takes a ``Comparison`` (several strategies over
several seeds). ``dashboard.chart_list`` holds the entries. No streamlit here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal

import pandas as pd

from components.trace import RunTrace
from dashboard import comparing
from dashboard.figures import Chart, Style, group_colors
from dashboard.pool_charts import MAX_MAP_POINTS

Scope = Literal["round", "strategies"]
#: What a builder may read from a run: ``RunTrace`` attributes, and its record
#: frames as ``frames.<name>``.
NEEDS = frozenset(
    {
        "config",
        "groups",
        "frames.rounds",
        "frames.groups",
        "frames.queries",
        "xy",
        "g_pool",
        "y_pool",
        "y_pool_obs",
        "query_round",
        "grid",
        "scores",
        "score_rows",
    }
)
#: Needs of charts drawn from the record frames alone.
RECORD_NEEDS = frozenset({"groups", "frames.rounds", "frames.groups"})

MSG_ENTRY = "chart '{key}': {field}={value!r} is not allowed; allowed: {allowed}"


@dataclass(frozen=True, eq=False)
class RoundView:
    """One run at one round, as a round chart's builder and caption see it.

    Attributes
    ----------
    trace : RunTrace
        The run.
    r : int
        The round shown, ``0 .. trace.last_round``.
    style : Style
        Sizes.
    limit : int
        At most this many pool rows on a map.
    ghost : RunTrace or None
        A ``random`` run from the same seed set, drawn in grey where a chart can.
    animated : bool
        The figure is one frame of an animation: every round's figure must
        hold the same traces, in the same order (see ``dashboard.replay``).
    """

    trace: RunTrace
    r: int
    style: Style = Style()
    limit: int = MAX_MAP_POINTS
    ghost: RunTrace | None = None
    animated: bool = False

    @property
    def colors(self) -> dict[str, str]:
        """Group -> colour, the same on every chart of the run."""
        return group_colors(self.trace.groups)

    def frame(self, name: str) -> pd.DataFrame:
        """The run's record frame ``name`` ("rounds", "groups" or "queries")."""
        return self.trace.frames[name]


@dataclass(frozen=True, eq=False)
class Comparison:
    """Several strategies on the same data, bias and seed sets, as Compare draws them.

    Attributes
    ----------
    runs : mapping of str to sequence of RunTrace
        Strategy label -> one run per seed; ``random``, if present, is the ghost.
    style : Style
        Sizes.
    """

    runs: Mapping[str, Sequence[RunTrace]]
    style: Style = Style()

    @cached_property
    def groups(self) -> dict[str, pd.DataFrame]:
        """Strategy label -> its ``groups`` frames over seeds, with ``n_labeled``."""
        return {label: comparing.stack(list(t), "groups") for label, t in self.runs.items()}

    @cached_property
    def rounds(self) -> dict[str, pd.DataFrame]:
        """Strategy label -> its ``rounds`` frames over seeds."""
        return {label: comparing.stack(list(t), "rounds") for label, t in self.runs.items()}

    @property
    def colors(self) -> dict[str, str]:
        """Group -> colour, from the first run (every run has the same groups)."""
        first = next(iter(self.runs.values()))[0]
        return group_colors(first.groups)

    @property
    def seeds_note(self) -> str:
        """How many seeds each strategy ran, e.g. "3 seeds (band = min to max)"."""
        n = max(len(t) for t in self.runs.values())
        return f"{n} seed{'s' if n > 1 else ''} (band = min to max)"


@dataclass(frozen=True)
class ChartEntry:
    """One chart: how to build it, what it says, and where it appears.

    Attributes
    ----------
    key : str
        Its name: the widget key, the PNG file name, the figure cache's name.
    title : str
        The figure's title (a builder may append a note, such as the seeds).
    build : callable
        ``(RoundView) -> Chart`` for scope "round", ``(Comparison) -> Chart``
        for scope "strategies".
    caption : callable
        The same argument -> Markdown text; visitor text in it is escaped.
    alt : str
        What the chart shows, for screen readers.
    needs : frozenset of str
        What the builder and caption read from a run (see ``NEEDS``).
    scope : {"round", "strategies"}
        What the builder draws: one run at one round, or several strategies.
    explore : bool
        Drawn on Explore, in the list's order.
    classroom : int or None
        Its panel in classroom mode's animated figure (1 = first), or None.
    compare : bool
        Drawn on Compare: every "strategies" chart is; a "round" chart is
        drawn there for one chosen strategy at its last round, against the
        ghost of random.
    export : bool
        Its camera button saves it as ``<key>.png``.
    wide : bool
        Takes a page's full width; other charts go two to a row on screens.
    caption_kind : {"note", "text"}
        "text" reads as the chart's finding (body text); "note" is small print.

    Examples
    --------
    >>> from dashboard.run_charts import fairness_figure
    >>> entry = ChartEntry(
    ...     key="gaps",
    ...     title="Fairness gaps (lower = fairer), worst-group accuracy",
    ...     build=lambda v: fairness_figure(v.frame("rounds"), v.r, style=v.style),
    ...     caption=lambda v: f"Round {v.r}.",
    ...     alt="Line chart: the fairness gaps.",
    ...     needs=frozenset({"frames.rounds"}),
    ...     explore=True,
    ... )
    >>> entry.scope, entry.classroom
    ('round', None)
    >>> ChartEntry(**{**entry.__dict__, "needs": frozenset({"labels"})})
    Traceback (most recent call last):
    ...
    ValueError: chart 'gaps': needs=['labels'] is not allowed; allowed: ...
    """

    key: str
    title: str
    build: Callable[[Any], Chart]
    caption: Callable[[Any], str]
    alt: str
    needs: frozenset[str]
    scope: Scope = "round"
    explore: bool = False
    classroom: int | None = None
    compare: bool = False
    export: bool = True
    wide: bool = False
    caption_kind: Literal["note", "text"] = "note"

    def __post_init__(self) -> None:
        def bad(field: str, value: object, allowed: str) -> ValueError:
            return ValueError(
                MSG_ENTRY.format(key=self.key, field=field, value=value, allowed=allowed)
            )

        if not (self.key.isidentifier() and self.title and self.alt):
            raise bad("key/title/alt", (self.key, self.title, self.alt), "non-empty text")
        if self.scope not in ("round", "strategies"):
            raise bad("scope", self.scope, "'round' or 'strategies'")
        if not self.needs <= NEEDS:
            raise bad("needs", sorted(self.needs - NEEDS), ", ".join(sorted(NEEDS)))
        if self.scope == "strategies" and (self.explore or self.classroom is not None):
            raise bad("scope", self.scope, "'round' for Explore and classroom charts")
        if self.scope == "strategies" and not self.compare:
            raise bad("compare", self.compare, "True for a 'strategies' chart")
        if self.classroom is not None and self.classroom < 1:
            raise bad("classroom", self.classroom, "1 or more, or None")
        if self.caption_kind not in ("note", "text"):
            raise bad("caption_kind", self.caption_kind, "'note' or 'text'")
