"""A finished run plus the per-round snapshots the dashboard draws.

A simulated-oracle run is deterministic per config, so the dashboard computes
it once (cached) and reveals it round by round. ``RunTrace`` holds the record
frames and, per round, what the charts need beyond them: the pool map, the
decision boundary (2D data) and a sample of the strategy's scores.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from components.config import RunConfig
from components.engine import Simulation
from components.learners import predict_proba

#: Scores kept per round for the distribution chart.
SCORE_SAMPLE = 3000
GRID = 60


@dataclass
class RunTrace:
    """Frames and per-round arrays of one run.

    Attributes
    ----------
    config : the resolved RunConfig
    groups : tuple of str
    frames : dict with "rounds", "groups", "queries" DataFrames (record schema)
    xy : ndarray (n_pool, 2) float32, the map layout of the pool
    g_pool : ndarray (n_pool,) int, group codes; dtype ``group_code_dtype(len(groups))``
    y_pool : ndarray (n_pool,) int8, true labels
    y_pool_obs : ndarray (n_pool,) int8, recorded labels (before any annotator bias)
    query_round : ndarray (n_pool,) int16, round each row was labelled in, -1 never
    idx_pool : ndarray (n_pool,) int, dataset row of each pool row
    score_rows : ndarray (k,) int, pool positions whose scores are kept
    scores : ndarray (n_rounds, k) float32, strategy scores (NaN if none)
    grid : (xs, ys, proba) with proba (n_rounds, GRID, GRID) float32, or None
    """

    config: RunConfig
    groups: tuple[str, ...]
    frames: dict[str, pd.DataFrame]
    xy: np.ndarray
    g_pool: np.ndarray
    y_pool: np.ndarray
    y_pool_obs: np.ndarray
    query_round: np.ndarray
    idx_pool: np.ndarray
    score_rows: np.ndarray
    scores: np.ndarray
    grid: tuple[np.ndarray, np.ndarray, np.ndarray] | None
    dataset_name: str
    modality: str

    @property
    def n_rounds(self) -> int:
        return len(self.scores)

    @property
    def last_round(self) -> int:
        return self.n_rounds - 1


def group_code_dtype(n_groups: int) -> np.dtype:
    """The smallest signed integer dtype that holds group codes ``0 .. n_groups - 1``.

    Parameters
    ----------
    n_groups : int
        How many groups there are.

    Returns
    -------
    numpy.dtype
        int8, int16 or int32: each has a plotly.js typed array, so the codes
        are sent compactly.

    Examples
    --------
    >>> group_code_dtype(128), group_code_dtype(129), group_code_dtype(40_000)
    (dtype('int8'), dtype('int16'), dtype('int32'))
    """
    for t in (np.int8, np.int16, np.int32):
        if n_groups - 1 <= np.iinfo(t).max:
            return np.dtype(t)
    return np.dtype(np.int64)


def _layout(sim: Simulation) -> np.ndarray:
    s = sim.split
    d = s.X_pool.shape[1] - s.n_group_cols
    if d == 2:
        return s.X_pool[:, :2].astype(np.float32)
    emb = sim.dataset.embedding
    if emb is None:
        from datasets.base import embed_2d

        emb = embed_2d(sim.dataset.X)
    return np.asarray(emb, dtype=np.float32)[s.idx_pool]


def _grid(xy: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    lo, hi = xy.min(axis=0), xy.max(axis=0)
    pad = (hi - lo) * 0.05
    xs = np.linspace(lo[0] - pad[0], hi[0] + pad[0], GRID)
    ys = np.linspace(lo[1] - pad[1], hi[1] + pad[1], GRID)
    gx, gy = np.meshgrid(xs, ys)
    return xs, ys, np.column_stack([gx.ravel(), gy.ravel()])


def trace_run(config: RunConfig, *, progress: Callable[[int, int], Any] | None = None) -> RunTrace:
    """Run ``config`` to its budget, keeping what the charts need each round.

    ``progress(done, total)`` is called after every round.
    """
    sim = Simulation(config)
    s = sim.split
    xy = _layout(sim)
    rng = np.random.default_rng(np.random.SeedSequence([sim.config.seed, 7]))
    k = min(SCORE_SAMPLE, s.n_pool)
    score_rows = np.sort(rng.choice(s.n_pool, size=k, replace=False))
    two_d = s.X_pool.shape[1] == 2
    grid_pts = _grid(xy) if two_d else None
    scores, probas = [], []

    def snapshot() -> None:
        sc = sim.scores
        scores.append(
            sc[score_rows].astype(np.float32) if sc is not None else np.full(k, np.nan, np.float32)
        )
        if grid_pts is not None:
            p = predict_proba(sim.model, grid_pts[2])[:, 1]
            probas.append(p.reshape(GRID, GRID).astype(np.float32))

    total = sim.config.rounds
    snapshot()
    if progress:
        progress(0, total)
    while not sim.done:
        sim.step()
        snapshot()
        if progress:
            progress(sim.round, total)
    query_round = np.full(s.n_pool, -1, dtype=np.int16)
    for r, pos in enumerate(sim.order):
        query_round[pos] = r
    result = sim.result()
    return RunTrace(
        config=sim.config,
        groups=sim.groups,
        frames=result.frames(),
        xy=xy,
        g_pool=s.g_pool.astype(group_code_dtype(len(sim.groups))),
        y_pool=s.y_pool.astype(np.int8),
        y_pool_obs=s.y_pool_obs.astype(np.int8),
        query_round=query_round,
        idx_pool=np.asarray(s.idx_pool),
        score_rows=score_rows,
        scores=np.vstack(scores),
        grid=(grid_pts[0], grid_pts[1], np.stack(probas)) if grid_pts is not None else None,
        dataset_name=sim.dataset.name,
        modality=sim.dataset.modality,
    )
