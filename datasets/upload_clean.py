"""Clean the columns of an uploaded CSV file into numbers and categories.

Part of :mod:`datasets.upload`, which re-exports the public names here.
Values are untrusted text; nothing here builds markup from them.

Decisions on ambiguous input, each reported to the user:

- **Numbers with separators**: ``"1,234"`` is 1234; in a ``;``-separated file
  ``"1,5"`` is 1.5 (a spreadsheet in a decimal-comma locale wrote it).
  **Infinite** values (and beyond 1e100) become missing.
- Feature columns only (label and group values are kept as written):
  **mixed numbers and text** is a number column when at least
  ``MIXED_NUMERIC_SHARE`` of its values are numbers (the rest become missing,
  counted), else categorical. **Dates** as text (``DATE_SHARE`` of values
  parse with one format) become days since the earliest date. **Constant** or
  empty columns are dropped. A text column with more than ``MAX_CATEGORIES``
  distinct values that are also more than ``ID_SHARE`` of its rows looks like
  an identifier or free text and is dropped; other wide columns keep their
  ``MAX_CATEGORIES - 1`` most frequent values and pool the rest as ``(rare)``.
  Category words longer than ``MAX_CATEGORY_CHARS`` are cut.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from datasets.tabular import MAX_CATEGORIES

#: Fewest usable rows: the pool/test split needs 20.
MIN_ROWS = 20
MIXED_NUMERIC_SHARE = 0.8
DATE_SHARE = 0.8
ID_SHARE = 0.5
#: Category words longer than this are cut (the raw rows keep them whole).
MAX_CATEGORY_CHARS = 100
#: Numbers beyond this magnitude are treated like infinite ones (they overflow scaling).
MAX_ABS = 1e100

WARN_SEPARATORS = (
    "column {col!r}: {n:,} number(s) written with separators, e.g. {example!r} as {value}"
)
WARN_INF = (
    "column {col!r}: {n:,} infinite or huge value(s) became missing (filled like any missing value)"
)
WARN_MIXED = (
    "column {col!r}: {n:,} of {total:,} values are not numbers (e.g. {examples}) and became "
    "missing; the column is used as a number"
)
WARN_DATES = (
    "column {col!r}: read as dates ({fmt}) and used as days since the earliest, {earliest}{extra}"
)
WARN_CONSTANT = "column {col!r}: has a single value ({value!r}); dropped, it cannot help the model"
WARN_EMPTY_COLUMN = "column {col!r}: has no values; dropped"
WARN_IDENTIFIER = (
    "column {col!r}: {n:,} distinct values in {rows:,} rows looks like an identifier or free "
    "text; dropped. To use it, group its values into at most {cap} categories"
)
WARN_LONG = (
    "column {col!r}: {n:,} value(s) up to {longest:,} characters long cut to {cap} "
    "characters as categories (the rows shown keep them whole)"
)
WARN_ROW_NUMBER = "column {col!r}: numbers the rows (1, 2, 3, ...); dropped as a row number"

_CURRENCY = re.compile(r"^[$€£¥]\s*")
_THOUSANDS = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_DECIMAL_COMMA = re.compile(r"[+-]?(?:\d{1,3}(?:\.\d{3})+|\d+),\d+")
DATE_FORMATS = (
    "ISO8601",
    "%d/%m/%Y",
    "%m/%d/%Y",
    "%d.%m.%Y",
    "%Y/%m/%d",
    "%d-%m-%Y",
    "%m-%d-%Y",
    "%d/%m/%y",
    "%m/%d/%y",
    "%d %b %Y",
    "%b %d %Y",
)
_DATE_LIKE = re.compile(r"^\d{1,4}[-/. ]\w{1,9}[-/. ,]+\d{1,4}|^[A-Za-z]{3,9} \d{1,2},? \d{4}")


# ----------------------------------------------------------------------- numbers


def parse_numbers(s: pd.Series, *, comma_decimal: bool) -> tuple[pd.Series, list[dict]]:
    """``s`` as float where a value reads as a number (NaN elsewhere), and notes.

    Plain numbers first; then, for the rest, a currency sign is dropped and
    ``1,234`` (thousands) or ``1,5`` (decimal comma) are read. In a
    ``;``-separated file a comma is decimal first, elsewhere thousands first,
    except that a column whose every comma value is in groups of three digits
    is always read as thousands.

    Parameters
    ----------
    s : Series of shape (n_rows,)
        Values as read.
    comma_decimal : bool
        Whether the file is ``;``-separated, where ``1,5`` means 1.5.

    Returns
    -------
    numbers : Series of float, shape (n_rows,)
    notes : list of dict
        Per way of writing (thousands, decimal comma): ``n`` values read so,
        an ``example`` and its ``value``, for ``WARN_SEPARATORS``.

    Examples
    --------
    >>> numbers, notes = parse_numbers(pd.Series(["1,234", "2.5", "x"]), comma_decimal=False)
    >>> numbers.tolist(), notes
    ([1234.0, 2.5, nan], [{'n': 1, 'example': '1,234', 'value': '1234'}])
    >>> parse_numbers(pd.Series(["1,5", "2"]), comma_decimal=True)[0].tolist()
    [1.5, 2.0]
    """
    if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
        return pd.to_numeric(s).astype(np.float64), []
    text = s.astype("str").where(s.notna())
    numbers = pd.to_numeric(text, errors="coerce").astype(np.float64)
    failed = text.notna() & numbers.isna()
    if not failed.any():
        return numbers, []
    rest = text[failed].str.replace(_CURRENCY, "", regex=True)
    thousands = rest.str.fullmatch(_THOUSANDS)
    decimal = rest.str.fullmatch(_DECIMAL_COMMA)
    # A ';' file usually means a decimal comma, but when every comma value is
    # written in groups of three digits ("67,000", "1,250,000") the column is
    # read with thousands separators whatever the delimiter.
    commas = rest.str.contains(",", regex=False)
    all_grouped = bool(commas.any()) and bool(thousands[commas].all())
    if comma_decimal and not all_grouped:
        thousands &= ~decimal
    else:
        decimal &= ~thousands
    as_thousands = pd.to_numeric(rest[thousands].str.replace(",", ""), errors="coerce")
    as_decimal = pd.to_numeric(
        rest[decimal].str.replace(".", "").str.replace(",", "."), errors="coerce"
    )
    plain = pd.to_numeric(rest[~(thousands | decimal)], errors="coerce")
    numbers = numbers.copy()
    notes = []
    for part in (as_thousands, as_decimal, plain):
        numbers.loc[part.index] = part.astype(np.float64)
    for part in (as_thousands, as_decimal):
        if len(part):
            idx = part.index[0]
            notes.append({"n": len(part), "example": text[idx], "value": f"{part.iloc[0]:g}"})
    return numbers, notes


def finite_numbers(numbers: pd.Series, col: str, warnings: list[str]) -> pd.Series:
    """``numbers`` with infinite and huge values missing, as int64 when all are whole.

    Appends ``WARN_INF`` to ``warnings`` when a value was removed.

    >>> warnings = []
    >>> finite_numbers(pd.Series([1.0, np.inf, 3.0]), "v", warnings).tolist(), len(warnings)
    ([1.0, nan, 3.0], 1)
    >>> finite_numbers(pd.Series([1.0, 2.0]), "v", warnings).dtype
    dtype('int64')
    """
    bad = numbers.abs() > MAX_ABS  # inf included
    if bad.any():
        warnings.append(WARN_INF.format(col=col, n=int(bad.sum())))
        numbers = numbers.mask(bad)
    integral = numbers.notna().all() and (numbers == numbers.round()).all()
    if integral and (numbers.abs() < 2**53).all():
        return numbers.astype(np.int64)
    return numbers


# ---------------------------------------------------------------- feature columns


def _fmt_number(v: float) -> str:
    return str(int(v)) if float(v).is_integer() and abs(v) < 1e15 else repr(float(v))


def as_text(s: pd.Series) -> pd.Series:
    """Values as words, missing kept: ``1.0`` reads ``"1"``, text is stripped.

    >>> as_text(pd.Series([1.0, np.nan, 3.5])).tolist(), as_text(pd.Series([" a ", ""])).tolist()
    (['1', nan, '3.5'], ['a', nan])
    """
    if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
        return s.map(lambda v: _fmt_number(v) if pd.notna(v) else np.nan).astype("str")
    out = s.astype("str").str.strip()
    return out.mask(out == "")


def _examples(values: pd.Series, k: int = 3) -> str:
    return ", ".join(repr(str(v)[:20]) for v in pd.unique(values)[:k])


def _parse_dates(text: pd.Series) -> tuple[pd.Series, str, str] | None:
    """Days since the earliest date, the format and the earliest date; None if not dates."""
    values = text.dropna()
    if values.empty:
        return None
    sample = pd.Series(pd.unique(values)[:200], dtype="str")
    if sample.str.contains(_DATE_LIKE).mean() < DATE_SHARE:
        return None
    shares = {
        fmt: pd.to_datetime(sample, format=fmt, errors="coerce", utc=True).notna().mean()
        for fmt in DATE_FORMATS
    }
    fmt = max(shares, key=lambda f: shares[f])  # the first format wins ties
    if shares[fmt] < DATE_SHARE:
        return None
    when = pd.to_datetime(text, format=fmt, errors="coerce", utc=True)
    earliest = when.min()
    if pd.isna(earliest):  # pragma: no cover - the sample parsed
        return None
    days = ((when - earliest) / pd.Timedelta(days=1)).astype(np.float64)
    return days, fmt, str(earliest.date())


def _cap_length(text: pd.Series, col: str, warnings: list[str]) -> pd.Series:
    """Category words cut to ``MAX_CATEGORY_CHARS`` (they become feature names)."""
    long = text.str.len() > MAX_CATEGORY_CHARS
    if not long.any():
        return text
    warnings.append(
        WARN_LONG.format(
            col=col, n=int(long.sum()), longest=int(text.str.len().max()), cap=MAX_CATEGORY_CHARS
        )
    )
    return text.where(~long, text.str.slice(0, MAX_CATEGORY_CHARS - 1) + "…")


def clean_feature(s: pd.Series, col: str, warnings: list[str]) -> tuple[pd.Series | None, str]:
    """One feature column ready for the encoder, or None and why it was dropped.

    Parameters
    ----------
    s : Series of shape (n_rows,)
        The column as read.
    col : str
        Its name, for the warnings.
    warnings : list of str
        What was changed or dropped is appended here, in words.

    Returns
    -------
    cleaned : Series of shape (n_rows,) or None
        Numbers (``kind == "numeric"``) or words (``"categorical"``); None when dropped.
    kind : str
        ``"numeric"`` or ``"categorical"``, or why the column was dropped.

    Examples
    --------
    >>> warnings = []
    >>> clean_feature(pd.Series(["1,200", "950", "80"]), "income", warnings)[0].tolist()
    [1200, 950, 80]
    >>> clean_feature(pd.Series(["z", "z"]), "c", warnings), warnings[-1]
    ((None, 'is constant'), "column 'c': has a single value ('z'); dropped, it cannot help the model")
    """
    if pd.api.types.is_bool_dtype(s):
        s = as_text(s)
    counts_rows = False
    if pd.api.types.is_numeric_dtype(s):
        s = finite_numbers(s.astype(np.float64), col, warnings)
        kind, counts_rows = "numeric", True
    else:
        text = as_text(s)
        total = int(text.notna().sum())
        numbers, notes = parse_numbers(text, comma_decimal=False)
        ok = int(numbers.notna().sum())
        if total and ok == total:
            s, kind, counts_rows = finite_numbers(numbers, col, warnings), "numeric", True
            warnings.extend(WARN_SEPARATORS.format(col=col, **n) for n in notes)
        elif total and ok >= MIXED_NUMERIC_SHARE * total:
            bad = text[text.notna() & numbers.isna()]
            warnings.append(
                WARN_MIXED.format(col=col, n=len(bad), total=total, examples=_examples(bad))
            )
            s, kind = finite_numbers(numbers, col, warnings), "numeric"
        elif (dates := _parse_dates(text)) is not None:
            days, fmt, earliest = dates
            lost = int(text.notna().sum() - days.notna().sum())
            extra = f"; {lost:,} value(s) that are not dates became missing" if lost else ""
            warnings.append(WARN_DATES.format(col=col, fmt=fmt, earliest=earliest, extra=extra))
            s, kind = days, "numeric"
        else:
            s, kind = _cap_length(text, col, warnings), "categorical"
    present = s.dropna()
    n_distinct = int(present.nunique())
    if present.empty:
        warnings.append(WARN_EMPTY_COLUMN.format(col=col))
        return None, "has no values"
    if n_distinct == 1:
        value = present.iloc[0]
        shown = _fmt_number(value) if kind == "numeric" else str(value)[:40]
        warnings.append(WARN_CONSTANT.format(col=col, value=shown))
        return None, "is constant"
    if counts_rows:
        v = s.to_numpy(dtype=np.float64)
        if (
            len(v) >= MIN_ROWS
            and not np.isnan(v).any()
            and (v == np.round(v)).all()
            and (np.diff(v) > 0).all()
        ):
            warnings.append(WARN_ROW_NUMBER.format(col=col))
            return None, "numbers the rows"
    if kind == "categorical" and n_distinct > max(MAX_CATEGORIES, ID_SHARE * len(present)):
        warnings.append(
            WARN_IDENTIFIER.format(col=col, n=n_distinct, rows=len(present), cap=MAX_CATEGORIES)
        )
        return None, "looks like an identifier"
    return s, kind
