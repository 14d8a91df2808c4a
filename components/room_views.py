"""What a room shows, built from its stored rows: a student's items, the teacher's tallies.

No user interface here: plain data that a page renders (and escapes). A
student's item is the record as the data set words it (its own column
names and values, the 8x8 image of a digit, or the sentence of a text),
never its label.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from specs import Spec, UserInputError

NAME_MAX = 30
MSG_NAME = (
    "display name: {value!r} {problem}; allowed: 1 to {limit} printable characters "
    "(letters, digits, spaces, punctuation)"
)
SIMULATED = "simulated"


def check_name(value: object, *, field: str = "display name") -> str:
    """A display name, trimmed and NFC-normalised, or ``UserInputError``.

    Control and invisible formatting characters (bidirectional overrides,
    zero-width marks) are refused; inner runs of spaces become one.

    >>> check_name("  Ana   María ")
    'Ana María'
    >>> check_name("Bob\\u202e")
    Traceback (most recent call last):
    ...
    specs.UserInputError: display name: 'Bob\\u202e' holds a control or invisible character; \
allowed: 1 to 30 printable characters (letters, digits, spaces, punctuation)
    """

    def bad(problem: str) -> UserInputError:
        shown = value[:40] if isinstance(value, str) else value
        msg = MSG_NAME.format(value=shown, problem=problem, limit=NAME_MAX)
        return UserInputError(msg.replace("display name", field, 1))

    if not isinstance(value, str):
        raise bad("is not text")
    name = " ".join(unicodedata.normalize("NFC", value).split(" "))
    name = " ".join(part for part in name.split(" ") if part)
    if not name.isprintable():
        raise bad("holds a control or invisible character")
    if not 1 <= len(name) <= NAME_MAX:
        raise bad(f"is {len(name)} characters long")
    return name


def numbered(name: str, taken: set[str]) -> str:
    """``name``, or ``name (2)``, ``name (3)``... the first one not taken.

    >>> numbered("Ana", {"Ana", "Ana (2)"})
    'Ana (3)'
    """
    if name not in taken:
        return name
    k = 2
    while f"{name} ({k})" in taken:
        k += 1
    return f"{name} ({k})"


def pseudonym(seat: int) -> str:
    """A student's name in exports and in the teacher's anonymous view: ``student-<seat>``."""
    return f"student-{seat}"


@dataclass(frozen=True)
class Item:
    """One row a student is asked to label.

    Attributes
    ----------
    position : int
        The pool position; the key of this item's answer in ``submit``.
    round : int
    kind : str
        The data set's modality: ``tabular``, ``image`` or ``text``.
    fields : tuple of (str, str)
        The record's columns and values as the data set words them (tabular),
        without any column that gives the label away.
    image : tuple of tuples of float, or None
        The 8x8 intensities in [0, 1] of a digit (``kind == "image"``).
    text : str or None
        The sentence (``kind == "text"``).
    label : int or None
        This student's answer so far (0 or 1), None before they answer.
    """

    position: int
    round: int
    kind: str
    fields: tuple[tuple[str, str], ...]
    image: tuple[tuple[float, ...], ...] | None
    text: str | None
    label: int | None


def _word(value: Any) -> str:
    if isinstance(value, (float, np.floating)):
        v = float(value)
        return str(int(v)) if v.is_integer() else f"{v:.4g}"
    return str(value)


@lru_cache(maxsize=16)
def _label_columns(spec: Spec) -> tuple[str, ...]:
    """Columns of ``raw`` that give the label away: two values, one per class."""
    import pandas as pd

    from datasets.base import load

    ds = load(spec)
    raw = ds.raw
    if not isinstance(raw, pd.DataFrame):
        return ()
    hidden = []
    for col in raw.columns:
        codes, uniques = pd.factorize(raw[col], use_na_sentinel=False)
        if len(uniques) != 2:
            continue
        pairs = set(zip(codes.tolist(), ds.y.tolist(), strict=True))
        if len(pairs) == 2:  # each value goes with one class only
            hidden.append(str(col))
    return tuple(hidden)


def show_row(spec: Spec, row: int) -> tuple[str, tuple, tuple | None, str | None]:
    """``(kind, fields, image, text)`` of the data set's ``row``, as a labeller sees it.

    >>> kind, fields, image, text = show_row(Spec.parse("two_groups:n_samples=200"), 0)
    >>> kind, [name for name, _ in fields], image, text
    ('tabular', ['x1', 'x2', 'group'], None, None)
    """
    import pandas as pd

    from datasets.base import load

    ds = load(spec)
    raw = ds.raw
    if ds.modality == "image" and isinstance(raw, np.ndarray):
        img = np.asarray(raw[row], dtype=np.float64)
        top = img.max()
        img = img / top if top > 0 else img
        return "image", (), tuple(tuple(round(float(v), 4) for v in r) for r in img), None
    if isinstance(raw, pd.DataFrame):
        record = raw.iloc[row]
        if ds.modality == "text":
            col = "text" if "text" in raw.columns else raw.columns[0]
            return "text", (), None, str(record[col])
        hidden = set(_label_columns(spec))
        fields = tuple((str(c), _word(record[c])) for c in raw.columns if str(c) not in hidden)
        return ds.modality, fields, None, None
    names = ds.feature_names
    return (
        ds.modality,
        tuple((n, _word(v)) for n, v in zip(names, ds.X[row], strict=True)),
        None,
        None,
    )


def label_tally(rows: Sequence[Mapping[str, Any]], groups: Sequence[str]) -> list[dict[str, Any]]:
    """The class's answers against the truth and against the simulated annotator, per group.

    ``rows`` are items with ``group_code``, ``truth``, ``simulated``, ``label``
    and ``source``; only the class's own answers count.

    >>> rows = [dict(group_code=0, truth=1, simulated=1, label=1, source="class"),
    ...         dict(group_code=0, truth=1, simulated=0, label=0, source="class"),
    ...         dict(group_code=1, truth=0, simulated=0, label=0, source="simulated")]
    >>> [(t["group"], t["labelled"], t["agree_truth"]) for t in label_tally(rows, ["a", "b"])]
    [('a', 2, 1), ('b', 0, 0)]
    """
    out = []
    for code, group in enumerate(groups):
        mine = [r for r in rows if r["group_code"] == code and r["source"] == "class"]
        n = len(mine)
        agree_t = sum(int(r["label"] == r["truth"]) for r in mine)
        agree_s = sum(int(r["label"] == r["simulated"]) for r in mine)
        out.append(
            {
                "group": group,
                "labelled": n,
                "agree_truth": agree_t,
                "share_truth": agree_t / n if n else None,
                "agree_recorded": agree_s,
                "share_recorded": agree_s / n if n else None,
            }
        )
    return out


def ledger(
    rows: Sequence[Mapping[str, Any]], groups: Sequence[str], pool_counts: Sequence[int]
) -> list[dict[str, Any]]:
    """Who got queried, per group, against the pool: the run's ledger over the given items.

    The same quantities as the ``groups`` record's ``pool_share``,
    ``queried_cum`` and ``query_share_cum`` (the seed set never counts).

    >>> [r["queried_cum"] for r in ledger([dict(group_code=1)] * 3, ["a", "b"], [8, 2])]
    [0, 3]
    """
    counts = np.bincount([r["group_code"] for r in rows], minlength=len(groups))
    total, pool = int(counts.sum()), float(sum(pool_counts))
    return [
        {
            "group": g,
            "pool_share": pool_counts[k] / pool,
            "queried_cum": int(counts[k]),
            "query_share_cum": int(counts[k]) / total if total else None,
        }
        for k, g in enumerate(groups)
    ]
