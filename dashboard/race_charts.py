"""You vs the model: the map a person picks on, and the race's summary table.

The pick map is the app's pool map (``dashboard.pool_charts.map_figure``) of
the person's run at its current round, with one more trace on top: the
unlabelled points, invisible until selected, that box and lasso selection
pick from. Hovering one says its point number, which the keyboard form takes.
No streamlit here.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from components.race import RUNS, Race
from dashboard.figure_fit import fit
from dashboard.figure_spec import Chart
from dashboard.figures import SCREEN, Style, group_colors
from dashboard.pool_charts import map_figure

PICK_TITLE = "Pick the points to label: drag a box or a lasso"
#: How a run is named on the page.
RUN_NAMES = {"you": "You", "model": "The model", "random": "Random"}
#: Largest legend font in a narrow column (a projector's 22 px clips "vs recorded labels").
LEGEND_PX = 15
#: The selected points' look: black, large, whatever their group.
SELECTED = {"marker": {"color": "#000000", "size": 11, "opacity": 1.0}}


def pick_map(
    race: Race, picked: Sequence[int] = (), *, style: Style = SCREEN
) -> tuple[Chart, np.ndarray, int]:
    """The map to pick the next batch on, with the points picked so far ringed.

    Parameters
    ----------
    race : Race
    picked : sequence of int
        Pool positions picked so far for the next batch.
    style : Style

    Returns
    -------
    (Chart, ndarray of int, int)
        The figure; the pool position of each point of the selectable trace,
        in trace order; and that trace's index in the figure (the
        ``curve_number`` of its points in a selection).

    Examples
    --------
    >>> from components.config import RunConfig
    >>> race = Race(RunConfig.from_dict({"dataset": "clusters:n_samples=400", "rounds": 1,
    ...                                  "initial_size": 10, "batch_size": 4}))
    >>> free = [int(p) for p in np.flatnonzero(~race.labelled("you"))[:2]]
    >>> fig, positions, curve = pick_map(race, free)
    >>> fig.spec["data"][curve]["name"], len(positions) == race.n_pool - 10
    ('unlabelled: pick from these', True)
    >>> fig.spec["data"][curve - 1]["name"]
    'picked for this batch (2)'
    >>> fig.spec["layout"]["dragmode"]
    'select'
    """
    trace = race.trace("you")
    r = race.round
    base = map_figure(
        trace.xy,
        trace.g_pool,
        trace.query_round,
        r,
        groups=trace.groups,
        colors=group_colors(trace.groups),
        style=style,
        grid=(trace.grid[0], trace.grid[1], trace.grid[2][r]),
    )
    free = np.flatnonzero(trace.query_round < 0)
    mine = np.asarray(sorted(set(int(p) for p in picked) & set(free.tolist())), dtype=np.int64)
    ringed = {
        "type": "scattergl",
        "x": trace.xy[mine, 0],
        "y": trace.xy[mine, 1],
        "mode": "markers",
        "marker": {
            "color": "#000000",
            "size": style.marker * 2.2,
            "symbol": "circle-open",
            "line": {"width": 2.5},
        },
        "customdata": mine.astype(np.int32),
        "name": f"picked for this batch ({len(mine)})",
        "hovertemplate": "point %{customdata}: picked<extra></extra>",
    }
    pick = {
        "type": "scattergl",
        "x": trace.xy[free, 0],
        "y": trace.xy[free, 1],
        "mode": "markers",
        "marker": {"color": "#000000", "size": max(6.0, style.marker), "opacity": 0.0},
        "selected": SELECTED,
        "unselected": {"marker": {"opacity": 0.0}},
        "customdata": free.astype(np.int32),
        "name": "unlabelled: pick from these",
        "showlegend": False,
        "hovertemplate": "point %{customdata}<extra></extra>",
    }
    data = [*base.spec["data"], ringed, pick]
    layout = dict(base.spec["layout"], dragmode="select", uirevision=f"pick{r}")
    layout["title"] = dict(layout["title"], text=PICK_TITLE)
    return Chart(data, layout), free, len(data) - 1


def column_chart(chart: Chart, style: Style = SCREEN) -> Chart:
    """``chart`` for one of three narrow columns under a heading that names it: no
    title, fitted to half a row, and its legend at most 15 px so that it fits.

    >>> from dashboard.figures import axis, figure
    >>> big = Style.presenter()
    >>> c = column_chart(figure([], big, title="t", xaxis=axis("x"), yaxis=axis("y")), big)
    >>> c.title, c.spec["layout"]["margin"]["t"], c.spec["layout"]["legend"]["font"]["size"]
    ('', 16, 15)
    """
    layout = dict(chart.spec["layout"])
    layout["title"] = dict(layout.get("title") or {}, text="")
    layout["margin"] = dict(layout.get("margin") or {}, t=16)
    fitted = fit(Chart(chart.spec["data"], layout, chart.spec.get("frames")), style, width="half")
    out = dict(fitted.spec["layout"])
    legend = dict(out.get("legend") or {})
    legend["font"] = dict(legend.get("font") or {}, size=min(style.font, LEGEND_PX))
    out["legend"] = legend
    return Chart(fitted.spec["data"], out, fitted.spec.get("frames"))


def _missed(tpr: float) -> str:
    """The share of a group's positives predicted negative, from its true positive rate."""
    return "n/a" if tpr != tpr else f"{1.0 - float(tpr):.0%}"


def summary(race: Race) -> pd.DataFrame:
    """The race at its current round, one column per run, ready to show.

    Rows: the round each run first labelled the far group (when the data has
    one), overall accuracy, and per group its share of the questions so far,
    its accuracy against the truth and the share of its true positives the
    model predicts negative; with a scenario, that share also as the
    recorded labels show it.

    >>> from components.config import RunConfig
    >>> race = Race(RunConfig.from_dict({"dataset": "clusters:n_samples=400", "rounds": 1,
    ...                                  "initial_size": 10, "batch_size": 4}))
    >>> table = summary(race)
    >>> list(table.columns), list(table["measure"])[:2]
    (['measure', 'You', 'The model', 'Random'], ['far cluster first labelled in round', \
'overall accuracy'])
    """
    cols: dict[str, list[str]] = {}
    for run in RUNS:
        st = race.standing(run)
        col: dict[str, str] = {}
        if race.far_group is not None:
            col["far cluster first labelled in round"] = (
                "never" if st.found is None else str(st.found)
            )
        col["overall accuracy"] = f"{st.accuracy:.3f}"
        for g in st.groups.itertuples():
            share = g.query_share_cum
            col[f"{g.group}: share of questions"] = (
                "none yet" if share != share else f"{share:.0%} ({g.queried_cum})"
            )
        for g in st.groups.itertuples():
            col[f"{g.group}: accuracy"] = f"{float(g.accuracy):.3f}"
            col[f"{g.group}: true positives the model misses"] = _missed(g.tpr)
            if race.config.scenarios:  # recorded labels may differ from the truth
                col[f"{g.group}: misses, as the recorded labels show"] = _missed(g.tpr_observed)
        cols[RUN_NAMES[run]] = list(col.values())
    return pd.DataFrame({"measure": list(col), **cols})
