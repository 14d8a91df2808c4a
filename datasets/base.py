"""The ``Dataset`` type and its registry.

A loader is registered with ``@DATASETS.register(name, params=..., ...)`` and
returns a ``Dataset``. ``load(spec)`` resolves the spec, validates it and
caches the result, since loaders are deterministic.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from datasets.memo import Memo
from specs import Registry, Spec, UserInputError

MODALITIES = ("tabular", "image", "text")
MSG_DATASET_FIELD = "dataset '{name}': {field} {problem}"
MSG_DATASET_GROUPS = (
    "has {n:,} groups; allowed: at most {limit} groups; use a coarser attribute or pool "
    "small groups into one"
)

DATASETS = Registry("dataset")

#: Separator of intersectional group labels and attributes, e.g. ``sex+race``.
INTERSECT = "+"
#: Most groups a data set may have. Every per-group chart, metric and warning
#: grows with the count; uploads check it first, ``Dataset`` enforces it.
MAX_GROUPS = 50


def _readonly(a: np.ndarray) -> np.ndarray:
    a = np.array(a, copy=True)
    a.setflags(write=False)
    return a


@dataclass(frozen=True, eq=False)
class Dataset:
    """A labelled data set with a group attribute, ready for simulation.

    Attributes
    ----------
    X : ndarray of shape (n_samples, n_features), float64
        Model features. The group attribute itself is *not* among them; the
        engine appends it (one-hot) only when ``use_group_feature`` is on.
    y : ndarray of shape (n_samples,), int
        True binary labels, 1 is the positive class.
    group : ndarray of shape (n_samples,), str
        Each row's group label (intersectional labels joined with ``+``), at
        most ``MAX_GROUPS`` distinct labels.
    feature_names : tuple of str, length n_features
    name, description, modality, licence, source : str
    group_attribute : str
        Which attribute(s) define ``group``, e.g. ``"sex"`` or ``"sex+race"``.
    positive_label : str
        What ``y == 1`` means, in words.
    positive_favourable : bool
        Whether ``y == 1`` is the outcome a person would want (a loan granted,
        a high income: True) or not (a re-arrest: False), so a text can say
        whether being predicted positive helps or harms a group. Uploads
        keep the default, True.
    raw : DataFrame or ndarray or None
        Rows for display: the original record, the 8x8 image or the sentence.
    embedding : ndarray of shape (n_samples, 2) or None
        A 2D layout for maps.
    """

    name: str
    X: np.ndarray
    y: np.ndarray
    group: np.ndarray
    feature_names: tuple[str, ...]
    description: str
    modality: str
    licence: str
    source: str
    group_attribute: str
    positive_label: str = "positive"
    positive_favourable: bool = True
    raw: pd.DataFrame | np.ndarray | None = None
    embedding: np.ndarray | None = None
    notes: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        def bad(fld: str, problem: str) -> ValueError:
            return UserInputError(
                MSG_DATASET_FIELD.format(name=self.name, field=fld, problem=problem)
            )

        X = np.asarray(self.X, dtype=np.float64)
        if X.ndim != 2 or X.shape[0] < 2 or X.shape[1] < 1:
            raise bad("X", f"has shape {X.shape}; allowed: 2D with at least 2 rows and 1 column")
        if not np.isfinite(X).all():
            raise bad("X", "holds NaN or infinite values; allowed: finite numbers only")
        n = X.shape[0]
        y = np.asarray(self.y)
        if y.shape != (n,):
            raise bad("y", f"has shape {y.shape}; allowed: ({n},)")
        if not np.isin(y, (0, 1)).all():
            raise bad("y", f"holds values {sorted(set(np.unique(y).tolist()))}; allowed: 0 and 1")
        group = np.asarray(self.group).astype(str)
        if group.shape != (n,):
            raise bad("group", f"has shape {group.shape}; allowed: ({n},)")
        n_groups = len(pd.unique(group))
        if n_groups > MAX_GROUPS:
            raise bad("group", MSG_DATASET_GROUPS.format(n=n_groups, limit=MAX_GROUPS))
        if len(self.feature_names) != X.shape[1]:
            raise bad(
                "feature_names",
                f"has {len(self.feature_names)} names; allowed: {X.shape[1]} (one per column)",
            )
        if not isinstance(self.positive_favourable, (bool, np.bool_)):
            raise bad(
                "positive_favourable",
                f"is {self.positive_favourable!r}; allowed: True or False",
            )
        object.__setattr__(self, "positive_favourable", bool(self.positive_favourable))
        if self.modality not in MODALITIES:
            raise bad("modality", f"is {self.modality!r}; allowed: {', '.join(MODALITIES)}")
        if self.embedding is not None:
            emb = np.asarray(self.embedding, dtype=np.float64)
            if emb.shape != (n, 2):
                raise bad("embedding", f"has shape {emb.shape}; allowed: ({n}, 2)")
            object.__setattr__(self, "embedding", _readonly(emb))
        object.__setattr__(self, "X", _readonly(X))
        object.__setattr__(self, "y", _readonly(y.astype(np.int64)))
        object.__setattr__(self, "group", _readonly(group))
        object.__setattr__(self, "feature_names", tuple(str(f) for f in self.feature_names))

    @property
    def n_samples(self) -> int:
        return int(self.X.shape[0])

    @cached_property
    def _counts(self) -> tuple[tuple[str, int], ...]:
        # Cached: np.unique sorts every label, and a page asks for the groups more than once.
        values, counts = np.unique(self.group, return_counts=True)
        return tuple((str(v), int(c)) for v, c in zip(values, counts, strict=True))

    @property
    def groups(self) -> tuple[str, ...]:
        """Group labels, largest first (ties by name); this order fixes colours."""
        return tuple(g for g, _ in sorted(self._counts, key=lambda t: (-t[1], t[0])))

    def group_counts(self) -> dict[str, int]:
        return dict(self._counts)

    @property
    def smallest_group(self) -> str:
        return self.groups[-1]

    def positive_rate_by_group(self) -> dict[str, float]:
        return {g: float(self.y[self.group == g].mean()) for g in self.groups}


def embed_2d(X: np.ndarray, *, seed: int = 0) -> np.ndarray:
    """A 2D PCA layout of ``X``, shape (n_samples, 2); deterministic per seed."""
    from sklearn.decomposition import PCA

    X = np.asarray(X, dtype=np.float64)
    if X.shape[1] == 1:
        return np.column_stack([X[:, 0], np.zeros(len(X))])
    if X.shape[1] == 2:
        return X.copy()
    n_comp = 2
    return PCA(n_components=n_comp, random_state=seed, svd_solver="randomized").fit_transform(X)


#: Loaded data sets, per resolved spec: built-in ones, and uploads (large, per user: few).
LOADED: Memo[Spec, Dataset] = Memo(max_entries=32)
LOADED_UPLOADS: Memo[Spec, Dataset] = Memo(max_entries=4)


def resolve_dataset_spec(spec: Spec | str | Mapping[str, Any]) -> Spec:
    """Validate a dataset spec and fill its defaults."""
    _ensure_loaders()
    return DATASETS.resolve(spec)


def load(spec: Spec | str | Mapping[str, Any]) -> Dataset:
    """Load a registered dataset from a spec such as ``"adult:group=sex"``.

    Results are cached per resolved spec; a ``Dataset`` is immutable, so sharing
    it is safe.

    >>> ds = load("two_groups:n_samples=200")
    >>> ds.X.shape, ds.modality
    ((200, 2), 'tabular')
    """
    spec = resolve_dataset_spec(spec)
    memo = LOADED_UPLOADS if DATASETS[spec.name].extra.get("upload") else LOADED
    return memo.get_or_compute(spec, lambda: DATASETS[spec.name].func(**dict(spec.params)))


def _ensure_loaders() -> None:
    # Import for the side effect of registering every loader.
    from datasets import loaders  # noqa: F401


def group_labels(frame: pd.DataFrame, attribute: str) -> np.ndarray:
    """Group label per row for ``attribute``, which may join columns with ``+``.

    >>> df = pd.DataFrame({"sex": ["F", "M"], "race": ["A", "B"]})
    >>> group_labels(df, "sex+race").tolist()
    ['F+A', 'M+B']
    """
    cols = attribute.split(INTERSECT)
    out = frame[cols[0]].astype(str).to_numpy()
    for col in cols[1:]:
        out = np.char.add(
            np.char.add(out.astype(str), INTERSECT), frame[col].astype(str).to_numpy()
        )
    return out.astype(str)


def group_choices(attributes: tuple[str, ...]) -> tuple[str, ...]:
    """Each single attribute plus every pairwise intersection, in order."""
    pairs = tuple(
        f"{a}{INTERSECT}{b}" for i, a in enumerate(attributes) for b in attributes[i + 1 :]
    )
    return tuple(attributes) + pairs
