"""Pool/test split: the data a simulation runs on, before and after scenarios.

A ``Split`` keeps the truth (``y_pool``, ``y_test``) next to what a practitioner
would have recorded (``y_pool_obs``, ``y_test_obs``). Scenarios that transform
data return new ``Split`` objects; the test set's truth is never touched.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from datasets.base import Dataset
from specs import UserInputError

MSG_TOO_SMALL = "dataset '{name}' has {n} rows; allowed: at least 20 for a pool and a test set"


def readonly(a: np.ndarray) -> np.ndarray:
    """Return ``a`` as a read-only array (a copy only if it is writeable)."""
    a = np.asarray(a)
    if a.flags.writeable:
        a = a.copy()
        a.setflags(write=False)
    return a


@dataclass(frozen=True, eq=False)
class Split:
    """Pool and test set, as integer group codes into ``groups``.

    Attributes
    ----------
    X_pool : ndarray (n_pool, n_features)
    y_pool, y_pool_obs : ndarray (n_pool,) int
        Truth and observed label; the simulated annotator reveals ``y_pool_obs``.
    g_pool : ndarray (n_pool,) int
        Group code of each pool row.
    idx_pool : ndarray (n_pool,) int
        Row of the dataset each pool row came from (repeats under duplicates).
    X_test, y_test, y_test_obs, g_test, idx_test : same for the test set.
    groups : tuple of str
        Group names; code ``k`` is ``groups[k]``.
    n_group_cols : int
        How many trailing columns of X are the one-hot group (``use_group_feature``).
    """

    X_pool: np.ndarray
    y_pool: np.ndarray
    y_pool_obs: np.ndarray
    g_pool: np.ndarray
    idx_pool: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    y_test_obs: np.ndarray
    g_test: np.ndarray
    idx_test: np.ndarray
    groups: tuple[str, ...]
    n_group_cols: int = 0

    def __post_init__(self) -> None:
        for name in (
            "X_pool",
            "y_pool",
            "y_pool_obs",
            "g_pool",
            "idx_pool",
            "X_test",
            "y_test",
            "y_test_obs",
            "g_test",
            "idx_test",
        ):
            object.__setattr__(self, name, readonly(getattr(self, name)))

    @property
    def n_pool(self) -> int:
        return int(self.X_pool.shape[0])

    @property
    def n_groups(self) -> int:
        return len(self.groups)

    def code(self, group: str) -> int:
        return self.groups.index(group)

    def evolve(self, **changes: object) -> Split:
        """A new ``Split`` with some fields replaced (inputs stay untouched)."""
        return replace(self, **changes)

    def subset_pool(self, keep: np.ndarray) -> Split:
        """Keep the pool rows at integer positions ``keep`` (order preserved)."""
        keep = np.asarray(keep)
        return self.evolve(
            X_pool=self.X_pool[keep],
            y_pool=self.y_pool[keep],
            y_pool_obs=self.y_pool_obs[keep],
            g_pool=self.g_pool[keep],
            idx_pool=self.idx_pool[keep],
        )


def make_split(
    dataset: Dataset, *, test_size: float, rng: np.random.Generator, use_group_feature: bool = False
) -> Split:
    """Split ``dataset`` into pool and test, stratified by (group, label).

    ``test_size`` is the share of each stratum held out, in (0, 0.9] (a
    ``RunConfig`` holds it in its bounds). With ``use_group_feature`` the
    group is appended to ``X`` as one-hot columns.

    >>> from datasets.base import load
    >>> s = make_split(load("two_groups:n_samples=200"), test_size=0.25, rng=np.random.default_rng(0))
    >>> s.n_pool + len(s.y_test), s.groups
    (200, ('majority', 'minority'))
    """
    n = dataset.n_samples
    if n < 20:
        raise UserInputError(MSG_TOO_SMALL.format(name=dataset.name, n=n))
    groups = dataset.groups
    codes = np.searchsorted(np.array(sorted(groups)), dataset.group)
    # map sorted-order codes onto the largest-first order of ``groups``
    remap = np.array([groups.index(g) for g in sorted(groups)])
    g = remap[codes]
    X = dataset.X
    if use_group_feature:
        X = np.hstack([X, np.eye(len(groups))[g]])
    strata = g * 2 + dataset.y
    test_mask = np.zeros(n, dtype=bool)
    for s in np.unique(strata):
        rows = np.flatnonzero(strata == s)
        rows = rows[rng.permutation(len(rows))]
        k = int(round(test_size * len(rows)))
        if len(rows) >= 2:
            k = min(max(k, 1), len(rows) - 1)
        else:
            k = 0
        test_mask[rows[:k]] = True
    pool_idx = np.flatnonzero(~test_mask)
    test_idx = np.flatnonzero(test_mask)
    pool_idx = pool_idx[rng.permutation(len(pool_idx))]
    y = dataset.y
    return Split(
        X_pool=X[pool_idx],
        y_pool=y[pool_idx],
        y_pool_obs=y[pool_idx],
        g_pool=g[pool_idx],
        idx_pool=pool_idx,
        X_test=X[test_idx],
        y_test=y[test_idx],
        y_test_obs=y[test_idx],
        g_test=g[test_idx],
        idx_test=test_idx,
        groups=groups,
        n_group_cols=len(groups) if use_group_feature else 0,
    )
