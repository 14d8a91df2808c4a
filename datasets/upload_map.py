"""Map an upload's columns to a ``Dataset``: validate a spec, preview it, build it.

Part of :mod:`datasets.upload`, which re-exports the public names here.
Column names and values from a file are untrusted text; nothing here builds
markup from them.

Decisions on ambiguous input, each reported to the user:

- **Label and group** values are kept as written; only feature columns are
  cleaned (:mod:`datasets.upload_clean`).
- **Rows** without a label or a group value are dropped, counted.
- **The positive class** is guessed for a label with two classes (``1``,
  ``yes``, ``true``..., else the last in sorted order) and must be chosen for
  three or more.
- **Groups** are checked by :mod:`datasets.upload_groups`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from datasets.base import Dataset
from datasets.tabular import MAX_CATEGORIES, RARE, tabular_dataset
from datasets.upload_clean import MIN_ROWS, as_text, clean_feature
from datasets.upload_groups import Groups, check_groups, group_warnings
from datasets.upload_spec import UploadSpec, feature_columns, quoted_names
from specs import UserInputError, did_you_mean

#: A positive rate below this (or above 1 minus it) gets a warning.
UNBALANCED = 0.05
#: Cap on rows x encoded feature columns, about 80 MB of float64.
MAX_ENCODED = 10_000_000
#: Label values guessed to mean the positive class.
POSITIVE_WORDS = ("1", "yes", "y", "true", "t", "positive", "pos")

MSG_LABEL_EMPTY = (
    "label: column {value!r} has no values (all {n:,} are missing); "
    "allowed: a column with 2 or more classes"
)
MSG_LABEL_ONE_CLASS = (
    "label: column {value!r} has one class only ({cls!r}); allowed: a column with 2 or more classes"
)
MSG_LABEL_MANY = (
    "positive: label column {label!r} has {k} classes ({classes}) and no positive class "
    "is chosen; allowed: one of them as the positive class (the others count as negative)"
)
MSG_POSITIVE_MISSING = (
    "positive: {value!r} is not a class of label column {label!r}; allowed: {classes}{hint}"
)
MSG_TOO_FEW_ROWS = (
    "rows: {n:,} row(s) have both a label and a group value; allowed: at least {min} rows"
)
MSG_TOO_WIDE = (
    "features: the model inputs would be {n:,} rows x {width:,} columns; allowed: at most "
    "{limit:,} values; choose fewer feature columns or upload fewer rows"
)
MSG_NO_USABLE = (
    "features: no usable column ({reasons}); allowed: at least one column with 2 or more "
    "distinct values that is not an identifier or a row number"
)

WARN_NO_LABEL = "label: {n:,} row(s) without a {label!r} value dropped"
WARN_NO_GROUP = "group: {n:,} row(s) without a value in {cols} dropped"
WARN_UNBALANCED = (
    "label: {rate:.1%} of rows are positive ({label} = {positive!r}); "
    "with so unbalanced a label, accuracy says little"
)


@dataclass(frozen=True)
class UploadPreview:
    """What a run on the upload would use, for the UI to show before it starts.

    ``group_sizes`` and ``label_rate`` (share of positives) are per group,
    largest group first. ``steps`` say in words how rows become model inputs.
    """

    spec: UploadSpec
    n_rows: int
    n_columns: int
    n_dropped_rows: int
    group_sizes: dict[str, int]
    label_rate: dict[str, float]
    features: tuple[str, ...]
    dropped_columns: dict[str, str]
    warnings: tuple[str, ...]
    steps: tuple[str, ...]


@dataclass(frozen=True)
class _Prepared:
    preview: UploadPreview
    data: pd.DataFrame  # cleaned features, group columns and label as text
    raw: pd.DataFrame  # the same rows as read, every column
    group: np.ndarray  # each row's group label, as checked (pooled if asked)


def _order_key(value: str) -> tuple[int, float, str]:
    try:
        return (0, float(value), value)
    except ValueError:
        return (1, 0.0, value)


def _positive(classes: list[str], spec: UploadSpec) -> tuple[str, bool]:
    """The positive class and whether it was guessed."""
    if spec.positive is not None:
        if spec.positive in classes:
            return spec.positive, False
        for c in classes:  # "1.0" for 1
            if _order_key(c)[0] == 0 and _order_key(spec.positive)[:2] == _order_key(c)[:2]:
                return c, False
        same = [c for c in classes if c.casefold() == spec.positive.casefold()]
        if len(same) == 1:  # "Yes" for "yes"
            return same[0], False
        raise UserInputError(
            MSG_POSITIVE_MISSING.format(
                value=spec.positive,
                label=spec.label,
                classes=quoted_names(sorted(classes, key=_order_key), 20),
                hint=did_you_mean(spec.positive, classes),
            )
        )
    if len(classes) > 2:
        raise UserInputError(
            MSG_LABEL_MANY.format(
                label=spec.label,
                k=len(classes),
                classes=quoted_names(sorted(classes, key=_order_key), 20),
            )
        )
    words = [c for c in classes if c.lower() in POSITIVE_WORDS]
    return (words[0] if len(words) == 1 else sorted(classes, key=_order_key)[-1]), True


def _keep_rows(label: pd.Series, groups: dict[str, pd.Series], warnings: list[str]) -> np.ndarray:
    """Rows with a label and every group value; the others are counted in ``warnings``."""
    keep = label.notna().to_numpy().copy()
    if (~keep).any():
        warnings.append(WARN_NO_LABEL.format(n=int((~keep).sum()), label=label.name))
    no_group = np.zeros(len(label), dtype=bool)
    for values in groups.values():
        no_group |= values.isna().to_numpy()
    if (no_group & keep).any():
        warnings.append(
            WARN_NO_GROUP.format(n=int((no_group & keep).sum()), cols=quoted_names(list(groups)))
        )
    return keep & ~no_group


def _clean_features(
    frame: pd.DataFrame, features: list[str], warnings: list[str]
) -> tuple[dict[str, pd.Series], dict[str, str], dict[str, str]]:
    """The usable feature columns, their kinds, and why the others were dropped."""
    cleaned: dict[str, pd.Series] = {}
    kinds: dict[str, str] = {}
    dropped: dict[str, str] = {}
    for col in features:
        s, kind = clean_feature(frame[col], col, warnings)
        if s is None:
            dropped[col] = kind
        else:
            cleaned[col], kinds[col] = s, kind
    if not cleaned:
        reasons = ", ".join(f"{c!r} {why}" for c, why in list(dropped.items())[:6])
        raise UserInputError(MSG_NO_USABLE.format(reasons=reasons))
    n = len(frame)
    width = sum(
        1 if kinds[c] == "numeric" else min(int(s.nunique()), MAX_CATEGORIES)
        for c, s in cleaned.items()
    )
    if n * width > MAX_ENCODED:
        raise UserInputError(MSG_TOO_WIDE.format(n=n, width=width, limit=MAX_ENCODED))
    return cleaned, kinds, dropped


def _steps(
    spec: UploadSpec,
    *,
    n_rows: int,
    n_read: int,
    positive: str,
    negatives: list[str],
    guessed: bool,
    groups: Groups,
    cleaned: dict[str, pd.Series],
    kinds: dict[str, str],
    dropped: dict[str, str],
    unused: list[str],
) -> tuple[str, ...]:
    """How rows become model inputs, in words, one line per step."""
    numeric = [c for c, k in kinds.items() if k == "numeric"]
    categorical = [c for c, k in kinds.items() if k == "categorical"]
    pooled = (
        f" (the {groups.n_pooled:,} smallest pooled as {groups.pooled_as!r})"
        if groups.n_pooled
        else ""
    )
    steps = [
        f"Rows: {n_rows:,} of {n_read:,} used (a label and a group value each).",
        f"Label: {spec.label} = {positive!r} is positive (1); "
        f"{quoted_names(negatives, 5)} negative (0)"
        + (" (guessed: set the positive class to change it)." if guessed else "."),
        f"Groups: {spec.group_attribute}, {len(groups.sizes)} groups{pooled}"
        "; not a model feature unless the run gives the model the group.",
    ]
    if numeric:
        steps.append(
            f"{len(numeric)} numeric feature(s) ({quoted_names(numeric)}): missing values "
            "filled with the column's median, then standardised to mean 0 and standard "
            "deviation 1."
        )
    if categorical:
        wide = [c for c in categorical if cleaned[c].nunique() > MAX_CATEGORIES]
        steps.append(
            f"{len(categorical)} categorical feature(s) ({quoted_names(categorical)}): missing "
            "values filled with the most frequent value, then one-hot encoded"
            + (
                f"; {quoted_names(wide)} keep their {MAX_CATEGORIES - 1} most frequent values "
                f"and pool the rest as '{RARE}'."
                if wide
                else "."
            )
        )
    if dropped:
        steps.append("Not used: " + ", ".join(f"{c!r} ({why})" for c, why in dropped.items()) + ".")
    if unused:
        steps.append(f"Shown but not features: {quoted_names(unused)}.")
    return tuple(steps)


def _prepare(frame: pd.DataFrame, spec: UploadSpec) -> _Prepared:
    frame = frame.rename(columns=str).reset_index(drop=True)
    columns = list(frame.columns)
    features = feature_columns(columns, spec)
    warnings: list[str] = []
    label = as_text(frame[spec.label]).rename(spec.label)
    if label.isna().all():
        raise UserInputError(MSG_LABEL_EMPTY.format(value=spec.label, n=len(label)))
    groups = {g: as_text(frame[g]) for g in spec.group}
    keep = _keep_rows(label, groups, warnings)
    label = label[keep]
    n = int(keep.sum())
    classes = list(label.value_counts().index)
    if not classes:
        raise UserInputError(MSG_TOO_FEW_ROWS.format(n=0, min=MIN_ROWS))
    if len(classes) == 1:
        raise UserInputError(MSG_LABEL_ONE_CLASS.format(value=spec.label, cls=classes[0]))
    positive, guessed = _positive(classes, spec)
    if n < MIN_ROWS:
        raise UserInputError(MSG_TOO_FEW_ROWS.format(n=n, min=MIN_ROWS))
    # On the group counts alone, before any work per group or per feature.
    checked = check_groups({g: v[keep] for g, v in groups.items()}, pool_small=spec.pool_small)
    warnings += checked.warnings
    cleaned, kinds, dropped = _clean_features(frame.loc[keep], features, warnings)

    y = (label == positive).to_numpy()
    by_group = pd.Series(y).groupby(checked.labels.to_numpy()).mean()
    rate = {g: float(by_group[g]) for g in checked.sizes.index}
    warnings += group_warnings(checked.sizes, rate)
    overall = float(y.mean())
    if min(overall, 1 - overall) < UNBALANCED:
        warnings.append(WARN_UNBALANCED.format(rate=overall, label=spec.label, positive=positive))

    steps = _steps(
        spec,
        n_rows=n,
        n_read=len(frame),
        positive=positive,
        negatives=[c for c in classes if c != positive],
        guessed=guessed,
        groups=checked,
        cleaned=cleaned,
        kinds=kinds,
        dropped=dropped,
        unused=[c for c in columns if c not in features and c != spec.label and c not in groups],
    )
    resolved = replace(spec, positive=positive, features=tuple(cleaned))
    data = pd.DataFrame(cleaned)
    for g in spec.group:
        data[g] = groups[g][keep]
    data[spec.label] = label
    preview = UploadPreview(
        spec=resolved,
        n_rows=n,
        n_columns=len(columns),
        n_dropped_rows=len(frame) - n,
        group_sizes={str(g): int(c) for g, c in checked.sizes.items()},
        label_rate={str(g): rate[g] for g in checked.sizes.index},
        features=tuple(cleaned),
        dropped_columns=dropped,
        warnings=tuple(warnings),
        steps=steps,
    )
    return _Prepared(
        preview,
        data.reset_index(drop=True),
        frame.loc[keep].reset_index(drop=True),
        checked.labels.to_numpy(dtype=str),
    )


def validate(frame: pd.DataFrame, spec: UploadSpec) -> UploadSpec:
    """Check ``spec`` against ``frame``; return it with the positive class and features filled.

    Raises
    ------
    ColumnMissing
        A column the spec names is not in the file (a ``ValueError``).
    ValueError
        One message for the first problem found, starting with the field
        (``label``, ``positive``, ``group``, ``features``, ``rows``), naming
        the value and what is allowed.

    Examples
    --------
    >>> df = pd.DataFrame({"x": [3, 1, 2, 5] * 10, "g": ["a", "b"] * 20, "paid": ["no", "yes"] * 20})
    >>> validate(df, UploadSpec("paid", ("g",))).positive
    'yes'
    >>> validate(df, UploadSpec("payd", ("g",)))
    Traceback (most recent call last):
    datasets.upload_spec.ColumnMissing: label: column 'payd' is not in the file; allowed: 'x', 'g', 'paid' (did you mean 'paid'?)
    """
    return _prepare(frame, spec).preview.spec


def preview(
    frame: pd.DataFrame, spec: UploadSpec, *, warnings: Sequence[str] = ()
) -> UploadPreview:
    """Validate, then describe rows, groups, label rates, warnings and preprocessing steps.

    ``warnings`` (those of :func:`datasets.upload_read.read_csv_bytes`) come
    first in the result's.

    >>> df = pd.DataFrame({"x": [3, 1, 2, 5] * 10, "g": ["a"] * 30 + ["b"] * 10, "y": [0, 1] * 20})
    >>> p = preview(df, UploadSpec("y", "g"))
    >>> p.group_sizes, p.label_rate, p.warnings
    ({'a': 30, 'b': 10}, {'a': 0.5, 'b': 0.5}, ("group 'b': has 10 rows (fewer than 30); its metrics will be noisy",))
    """
    p = _prepare(frame, spec).preview
    return replace(p, warnings=(*warnings, *p.warnings))


def dataset_from_upload(
    frame: pd.DataFrame,
    spec: UploadSpec,
    *,
    name: str,
    sha256: str,
    warnings: Sequence[str] = (),
) -> Dataset:
    """Build the ``Dataset`` of an upload with :func:`datasets.tabular.tabular_dataset`.

    ``raw`` holds the used rows as read (every column, untrusted text: show it
    as text). ``notes`` holds the file's name and hash, the resolved spec, the
    warnings (``warnings`` first) and the preprocessing steps.

    >>> df = pd.DataFrame({"x": [3.5, 1, 2, 5] * 10, "g": ["a", "b"] * 20, "y": [0, 1] * 20})
    >>> ds = dataset_from_upload(df, UploadSpec("y", ("g",)), name="toy.csv", sha256="0" * 64)
    >>> ds.X.shape, ds.groups, ds.positive_label, ds.y[:4].tolist()
    ((40, 1), ('a', 'b'), 'y = 1', [0, 1, 0, 1])
    """
    p = _prepare(frame, spec)
    s = p.preview.spec
    # The group labels are the checked ones (joined, and pooled if asked), given
    # as the first group column; the other group columns are left out.
    first, *others = s.group
    data = p.data.copy()
    data[first] = p.group
    ds = tabular_dataset(
        data,
        name=name,
        label_col=s.label,
        positive=s.positive,
        group_attribute=first,
        drop=others,
        description=f"Your data: {name}, {p.preview.n_rows:,} rows, label {s.label} = {s.positive}",
        licence="Uploaded by the user; not redistributed",
        source=f"uploaded file {name} (sha256 {sha256})",
        positive_label=f"{s.label} = {s.positive}",
        notes={
            "file": name,
            "sha256": sha256,
            "spec": {
                "label": s.label,
                "group": list(s.group),
                "positive": s.positive,
                "features": list(s.features or ()),
                "pool_small": s.pool_small,
            },
            "dropped_columns": dict(p.preview.dropped_columns),
            "warnings": [*warnings, *p.preview.warnings],
            "steps": list(p.preview.steps),
        },
    )
    return replace(ds, group_attribute=s.group_attribute, raw=p.raw)
