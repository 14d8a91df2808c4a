"""Your data: read an uploaded CSV, check a label and group choice, build a ``Dataset``.

UI-free. The app and the CLI (``--csv``) share it, and so does the registered
loader ``csv`` (which makes ``config.json`` replays of an uploaded file work).
Reading the file is :mod:`datasets.upload_read`, cleaning its feature columns
:mod:`datasets.upload_clean`; their public names are re-exported here. Column
names and values from a file are untrusted text; nothing here builds markup
from them.

Decisions on ambiguous input, each reported to the user:

- **Label and group** values are kept as written; only feature columns are
  cleaned.
- **Rows** without a label or a group value are dropped, counted.
- **Groups** number at most ``MAX_GROUPS``; past it the upload is refused,
  unless ``UploadSpec.pool_small`` asks to pool the smallest groups as one.
- **Per-group warnings** are summarised past ``MAX_GROUP_WARNINGS`` per kind.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from components.specs import Param, Spec, did_you_mean
from datasets.base import DATASETS, INTERSECT, MAX_GROUPS, Dataset
from datasets.tabular import MAX_CATEGORIES, RARE, tabular_dataset

# Re-exported: ``datasets.upload`` is the one module callers import.
from datasets.upload_clean import (  # noqa: F401
    DATE_FORMATS,
    DATE_SHARE,
    ID_SHARE,
    MAX_ABS,
    MAX_CATEGORY_CHARS,
    MIN_ROWS,
    MIXED_NUMERIC_SHARE,
    WARN_CONSTANT,
    WARN_DATES,
    WARN_EMPTY_COLUMN,
    WARN_IDENTIFIER,
    WARN_INF,
    WARN_LONG,
    WARN_MIXED,
    WARN_ROW_NUMBER,
    WARN_SEPARATORS,
    _as_text,
    _clean_feature,
)
from datasets.upload_read import (  # noqa: F401
    DELIMITERS,
    MAX_BYTES,
    MAX_COLUMNS,
    MAX_ROWS,
    MSG_BINARY,
    MSG_CSV_READ,
    MSG_DUPLICATE_COLUMNS,
    MSG_EMPTY,
    MSG_HEADER_ONLY,
    MSG_ONE_COLUMN,
    MSG_PARSE,
    MSG_TOO_BIG,
    MSG_TOO_MANY_COLUMNS,
    MSG_TOO_MANY_ROWS,
    NA_VALUES,
    SNIFF_CHARS,
    WARN_DELIMITER,
    WARN_EMPTY_ROWS,
    WARN_ENCODING,
    WARN_UNNAMED,
    WARN_UNNAMED_EMPTY,
    read_csv_bytes,
    read_file,
    sha256_hex,
)

#: Fewest rows per group; a smaller group cannot be split into pool and test.
MIN_GROUP_SIZE = 5
#: Groups below this size get a warning: their metrics are noisy.
SMALL_GROUP = 30
#: A positive rate below this (or above 1 minus it) gets a warning.
UNBALANCED = 0.05
#: Cap on rows x encoded feature columns, about 80 MB of float64.
MAX_ENCODED = 10_000_000
#: Characters the spec language reserves: ``name:key=value,key=value``.
SPEC_CHARS = (",", "=")
#: Lines per kind of per-group warning; past it, the first few and one count.
MAX_GROUP_WARNINGS = 5
#: Name of the group ``pool_small`` makes; ``" (2)"``... is added if a group has it.
POOLED = "other"

MSG_SPEC_LABEL = "label: {value!r} is not a column name; allowed: a non-empty column name"
MSG_SPEC_GROUP_EMPTY = "group: no column given; allowed: 1 or more column names"
MSG_SPEC_REPEATED = "{field}: column {value!r} is listed twice; allowed: each column once"
MSG_COLUMN_MISSING = "{field}: column {value!r} is not in the file; allowed: {allowed}{hint}"
MSG_GROUP_PLUS = (
    "group: column {value!r} has '+' in its name, which joins group columns; "
    "allowed: a name without '+'; rename the column"
)
MSG_LABEL_IS_GROUP = (
    "group: column {value!r} is also the label; allowed: a column other than the label"
)
MSG_FEATURE_ROLE = (
    "features: column {value!r} is the {role} column; "
    "allowed: columns other than the label and the group column(s)"
)
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
MSG_GROUP_ONE_VALUE = (
    "group: column(s) {value!r} have one value only ({only!r}); "
    "allowed: a column with 2 or more values"
)
MSG_TOO_MANY_GROUPS = (
    "group: column(s) {value!r} make {n:,} groups; allowed: at most {limit} groups; "
    "choose a coarser column, or pool small groups into one"
)
MSG_GROUP_TOO_SMALL = (
    "group: {groups} (fewer than {min}); allowed: at least {min} rows per group; "
    "merge each small group into a bigger one or drop its rows{more}"
)
MSG_TOO_WIDE = (
    "features: the model inputs would be {n:,} rows x {width:,} columns; allowed: at most "
    "{limit:,} values; choose fewer feature columns or upload fewer rows"
)
MSG_NO_FEATURES = (
    "features: no column is left besides the label and group column(s); "
    "allowed: at least one more column"
)
MSG_NO_USABLE = (
    "features: no usable column ({reasons}); allowed: at least one column with 2 or more "
    "distinct values that is not an identifier or a row number"
)

MSG_CSV_REQUIRED = (
    "dataset 'csv': {param} is required; allowed: csv:path=FILE,label=COLUMN,group=COLUMN[+COLUMN]"
)
MSG_CSV_SHA = (
    "dataset 'csv': sha256 of {path!r} is {actual}, not {expected}; "
    "allowed: the unchanged file the run was made with"
)
NOTE_SPEC_CHARS = (
    " (column names containing ',' or '=' cannot be used in a spec or on the command line; "
    "rename the column)"
)

WARN_NO_LABEL = "label: {n:,} row(s) without a {label!r} value dropped"
WARN_NO_GROUP = "group: {n:,} row(s) without a value in {cols} dropped"
WARN_SMALL_GROUP = "group {value!r}: has {n} rows (fewer than {limit}); its metrics will be noisy"
WARN_ONE_SIDED = "group {value!r}: has {what}; its true- or false-positive rate is undefined (n/a)"
WARN_UNBALANCED = (
    "label: {rate:.1%} of rows are positive ({label} = {positive!r}); "
    "with so unbalanced a label, accuracy says little"
)
WARN_GROUP_CHARS = (
    "group {value!r}: contains ',' or '='; it cannot be named in a spec on the command line"
)
WARN_MORE_SMALL = (
    "group: ... and {n:,} more groups have fewer than {limit} rows; their metrics will be noisy"
)
WARN_MORE_ONE_SIDED = (
    "group: ... and {n:,} more groups have one class only; "
    "their true- or false-positive rates are undefined (n/a)"
)
WARN_MORE_GROUP_CHARS = (
    "group: ... and {n:,} more groups contain ',' or '='; "
    "they cannot be named in a spec on the command line"
)
WARN_POOLED = (
    "group: the {n_groups:,} smallest groups ({n_rows:,} rows) are pooled as {name!r}; "
    "the {kept} largest are kept, as at most {limit} groups are allowed"
)

POSITIVE_WORDS = ("1", "yes", "y", "true", "t", "positive", "pos")


# ------------------------------------------------------------------------ the spec


@dataclass(frozen=True)
class UploadSpec:
    """What the columns of an upload mean.

    Parameters
    ----------
    label : str
        Column holding the label.
    group : tuple of str
        Column(s) defining the groups; several form intersectional groups
        (``sex+race``). A string is split at ``+``.
    positive : str, optional
        The label value counted as positive (``y = 1``). Needed when the label
        has 3 or more classes; with 2 it is guessed (``1``, ``yes``, ``true``...,
        else the last in sorted order).
    features : tuple of str, optional
        Feature columns; by default every column but the label and groups.
        A string is split at ``|``.
    pool_small : bool, default False
        With more than ``MAX_GROUPS`` groups, keep the ``MAX_GROUPS - 1``
        largest and pool the rest as one group (``POOLED``) instead of
        refusing the file. Without effect on fewer groups.

    >>> UploadSpec("income", "sex+race").group
    ('sex', 'race')
    """

    label: str
    group: tuple[str, ...]
    positive: str | None = None
    features: tuple[str, ...] | None = None
    pool_small: bool = False

    def __post_init__(self) -> None:
        label = str(self.label).strip() if self.label is not None else ""
        if not label:
            raise ValueError(MSG_SPEC_LABEL.format(value=self.label))
        raw = self.group.split(INTERSECT) if isinstance(self.group, str) else self.group
        group = tuple(str(g).strip() for g in raw or () if str(g).strip())
        if not group:
            raise ValueError(MSG_SPEC_GROUP_EMPTY)
        features = self.features
        if features is not None:
            raw = features.split("|") if isinstance(features, str) else features
            features = tuple(str(f).strip() for f in raw if str(f).strip())
        for fld, names in (("group", group), ("features", features or ())):
            repeated = [n for i, n in enumerate(names) if n in names[:i]]
            if repeated:
                raise ValueError(MSG_SPEC_REPEATED.format(field=fld, value=repeated[0]))
        positive = None if self.positive is None else str(self.positive).strip() or None
        object.__setattr__(self, "label", label)
        object.__setattr__(self, "group", group)
        object.__setattr__(self, "positive", positive)
        object.__setattr__(self, "features", features)
        object.__setattr__(self, "pool_small", bool(self.pool_small))

    @property
    def group_attribute(self) -> str:
        return INTERSECT.join(self.group)


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


def _names(names: Sequence[str], k: int = 8) -> str:
    shown = ", ".join(repr(str(n)) for n in list(names)[:k])
    return shown + (f" and {len(names) - k} more" if len(names) > k else "")


def _missing(fld: str, value: str, columns: list[str]) -> ValueError:
    return ValueError(
        MSG_COLUMN_MISSING.format(
            field=fld,
            value=value,
            allowed=_names(columns, 20),
            hint=did_you_mean(value, columns),
        )
    )


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
        raise ValueError(
            MSG_POSITIVE_MISSING.format(
                value=spec.positive,
                label=spec.label,
                classes=_names(sorted(classes, key=_order_key), 20),
                hint=did_you_mean(spec.positive, classes),
            )
        )
    if len(classes) > 2:
        raise ValueError(
            MSG_LABEL_MANY.format(
                label=spec.label,
                k=len(classes),
                classes=_names(sorted(classes, key=_order_key), 20),
            )
        )
    words = [c for c in classes if c.lower() in POSITIVE_WORDS]
    return (words[0] if len(words) == 1 else sorted(classes, key=_order_key)[-1]), True


def _check_columns(columns: list[str], spec: UploadSpec) -> list[str]:
    """The requested feature columns, once every named column is checked."""
    if spec.label not in columns:
        raise _missing("label", spec.label, columns)
    for g in spec.group:
        if g == spec.label:
            raise ValueError(MSG_LABEL_IS_GROUP.format(value=g))
        if INTERSECT in g:
            raise ValueError(MSG_GROUP_PLUS.format(value=g))
        if g not in columns:
            raise _missing("group", g, columns)
    roles = {spec.label: "label", **{g: "group" for g in spec.group}}
    if spec.features is None:
        features = [c for c in columns if c not in roles]
    else:
        for f in spec.features:
            if f in roles:
                raise ValueError(MSG_FEATURE_ROLE.format(value=f, role=roles[f]))
            if f not in columns:
                raise _missing("features", f, columns)
        features = list(spec.features)
    if not features:
        raise ValueError(MSG_NO_FEATURES)
    return features


def _largest_first(sizes: pd.Series) -> pd.Series:
    """Group sizes, largest first, ties by name."""
    return sizes.sort_index(kind="stable").sort_values(ascending=False, kind="stable")


def _pool(group: pd.Series, sizes: pd.Series, kept: int) -> tuple[pd.Series, pd.Series, str]:
    """Keep the ``kept`` largest groups and pool the rest as one.

    ``sizes`` is largest first. Returns the new labels, their sizes (largest
    first) and the pooled group's name, which no group in ``sizes`` has.
    """
    name, k = POOLED, 1
    while name in sizes.index:
        k += 1
        name = f"{POOLED} ({k})"
    keep = sizes.iloc[:kept]
    pooled = group.where(group.isin(keep.index), name)
    new = pd.concat([keep, pd.Series({name: int(sizes.iloc[kept:].sum())})])
    return pooled, _largest_first(new), name


def _group_warnings(sizes: pd.Series, rate: dict[str, float]) -> list[str]:
    """Warnings about single groups: per kind, at most ``MAX_GROUP_WARNINGS`` lines."""

    def one_sided(g: str) -> str:
        return WARN_ONE_SIDED.format(value=g, what=f"no {'negatives' if rate[g] else 'positives'}")

    kinds = (
        (
            [g for g, c in sizes.items() if c < SMALL_GROUP],
            lambda g: WARN_SMALL_GROUP.format(value=g, n=int(sizes[g]), limit=SMALL_GROUP),
            WARN_MORE_SMALL,
        ),
        ([g for g in sizes.index if rate[g] in (0.0, 1.0)], one_sided, WARN_MORE_ONE_SIDED),
        (
            [g for g in sizes.index if any(ch in g for ch in SPEC_CHARS)],
            lambda g: WARN_GROUP_CHARS.format(value=g),
            WARN_MORE_GROUP_CHARS,
        ),
    )
    out: list[str] = []
    for names, line, more in kinds:
        if len(names) <= MAX_GROUP_WARNINGS:
            out += [line(g) for g in names]
        else:
            shown = MAX_GROUP_WARNINGS - 1
            out += [line(g) for g in names[:shown]]
            out.append(more.format(n=len(names) - shown, limit=SMALL_GROUP))
    return out


def _prepare(frame: pd.DataFrame, spec: UploadSpec) -> _Prepared:
    frame = frame.rename(columns=str).reset_index(drop=True)
    columns = list(frame.columns)
    features = _check_columns(columns, spec)
    warnings: list[str] = []
    label = _as_text(frame[spec.label])
    if label.isna().all():
        raise ValueError(MSG_LABEL_EMPTY.format(value=spec.label, n=len(label)))
    groups = {g: _as_text(frame[g]) for g in spec.group}
    keep = label.notna().to_numpy().copy()
    if (~keep).any():
        warnings.append(WARN_NO_LABEL.format(n=int((~keep).sum()), label=spec.label))
    no_group = np.zeros(len(frame), dtype=bool)
    for g in spec.group:
        no_group |= groups[g].isna().to_numpy()
    if (no_group & keep).any():
        warnings.append(
            WARN_NO_GROUP.format(n=int((no_group & keep).sum()), cols=_names(spec.group))
        )
    keep &= ~no_group
    label = label[keep]
    n = int(keep.sum())
    classes = list(label.value_counts().index)
    if not classes:
        raise ValueError(MSG_TOO_FEW_ROWS.format(n=0, min=MIN_ROWS))
    if len(classes) == 1:
        raise ValueError(MSG_LABEL_ONE_CLASS.format(value=spec.label, cls=classes[0]))
    positive, guessed = _positive(classes, spec)
    if n < MIN_ROWS:
        raise ValueError(MSG_TOO_FEW_ROWS.format(n=n, min=MIN_ROWS))
    group = groups[spec.group[0]][keep]
    for g in spec.group[1:]:
        group = group + INTERSECT + groups[g][keep]
    sizes = group.value_counts()
    # On the counts alone, before any work per group or per feature.
    if len(sizes) > MAX_GROUPS and not spec.pool_small:
        raise ValueError(
            MSG_TOO_MANY_GROUPS.format(value=spec.group_attribute, n=len(sizes), limit=MAX_GROUPS)
        )
    sizes = _largest_first(sizes)
    pooled, pooled_as = sizes.iloc[:0], ""
    if len(sizes) > MAX_GROUPS:
        pooled = sizes.iloc[MAX_GROUPS - 1 :]
        group, sizes, pooled_as = _pool(group, sizes, MAX_GROUPS - 1)
        warnings.append(
            WARN_POOLED.format(
                n_groups=len(pooled),
                n_rows=int(pooled.sum()),
                name=pooled_as,
                kept=MAX_GROUPS - 1,
                limit=MAX_GROUPS,
            )
        )
    if len(sizes) == 1:
        raise ValueError(
            MSG_GROUP_ONE_VALUE.format(value=spec.group_attribute, only=sizes.index[0])
        )
    tiny = sizes[sizes < MIN_GROUP_SIZE]
    if len(tiny):
        listed = ", ".join(f"{g!r} has {c} row(s)" for g, c in tiny.iloc[:5].items())
        if len(tiny) > 5:
            listed += f" and {len(tiny) - 5} more groups are as small"
        more = "; or use fewer group columns" if len(spec.group) > 1 else ""
        raise ValueError(MSG_GROUP_TOO_SMALL.format(groups=listed, min=MIN_GROUP_SIZE, more=more))

    cleaned: dict[str, pd.Series] = {}
    kinds: dict[str, str] = {}
    dropped: dict[str, str] = {}
    for col in features:
        s, kind = _clean_feature(frame.loc[keep, col], col, warnings)
        if s is None:
            dropped[col] = kind
        else:
            cleaned[col], kinds[col] = s, kind
    if not cleaned:
        reasons = ", ".join(f"{c!r} {why}" for c, why in list(dropped.items())[:6])
        raise ValueError(MSG_NO_USABLE.format(reasons=reasons))
    width = sum(
        1 if kinds[c] == "numeric" else min(int(s.nunique()), MAX_CATEGORIES)
        for c, s in cleaned.items()
    )
    if n * width > MAX_ENCODED:
        raise ValueError(MSG_TOO_WIDE.format(n=n, width=width, limit=MAX_ENCODED))

    y = (label == positive).to_numpy()
    by_group = pd.Series(y).groupby(group.to_numpy()).mean()
    rate = {g: float(by_group[g]) for g in sizes.index}
    warnings += _group_warnings(sizes, rate)
    overall = float(y.mean())
    if min(overall, 1 - overall) < UNBALANCED:
        warnings.append(WARN_UNBALANCED.format(rate=overall, label=spec.label, positive=positive))

    numeric = [c for c, k in kinds.items() if k == "numeric"]
    categorical = [c for c, k in kinds.items() if k == "categorical"]
    negatives = [c for c in classes if c != positive]
    steps = [
        f"Rows: {n:,} of {len(frame):,} used (a label and a group value each).",
        f"Label: {spec.label} = {positive!r} is positive (1); {_names(negatives, 5)} negative (0)"
        + (" (guessed: set the positive class to change it)." if guessed else "."),
        f"Groups: {spec.group_attribute}, {len(sizes)} groups"
        + (f" (the {len(pooled):,} smallest pooled as {pooled_as!r})" if len(pooled) else "")
        + "; not a model feature unless the run gives the model the group.",
    ]
    if numeric:
        steps.append(
            f"{len(numeric)} numeric feature(s) ({_names(numeric)}): missing values filled with "
            "the column's median, then standardised to mean 0 and standard deviation 1."
        )
    if categorical:
        wide = [c for c in categorical if cleaned[c].nunique() > MAX_CATEGORIES]
        steps.append(
            f"{len(categorical)} categorical feature(s) ({_names(categorical)}): missing values "
            "filled with the most frequent value, then one-hot encoded"
            + (
                f"; {_names(wide)} keep their {MAX_CATEGORIES - 1} most frequent values and "
                f"pool the rest as '{RARE}'."
                if wide
                else "."
            )
        )
    if dropped:
        steps.append("Not used: " + ", ".join(f"{c!r} ({why})" for c, why in dropped.items()) + ".")
    unused = [c for c in columns if c not in features and c != spec.label and c not in spec.group]
    if unused:
        steps.append(f"Shown but not features: {_names(unused)}.")

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
        group_sizes={str(g): int(c) for g, c in sizes.items()},
        label_rate={str(g): rate[g] for g in sizes.index},
        features=tuple(cleaned),
        dropped_columns=dropped,
        warnings=tuple(warnings),
        steps=tuple(steps),
    )
    return _Prepared(
        preview,
        data.reset_index(drop=True),
        frame.loc[keep].reset_index(drop=True),
        group.to_numpy(dtype=str),
    )


def validate(frame: pd.DataFrame, spec: UploadSpec) -> UploadSpec:
    """Check ``spec`` against ``frame``; return it with the positive class and features filled.

    Raises
    ------
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
    ValueError: label: column 'payd' is not in the file; allowed: 'x', 'g', 'paid' (did you mean 'paid'?)
    """
    return _prepare(frame, spec).preview.spec


def preview(
    frame: pd.DataFrame, spec: UploadSpec, *, warnings: Sequence[str] = ()
) -> UploadPreview:
    """Validate, then describe rows, groups, label rates, warnings and preprocessing steps.

    ``warnings`` (those of :func:`read_csv_bytes`) come first in the result's.
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


# --------------------------------------------------------------- specs and loader

MSG_SPEC_CHARS = (
    "{field}: {value!r} contains {chars}; column names and values with ',' or '=' cannot be "
    "used in a spec or on the command line; allowed: rename the column (or value)"
)


def csv_spec(path: str | Path, spec: UploadSpec, *, sha256: str) -> Spec:
    """The dataset spec ``csv:path=...,label=...,group=a+b,...,sha256=...`` of an upload.

    Raises
    ------
    ValueError
        When a name or value holds a character the spec language reserves.

    >>> str(csv_spec("/d/f.csv", UploadSpec("y", "a+b", features=("x", "z")), sha256="ab"))
    'csv:path=/d/f.csv,label=y,group=a+b,features=x|z,sha256=ab'
    """
    checks = [("--csv", str(path), SPEC_CHARS), ("label", spec.label, SPEC_CHARS)]
    checks += [("group", g, SPEC_CHARS) for g in spec.group]
    if spec.positive is not None:
        checks.append(("positive", spec.positive, SPEC_CHARS))
    checks += [("features", f, (*SPEC_CHARS, "|")) for f in spec.features or ()]
    for fld, value, reserved in checks:
        found = [ch for ch in reserved if ch in value]
        if found:
            chars = " and ".join(repr(ch) for ch in found)
            raise ValueError(MSG_SPEC_CHARS.format(field=fld, value=value, chars=chars))
        if fld == "group" and INTERSECT in value:
            raise ValueError(MSG_GROUP_PLUS.format(value=value))
    params: list[tuple[str, str]] = [
        ("path", str(path)),
        ("label", spec.label),
        ("group", spec.group_attribute),
    ]
    if spec.positive is not None:
        params.append(("positive", spec.positive))
    if spec.features is not None:
        params.append(("features", "|".join(spec.features)))
    params.append(("sha256", sha256))
    return Spec("csv", tuple(params))


@DATASETS.register(
    "csv",
    params=(
        Param("path", "str", None, "Your CSV file (, ; TAB or | separated, at most 10 MB)."),
        Param("label", "str", None, "Column holding the label."),
        Param("group", "str", None, "Column(s) that define the groups; 'a+b' intersects two."),
        Param("positive", "str", None, "Label value counted as positive (needed for 3+ classes)."),
        Param("features", "str", None, "Feature columns joined with '|' (default: all others)."),
        Param("sha256", "str", None, "The file's SHA-256; if given, the file must match it."),
    ),
    description=(
        "Your own CSV file, read from a path: a label column and group column(s). "
        "Command line only; the app names an upload by its hash (dataset 'upload')."
    ),
    upload=True,
    local_file=True,
)
def csv_file(
    *,
    path: str | None = None,
    label: str | None = None,
    group: str | None = None,
    positive: str | None = None,
    features: str | None = None,
    sha256: str | None = None,
) -> Dataset:
    """Read, check and encode a CSV file, as the app does with an upload."""
    for param, value in (("path", path), ("label", label), ("group", group)):
        if not value:
            raise ValueError(MSG_CSV_REQUIRED.format(param=param))
    data = read_file(str(path))
    digest = sha256_hex(data)
    if sha256 and digest != sha256.strip().lower():
        raise ValueError(MSG_CSV_SHA.format(path=path, actual=digest, expected=sha256))
    name = Path(str(path)).name
    frame, warnings = read_csv_bytes(data, name=name)
    spec = UploadSpec(str(label), str(group), positive, features or None)
    try:
        return dataset_from_upload(frame, spec, name=name, sha256=digest, warnings=warnings)
    except ValueError as exc:
        reserved = any(ch in str(c) for c in frame.columns for ch in SPEC_CHARS)
        if reserved and "is not in the file" in str(exc):
            raise ValueError(f"{exc}{NOTE_SPEC_CHARS}") from None
        raise
