"""Small readers of a lesson's record frames, one value per seed, for claims to build on.

Every function takes the frames of one lesson run over its seeds
(``Results.of(run)``) and returns an array with one value per seed, in seed
order. ``stats`` turns such an array into the mean, min and max a claim text
quotes.

>>> import pandas as pd
>>> g = pd.DataFrame({"round": [0, 0, 1, 1], "group": ["a", "b", "a", "b"],
...     "queried_cum": [0, 0, 3, 7]})
>>> final_group([{"groups": g}], "b", "queried_cum").tolist()
[7.0]
>>> stats("q", np.array([1.0, 3.0]))
{'q_mean': 2.0, 'q_min': 1.0, 'q_max': 3.0}
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from components.lessons.base import Frames


def _group_row(groups: pd.DataFrame, group: str, r: int | None) -> pd.Series:
    r = int(groups["round"].max()) if r is None else r
    rows = groups[(groups["round"] == r) & (groups["group"].astype(str) == group)]
    if len(rows) != 1:
        raise ValueError(f"no single row for group {group!r} at round {r}")
    return rows.iloc[0]


def final_group(
    runs: Sequence[Frames], group: str, column: str, *, r: int | None = None
) -> np.ndarray:
    """``column`` of the ``groups`` frame for ``group`` at round ``r`` (the last if None)."""
    return np.array([float(_group_row(f["groups"], group, r)[column]) for f in runs])


def final_round(runs: Sequence[Frames], column: str, *, r: int | None = None) -> np.ndarray:
    """``column`` of the ``rounds`` frame at round ``r`` (the last if None)."""
    out = []
    for f in runs:
        rounds = f["rounds"]
        row = rounds.iloc[-1] if r is None else rounds[rounds["round"] == r].iloc[0]
        out.append(float(row[column]))
    return np.array(out)


def group_series(runs: Sequence[Frames], group: str, column: str) -> np.ndarray:
    """``column`` for ``group`` at every round: shape (n_seeds, n_rounds + 1)."""
    out = []
    for f in runs:
        g = f["groups"]
        rows = g[g["round"].astype(int) >= 0]
        rows = rows[rows["group"].astype(str) == group].sort_values("round")
        out.append(rows[column].to_numpy(dtype=float))
    return np.array(out)


def total_queries(runs: Sequence[Frames]) -> np.ndarray:
    """Queries asked after the seed set, per seed (all groups, last round)."""
    out = []
    for f in runs:
        g = f["groups"]
        out.append(float(g[g["round"] == g["round"].max()]["queried_cum"].sum()))
    return np.array(out)


def seed_set_count(runs: Sequence[Frames], group: str) -> np.ndarray:
    """How many of the seed set's rows (round 0 of ``queries``) are in ``group``."""
    out = []
    for f in runs:
        q = f["queries"]
        seed_set = q[q["round"] == 0]
        out.append(float((seed_set["group"].astype(str) == group).sum()))
    return np.array(out)


def stats(prefix: str, values: np.ndarray) -> dict[str, float]:
    """``{prefix}_mean``, ``{prefix}_min`` and ``{prefix}_max`` of ``values`` (NaN if empty)."""
    v = np.asarray(values, dtype=float)
    if v.size == 0:
        return {f"{prefix}_{k}": float("nan") for k in ("mean", "min", "max")}
    return {
        f"{prefix}_mean": float(np.mean(v)),
        f"{prefix}_min": float(np.min(v)),
        f"{prefix}_max": float(np.max(v)),
    }
