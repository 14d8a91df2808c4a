"""Two timelines on one chart: the main run and its branch, with a marker at the branch round.

The lines come from Compare's ``strategy_lines_figure`` (one labelled line per
run, told apart by colour, dash and marker shape); this module picks the
frames, adds the branch marker (and a reference line where one helps) and
writes the captions from the runs' numbers. No streamlit here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from components.outcome_text import outcome_words, rate_pct
from components.run_words import scenario_words, strategy_words
from components.trace import RunTrace
from dashboard.compare_charts import strategy_lines_figure
from dashboard.comparing import stack
from dashboard.figures import SCREEN, Chart, Style
from dashboard.safe import plotly_escape
from datasets.base import load

MARKER = "#444444"


@dataclass(frozen=True)
class Timelines:
    """A main run and one branch of it.

    Attributes
    ----------
    main, branch : RunTrace
    at_round : int
        The branch round: both share rounds ``0..at_round``.
    """

    main: RunTrace
    branch: RunTrace
    at_round: int

    @property
    def change(self) -> str:
        """What the branch changes, in words: the new strategy or the changed scenarios."""
        m, b = self.main.config, self.branch.config
        if b.strategy != m.strategy:
            return strategy_words(b.strategy)
        changed = [s for s in b.scenarios if s not in m.scenarios]
        return "; ".join(scenario_words(s) for s in changed) or strategy_words(b.strategy)

    @property
    def labels(self) -> tuple[str, str]:
        """Legend names, e.g. ``("main: Least confidence", "branch at round 10: BALD ...")``."""
        main = f"main: {strategy_words(self.main.config.strategy)}"
        return main, f"branch at round {self.at_round}: {self.change}"

    @property
    def target(self) -> str:
        """The group the charts single out: the first scenario's target, else the smallest."""
        for spec in self.main.config.scenarios:
            if spec.get("group") in self.main.groups:
                return str(spec.get("group"))
        g = self.main.frames["groups"]
        shares = g[g["round"] == 0].set_index("group")["pool_share"]
        return str(shares.idxmin())

    @property
    def at_labeled(self) -> int:
        r = self.main.frames["rounds"]
        return int(r.loc[r["round"] == self.at_round, "n_labeled"].iloc[0])

    def rounds(self) -> dict[str, pd.DataFrame]:
        """Label -> ``rounds`` frame; the branch's starts at the branch round (shared before)."""
        a, b = self.labels
        return {a: self.main.frames["rounds"], b: self._from_branch(self.branch.frames["rounds"])}

    def _from_branch(self, frame: pd.DataFrame) -> pd.DataFrame:
        return frame[frame["round"] >= self.at_round].reset_index(drop=True)

    def group(self) -> dict[str, pd.DataFrame]:
        a, b = self.labels
        t = self.target
        out = {}
        for label, trace in ((a, self.main), (b, self.branch)):
            frame = stack([trace], "groups")
            frame = frame[frame["group"] == t].reset_index(drop=True)
            out[label] = frame if trace is self.main else self._from_branch(frame)
        return out


def _with_marker(chart: Chart, t: Timelines, style: Style, reference: float | None) -> Chart:
    """``chart`` with a dotted vertical line at the branch round (and a reference level)."""
    x = t.at_labeled
    width = max(1.5, style.line / 2)
    shapes = [
        {
            "type": "line",
            "xref": "x",
            "yref": "paper",
            "x0": x,
            "x1": x,
            "y0": 0,
            "y1": 1,
            "line": {"color": MARKER, "width": width, "dash": "dot"},
        }
    ]
    notes = [
        {
            "x": x,
            "y": 0.02,
            "xref": "x",
            "yref": "paper",
            "text": f"branch: round {t.at_round}",
            "showarrow": False,
            "xanchor": "left",
            "yanchor": "bottom",
            "xshift": 4,
            "font": {"size": style.font, "color": MARKER},
        }
    ]
    if reference is not None:
        shapes.append(
            {
                "type": "line",
                "xref": "paper",
                "yref": "y",
                "x0": 0,
                "x1": 1,
                "y0": reference,
                "y1": reference,
                "line": {"color": "#888888", "width": width, "dash": "dash"},
            }
        )
        notes.append(
            {
                "x": 1,
                "y": reference,
                "xref": "paper",
                "yref": "y",
                "text": "share of the pool",
                "showarrow": False,
                "xanchor": "right",
                "yanchor": "bottom",
                "font": {"size": style.font, "color": "#555555"},
            }
        )
    spec = chart.spec
    layout = {**spec["layout"], "shapes": shapes, "annotations": notes}
    return Chart(spec["data"], layout)


def _last(frame: pd.DataFrame, column: str) -> float:
    return float(frame.sort_values("round")[column].iloc[-1])


def accuracy(t: Timelines, style: Style = SCREEN) -> Chart:
    """Accuracy against the truth, main vs branch."""
    fig = strategy_lines_figure(
        t.rounds(), "accuracy", style=style, title="Accuracy against the truth", y_title="accuracy"
    )
    return _with_marker(fig, t, style, None)


def worst_group(t: Timelines, style: Style = SCREEN) -> Chart:
    """Worst-group accuracy against the truth, main vs branch."""
    fig = strategy_lines_figure(
        t.rounds(),
        "worst_group_accuracy",
        style=style,
        title="Worst-group accuracy (against the truth)",
        y_title="accuracy",
    )
    return _with_marker(fig, t, style, None)


def ledger(t: Timelines, style: Style = SCREEN) -> Chart:
    """The target group's share of the queries so far, main vs branch, with its pool share."""
    frames = t.group()
    fig = strategy_lines_figure(
        frames,
        "query_share_cum",
        style=style,
        title=f"Who gets labelled: {plotly_escape(t.target)}'s share of the queries",
        y_title="share of queries so far",
    )
    share = float(next(iter(frames.values()))["pool_share"].iloc[0])
    return _with_marker(fig, t, style, share)


def tpr(t: Timelines, style: Style = SCREEN) -> Chart:
    """The target group's true positive rate against the truth, main vs branch."""
    fig = strategy_lines_figure(
        t.group(),
        "tpr",
        style=style,
        title=f"{plotly_escape(t.target)}: true positives found (TPR, against the truth)",
        y_title="true positive rate",
    )
    return _with_marker(fig, t, style, None)


def _pair(t: Timelines, column: str, scope: str) -> tuple[str, int]:
    """Both timelines' last values of ``column`` as ``"main: a X, branch: b Y (...)"``."""
    frames = t.rounds() if scope == "rounds" else t.group()
    (a, fa), (b, fb) = frames.items()
    va, vb = _last(fa, column), _last(fb, column)
    n = int(fa.sort_values("round")["n_labeled"].iloc[-1])
    text = f"{a} {rate_pct(va)}; {b} {rate_pct(vb)}"
    if not (np.isnan(va) or np.isnan(vb)):
        diff = (vb - va) * 100
        text += (
            " (the same)"
            if abs(diff) < 0.05
            else f" ({abs(diff):.1f} points {'higher' if diff > 0 else 'lower'} in the branch)"
        )
    return text, n


def caption(t: Timelines, key: str) -> str:
    """What chart ``key`` shows at the last round, in words from both runs (plain text)."""
    if key == "branch_accuracy":
        text, n = _pair(t, "accuracy", "rounds")
        return f"Accuracy against the truth with {n:,} rows labelled: {text}."
    if key == "branch_worst":
        text, n = _pair(t, "worst_group_accuracy", "rounds")
        return f"Accuracy of the worst-served group with {n:,} rows labelled: {text}."
    if key == "branch_ledger":
        text, n = _pair(t, "query_share_cum", "group")
        share = float(t.group()[t.labels[0]]["pool_share"].iloc[0])
        return (
            f"{t.target}'s share of the {n:,} rows labelled: {text}. "
            f"{t.target} is {rate_pct(share)} of the pool."
        )
    text, n = _pair(t, "tpr", "group")
    outcome = outcome_words(load(t.main.config.dataset).positive_label)
    return (
        f"Of {t.target} people whose true label is '{outcome}', the share the model finds "
        f"with {n:,} rows labelled: {text}."
    )


#: (key, builder, alt text)
CHARTS: tuple[tuple[str, Callable[[Timelines, Style], Chart], str], ...] = (
    ("branch_accuracy", accuracy,
     "Line chart: accuracy against the truth of the main run and of the branch."),
    ("branch_worst", worst_group,
     "Line chart: worst-group accuracy of the main run and of the branch."),
    ("branch_ledger", ledger,
     "Line chart: one group's share of the queries so far in both timelines, "
     "against its share of the pool."),
    ("branch_tpr", tpr,
     "Line chart: one group's true positive rate in both timelines."),
)  # fmt: skip
