"""The groups of an upload: joined, counted, pooled if asked, checked and warned about.

Part of :mod:`datasets.upload`, which re-exports the public names here.
Group values come from the file and are untrusted text; nothing here builds
markup from them.

- **Groups** number at most ``MAX_GROUPS``; past it the upload is refused,
  unless ``pool_small`` asks to pool the smallest groups as one (``POOLED``).
  The cap is checked on the group counts, before any work per group.
- A group needs ``MIN_GROUP_SIZE`` rows to be split into pool and test; below
  ``SMALL_GROUP`` rows its metrics are noisy, which a warning says.
- **Per-group warnings** are summarised past ``MAX_GROUP_WARNINGS`` per kind.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from datasets.base import INTERSECT, MAX_GROUPS
from datasets.upload_spec import SPEC_CHARS
from specs import UserInputError

#: Fewest rows per group; a smaller group cannot be split into pool and test.
MIN_GROUP_SIZE = 5
#: Groups below this size get a warning: their metrics are noisy.
SMALL_GROUP = 30
#: Lines per kind of per-group warning; past it, the first few and one count.
MAX_GROUP_WARNINGS = 5
#: Name of the group ``pool_small`` makes; ``" (2)"``... is added if a group has it.
POOLED = "other"

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

WARN_SMALL_GROUP = "group {value!r}: has {n} rows (fewer than {limit}); its metrics will be noisy"
WARN_ONE_SIDED = "group {value!r}: has {what}; its true- or false-positive rate is undefined (n/a)"
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


@dataclass(frozen=True)
class Groups:
    """The checked groups of the kept rows.

    Attributes
    ----------
    labels : Series of str, shape (n_rows,)
        Each row's group: its group columns joined with ``+``, pooled if asked.
    sizes : Series of int
        Rows per group, largest first (ties by name).
    n_pooled : int
        How many of the smallest groups were pooled (0 if none).
    pooled_as : str
        The pooled group's name, ``""`` if none.
    warnings : tuple of str
        ``WARN_POOLED`` when groups were pooled.
    """

    labels: pd.Series
    sizes: pd.Series
    n_pooled: int
    pooled_as: str
    warnings: tuple[str, ...]


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


def check_groups(columns: Mapping[str, pd.Series], *, pool_small: bool = False) -> Groups:
    """Join the group columns of the kept rows into groups and check their number and sizes.

    Parameters
    ----------
    columns : mapping of str to Series of str, each of shape (n_rows,)
        Each group column's name and values (none missing), in the spec's order.
    pool_small : bool
        Past ``MAX_GROUPS`` groups, keep the ``MAX_GROUPS - 1`` largest and
        pool the rest as one group instead of refusing.

    Raises
    ------
    ValueError
        ``MSG_TOO_MANY_GROUPS`` (checked first, on the counts alone),
        ``MSG_GROUP_ONE_VALUE`` or ``MSG_GROUP_TOO_SMALL``.

    Examples
    --------
    >>> sex = pd.Series(["F", "M"] * 12)
    >>> race = pd.Series(["a"] * 12 + ["b"] * 12)
    >>> check_groups({"sex": sex, "race": race}).sizes.to_dict()
    {'F+a': 6, 'F+b': 6, 'M+a': 6, 'M+b': 6}
    """
    names = INTERSECT.join(columns)
    first, *others = columns.values()
    group = first
    for c in others:
        group = group + INTERSECT + c
    sizes = group.value_counts()
    if len(sizes) > MAX_GROUPS and not pool_small:
        raise UserInputError(
            MSG_TOO_MANY_GROUPS.format(value=names, n=len(sizes), limit=MAX_GROUPS)
        )
    sizes = _largest_first(sizes)
    n_pooled, pooled_as, warnings = 0, "", []
    if len(sizes) > MAX_GROUPS:
        pooled = sizes.iloc[MAX_GROUPS - 1 :]
        n_pooled = len(pooled)
        group, sizes, pooled_as = _pool(group, sizes, MAX_GROUPS - 1)
        warnings.append(
            WARN_POOLED.format(
                n_groups=n_pooled,
                n_rows=int(pooled.sum()),
                name=pooled_as,
                kept=MAX_GROUPS - 1,
                limit=MAX_GROUPS,
            )
        )
    if len(sizes) == 1:
        raise UserInputError(MSG_GROUP_ONE_VALUE.format(value=names, only=sizes.index[0]))
    tiny = sizes[sizes < MIN_GROUP_SIZE]
    if len(tiny):
        listed = ", ".join(f"{g!r} has {c} row(s)" for g, c in tiny.iloc[:5].items())
        if len(tiny) > 5:
            listed += f" and {len(tiny) - 5} more groups are as small"
        more = "; or use fewer group columns" if len(columns) > 1 else ""
        raise UserInputError(
            MSG_GROUP_TOO_SMALL.format(groups=listed, min=MIN_GROUP_SIZE, more=more)
        )
    return Groups(group, sizes, n_pooled, pooled_as, tuple(warnings))


def group_warnings(sizes: pd.Series, rate: dict[str, float]) -> list[str]:
    """Warnings about single groups: per kind, at most ``MAX_GROUP_WARNINGS`` lines.

    Parameters
    ----------
    sizes : Series of int
        Rows per group, in the order the warnings list them.
    rate : dict of str to float
        Each group's share of positive labels.

    Examples
    --------
    >>> group_warnings(pd.Series({"a": 40, "b": 12}), {"a": 0.5, "b": 1.0})
    ["group 'b': has 12 rows (fewer than 30); its metrics will be noisy", \
"group 'b': has no negatives; its true- or false-positive rate is undefined (n/a)"]
    """

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
