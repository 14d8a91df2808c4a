"""A classroom room's charts: the app's chart list drawn from the room's records.

A room's run is a run like any other: ``RoomStore.records`` returns its
record frames (``rounds``, ``groups``, ``queries``), so the charts that read
the records alone (``chart_list.RECORD_NEEDS``: the ledger, per-group
accuracy, ...) are drawn by their own builders, captions and alt texts.
Nothing is drawn twice: this module only wraps the records as the
``RoundView`` those builders read. No streamlit here.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from components.config import RunConfig
from components.run_words import run_stamp
from dashboard.chart_list import CHARTS, RECORD_NEEDS, ChartEntry, RoundView
from dashboard.figure_fit import fit
from dashboard.figures import Style

#: The room's charts, in drawing order: who got asked, then how the model does per group.
ROOM_CHARTS = ("ledger", "accuracy")


@dataclass(frozen=True)
class RoomTrace:
    """A room's run as the record-only charts read it (a ``RunTrace``'s record part).

    Attributes
    ----------
    config : RunConfig
        The room's resolved config.
    groups : tuple of str
        The groups, in the run's order (their colours follow it).
    frames : dict of str to DataFrame
        ``rounds``, ``groups`` and ``queries`` in the record schema.
    """

    config: RunConfig
    groups: tuple[str, ...]
    frames: dict[str, pd.DataFrame]

    @property
    def last_round(self) -> int:
        """The last refitted round (0 before the class labelled anything)."""
        return int(self.frames["rounds"]["round"].max())


def room_trace(
    config_json: str, frames: dict[str, pd.DataFrame], groups: tuple[str, ...] | None = None
) -> RoomTrace:
    """Wrap a room's records (``RoomRecords.config_json`` and ``.frames``).

    ``groups`` in the run's order (the teacher state's ``groups``); by
    default, in their order of appearance in the ``groups`` frame.

    Examples
    --------
    >>> from components.engine import simulate
    >>> cfg = RunConfig.from_dict({"dataset": "two_groups:n_samples=300", "rounds": 2})
    >>> res = simulate(cfg)
    >>> t = room_trace(res.config.to_json(), res.frames())
    >>> t.groups, t.last_round
    (('majority', 'minority'), 2)
    """
    cfg = RunConfig.from_json(config_json)
    if groups is None:
        groups = tuple(dict.fromkeys(frames["groups"]["group"].astype(str)))
    return RoomTrace(config=cfg, groups=tuple(groups), frames=frames)


def room_entries() -> list[ChartEntry]:
    """The chart list's entries a room draws (record-only charts, ``ROOM_CHARTS`` order).

    Examples
    --------
    >>> [e.key for e in room_entries()]
    ['ledger', 'accuracy']
    """
    by_key = {e.key: e for e in CHARTS}
    out = [by_key[k] for k in ROOM_CHARTS]
    for e in out:
        if not e.needs <= RECORD_NEEDS | {"config"}:
            raise ValueError(f"chart {e.key!r} reads more than a room's records: {e.needs}")
    return out


def room_figures(
    trace: RoomTrace, style: Style | None = None
) -> list[tuple[ChartEntry, dict, str]]:
    """Each room chart at the last round: ``(entry, plotly JSON, caption Markdown)``.

    The figure is fitted to the page's full width with the run and round under
    its title, as on Explore, so its PNG export stands alone.

    Examples
    --------
    >>> from components.engine import simulate
    >>> cfg = RunConfig.from_dict({"dataset": "two_groups:n_samples=300", "rounds": 2})
    >>> res = simulate(cfg)
    >>> figs = room_figures(room_trace(res.config.to_json(), res.frames()))
    >>> [(e.key, "data" in spec) for e, spec, _ in figs]
    [('ledger', True), ('accuracy', True)]
    """
    style = Style() if style is None else style
    r = trace.last_round
    view = RoundView(trace=trace, r=r, style=style)  # type: ignore[arg-type]
    stamp = run_stamp(trace.config, r)
    out = []
    for entry in room_entries():
        spec = fit(entry.build(view), style, width="full", stamp=stamp).to_dict()
        out.append((entry, spec, entry.caption(view)))
    return out
