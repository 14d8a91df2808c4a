"""Turn a table of human-readable records into a ``Dataset``.

Real tabular data sets share one recipe: numeric columns are imputed with the
median and standardised; categorical columns are imputed with the most frequent
value and one-hot encoded, with rare categories pooled so a column with
hundreds of values (COMPAS charge descriptions) stays a few dozen features.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from datasets.base import INTERSECT, Dataset, embed_2d, group_labels

#: Most one-hot columns per categorical feature; rarer values share one column.
MAX_CATEGORIES = 20
#: Name sklearn gives the pooled rare categories, and the name we show instead.
_SKLEARN_INFREQUENT = "infrequent_sklearn"
RARE = "(rare)"


def _feature_name(feature: str, category: Any) -> str:
    """``sex`` + ``Female`` -> ``sex=Female``; sklearn's pooled bin -> ``x=(rare)``."""
    cat = str(category)
    return f"{feature}={RARE if cat == _SKLEARN_INFREQUENT else cat}"


def split_columns(frame: pd.DataFrame) -> tuple[list[str], list[str]]:
    """Numeric and categorical column names of ``frame``, in frame order.

    Booleans count as categorical, so they are shown and encoded as words.
    """
    numeric, categorical = [], []
    for col in frame.columns:
        s = frame[col]
        if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
            numeric.append(str(col))
        else:
            categorical.append(str(col))
    return numeric, categorical


def encode_features(
    frame: pd.DataFrame,
    *,
    categorical: Sequence[str] | None = None,
    max_categories: int = MAX_CATEGORIES,
) -> tuple[np.ndarray, tuple[str, ...]]:
    """Model features from a frame of records.

    Parameters
    ----------
    frame : DataFrame of shape (n_samples, n_columns)
        Only feature columns: no label, no group attribute.
    categorical : sequence of str, optional
        Columns to one-hot encode. By default every non-numeric column.
        Numbers listed here are encoded as categories.
    max_categories : int
        Cap on the one-hot columns per categorical feature, the pooled
        ``(rare)`` column included.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features), float64
        Numeric columns (median-imputed, standardised) first, then the
        one-hot columns (most-frequent-imputed). Columns without a single
        value are left out.
    feature_names : tuple of str, length n_features
        Numeric columns keep their names; one-hot columns read
        ``column=value``, and ``column=(rare)`` for the pooled categories.

    Examples
    --------
    >>> df = pd.DataFrame({"age": [20.0, None, 40.0], "job": ["a", "b", None]})
    >>> X, names = encode_features(df)
    >>> X.shape, names
    ((3, 3), ('age', 'job=a', 'job=b'))
    >>> X[:, 0].round(3).tolist()  # the missing age becomes the median, 30
    [-1.225, 0.0, 1.225]
    """
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    # Columns with no value at all carry no information (and would make the
    # imputers warn), so they are left out.
    frame = frame.rename(columns=str)
    frame = frame.loc[:, frame.notna().any(axis=0).to_numpy()]
    if frame.shape[1] == 0:
        raise ValueError("encode_features: the frame has no feature column with any value")
    if categorical is None:
        numeric, cats = split_columns(frame)
    else:
        wanted = {str(c) for c in categorical}
        cats = [c for c in frame.columns if c in wanted]
        numeric = [c for c in frame.columns if c not in wanted]

    # Categories are encoded as sorted integer codes (NaN where missing) before
    # sklearn sees them: the same result as encoding the words, but counting
    # integers is far faster than counting Python strings. ``words`` maps the
    # codes back for the feature names.
    columns: dict[str, np.ndarray] = {}
    for col in numeric:
        columns[col] = pd.to_numeric(frame[col]).to_numpy(dtype=np.float64, na_value=np.nan)
    words: dict[str, list[str]] = {}
    for col in cats:
        codes, uniques = pd.factorize(frame[col], sort=True)
        words[col] = [str(u) for u in uniques]
        columns[col] = np.where(codes < 0, np.nan, codes.astype(np.float64))
    data = pd.DataFrame(columns, index=frame.index)

    def feature_name(feature: str, category: Any) -> str:
        if isinstance(category, str):  # sklearn's pooled bin, "infrequent_sklearn"
            return _feature_name(feature, category)
        return _feature_name(feature, words[feature][int(category)])

    transformers = []
    if numeric:
        transformers.append(
            ("num", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), numeric)
        )
    if cats:
        onehot = OneHotEncoder(
            max_categories=max_categories,
            handle_unknown="infrequent_if_exist",
            sparse_output=False,
            feature_name_combiner=feature_name,
        )
        transformers.append(
            ("cat", make_pipeline(SimpleImputer(strategy="most_frequent"), onehot), cats)
        )
    ct = ColumnTransformer(transformers, verbose_feature_names_out=False, sparse_threshold=0.0)
    X = np.asarray(ct.fit_transform(data), dtype=np.float64)
    names = tuple(str(n) for n in ct.get_feature_names_out())
    return X, names


def tabular_dataset(
    frame: pd.DataFrame,
    *,
    name: str,
    label_col: str,
    positive: Any,
    group_attribute: str,
    drop: Sequence[str] = (),
    display_only: Sequence[str] = (),
    categorical: Sequence[str] | None = None,
    max_categories: int = MAX_CATEGORIES,
    description: str,
    licence: str,
    source: str,
    positive_label: str,
    notes: Mapping[str, Any] | None = None,
) -> Dataset:
    """Build a ``Dataset`` from a frame of human-readable records.

    Parameters
    ----------
    frame : DataFrame of shape (n_samples, n_columns)
        One row per record, values as they should be shown to users.
    name : str
        Registered name of the data set.
    label_col : str
        Column holding the label; rows equal to ``positive`` get ``y = 1``.
    positive : scalar
        The label value counted as the positive class.
    group_attribute : str
        Column(s) defining the group, joined with ``+`` for intersections,
        e.g. ``"sex+race"``. *Every* column named here is kept out of the
        features; other sensitive columns stay in (on purpose: they are
        realistic proxies).
    drop : sequence of str
        Columns removed entirely, from the features and from ``raw``.
    display_only : sequence of str
        Columns kept in ``raw`` for display but not used as features.
    categorical : sequence of str, optional
        Passed to :func:`encode_features`.
    max_categories : int
        Passed to :func:`encode_features`.
    description, licence, source, positive_label : str
        Copied to the ``Dataset``.
    notes : mapping, optional
        Copied to ``Dataset.notes``.

    Returns
    -------
    Dataset
        ``X`` of shape (n_samples, n_features), ``y`` and ``group`` of shape
        (n_samples,), ``embedding`` of shape (n_samples, 2) (PCA of ``X``),
        and ``raw``: the feature, display-only, group and label columns.

    Examples
    --------
    >>> df = pd.DataFrame({
    ...     "age": [25, 40, 33, 51], "sex": ["Female", "Male", "Male", "Female"],
    ...     "race": ["White", "Black", "White", "Black"], "paid": ["yes", "no", "yes", "no"]})
    >>> ds = tabular_dataset(df, name="toy", label_col="paid", positive="yes",
    ...     group_attribute="sex+race", description="toy", licence="CC0",
    ...     source="doctest", positive_label="paid")
    >>> ds.X.shape, ds.feature_names, ds.y.tolist()
    ((4, 1), ('age',), [1, 0, 1, 0])
    >>> ds.groups
    ('Female+Black', 'Female+White', 'Male+Black', 'Male+White')
    >>> list(ds.raw.columns)
    ['age', 'sex', 'race', 'paid']
    """
    group_cols = group_attribute.split(INTERSECT)
    missing = [c for c in [*group_cols, label_col, *drop, *display_only] if c not in frame.columns]
    if missing:
        raise ValueError(
            f"dataset '{name}': columns {missing} are not in the data; "
            f"allowed: {', '.join(map(str, frame.columns))}"
        )
    excluded = {*group_cols, label_col, *drop, *display_only}
    feature_cols = [c for c in frame.columns if c not in excluded]
    if categorical is not None:
        categorical = [c for c in categorical if c in feature_cols]
    X, feature_names = encode_features(
        frame[feature_cols], categorical=categorical, max_categories=max_categories
    )
    y = (frame[label_col] == positive).to_numpy(dtype=np.int64)
    group = group_labels(frame, group_attribute)
    shown = [c for c in frame.columns if c not in set(drop)]
    raw = frame[shown].reset_index(drop=True)
    return Dataset(
        name=name,
        X=X,
        y=y,
        group=group,
        feature_names=feature_names,
        description=description,
        modality="tabular",
        licence=licence,
        source=source,
        group_attribute=group_attribute,
        positive_label=positive_label,
        raw=raw,
        embedding=embed_2d(X),
        notes=dict(notes or {}),
    )
