"""What the columns of an upload mean (``UploadSpec``), checked against a file's header.

Part of :mod:`datasets.upload`, which re-exports the public names here.
Column names come from the file and are untrusted text; nothing here builds
markup from them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from datasets.base import INTERSECT
from specs import Param, UserInputError, did_you_mean

#: Characters the spec language reserves: ``name:key=value,key=value``.
SPEC_CHARS = (",", "=")

#: The column choice as parameters of a dataset spec (``csv`` and ``upload``).
COLUMN_PARAMS = (
    Param("label", "str", None, "Column holding the label."),
    Param("group", "str", None, "Column(s) that define the groups; 'a+b' intersects two."),
    Param("positive", "str", None, "Label value counted as positive (needed for 3+ classes)."),
    Param("features", "str", None, "Feature columns joined with '|' (default: all others)."),
)

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
MSG_NO_FEATURES = (
    "features: no column is left besides the label and group column(s); "
    "allowed: at least one more column"
)


def quoted_names(names: Sequence[str], k: int = 8) -> str:
    """The first ``k`` names, quoted, and how many more there are.

    >>> quoted_names(["a", "b", "c"], k=2)
    "'a', 'b' and 1 more"
    """
    shown = ", ".join(repr(str(n)) for n in list(names)[:k])
    return shown + (f" and {len(names) - k} more" if len(names) > k else "")


class ColumnMissing(UserInputError):
    """A column an ``UploadSpec`` names that the file does not have.

    Attributes
    ----------
    field : str
        The spec's field: ``label``, ``group`` or ``features``.
    value : str
        The column name as given.
    columns : tuple of str
        The file's columns.

    >>> str(ColumnMissing("label", "payd", ["x", "paid"]))
    "label: column 'payd' is not in the file; allowed: 'x', 'paid' (did you mean 'paid'?)"
    """

    def __init__(self, field: str, value: str, columns: Sequence[str], *, note: str = "") -> None:
        columns = tuple(str(c) for c in columns)
        message = MSG_COLUMN_MISSING.format(
            field=field,
            value=value,
            allowed=quoted_names(columns, 20),
            hint=did_you_mean(value, columns),
        )
        super().__init__(message + note)
        self.field, self.value, self.columns = field, value, columns


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
            raise UserInputError(MSG_SPEC_LABEL.format(value=self.label))
        raw = self.group.split(INTERSECT) if isinstance(self.group, str) else self.group
        group = tuple(str(g).strip() for g in raw or () if str(g).strip())
        if not group:
            raise UserInputError(MSG_SPEC_GROUP_EMPTY)
        features = self.features
        if features is not None:
            raw = features.split("|") if isinstance(features, str) else features
            features = tuple(str(f).strip() for f in raw if str(f).strip())
        for fld, names in (("group", group), ("features", features or ())):
            repeated = [n for i, n in enumerate(names) if n in names[:i]]
            if repeated:
                raise UserInputError(MSG_SPEC_REPEATED.format(field=fld, value=repeated[0]))
        positive = None if self.positive is None else str(self.positive).strip() or None
        object.__setattr__(self, "label", label)
        object.__setattr__(self, "group", group)
        object.__setattr__(self, "positive", positive)
        object.__setattr__(self, "features", features)
        object.__setattr__(self, "pool_small", bool(self.pool_small))

    @property
    def group_attribute(self) -> str:
        """The group columns joined with ``+``, as a spec writes them."""
        return INTERSECT.join(self.group)

    def spec_params(self) -> list[tuple[str, str]]:
        """The column choice as ``COLUMN_PARAMS`` values, unset ones left out.

        >>> UploadSpec("y", "a+b", features=("x", "z")).spec_params()
        [('label', 'y'), ('group', 'a+b'), ('features', 'x|z')]
        """
        params = [("label", self.label), ("group", self.group_attribute)]
        if self.positive is not None:
            params.append(("positive", self.positive))
        if self.features is not None:
            params.append(("features", "|".join(self.features)))
        return params


def feature_columns(columns: Sequence[str], spec: UploadSpec) -> list[str]:
    """The feature columns ``spec`` asks for, once every column it names is checked.

    Raises
    ------
    ColumnMissing
        A named column is not among ``columns``.
    ValueError
        A column has two roles, a group column's name holds ``+``, or no
        feature column is left.

    Examples
    --------
    >>> feature_columns(["age", "sex", "paid"], UploadSpec("paid", "sex"))
    ['age']
    """
    columns = list(columns)
    if spec.label not in columns:
        raise ColumnMissing("label", spec.label, columns)
    for g in spec.group:
        if g == spec.label:
            raise UserInputError(MSG_LABEL_IS_GROUP.format(value=g))
        if INTERSECT in g:
            raise UserInputError(MSG_GROUP_PLUS.format(value=g))
        if g not in columns:
            raise ColumnMissing("group", g, columns)
    roles = {spec.label: "label", **{g: "group" for g in spec.group}}
    if spec.features is None:
        features = [c for c in columns if c not in roles]
    else:
        for f in spec.features:
            if f in roles:
                raise UserInputError(MSG_FEATURE_ROLE.format(value=f, role=roles[f]))
            if f not in columns:
                raise ColumnMissing("features", f, columns)
        features = list(spec.features)
    if not features:
        raise UserInputError(MSG_NO_FEATURES)
    return features
