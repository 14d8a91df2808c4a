"""Your data: read an uploaded CSV, check a label and group choice, build a ``Dataset``.

UI-free. The app and the CLI (``--csv``) share it, and so does the registered
loader ``csv`` (which makes ``config.json`` replays of an uploaded file work).
Parsing uses ``pandas.read_csv`` only: nothing a user sends is unpickled or
evaluated. Column names and values from a file are untrusted text; nothing
here builds markup from them.

Decisions on ambiguous input, each reported to the user:

- **Caps**: at most ``MAX_BYTES`` (10 MB, as ``server.maxUploadSize``),
  ``MAX_ROWS`` data rows and ``MAX_COLUMNS`` columns, checked on the header and
  a line count before the full parse.
- **Separator**: sniffed among ``, ; TAB |`` on the first 64 KB; one column
  is refused. **Encoding**: UTF-8 (a BOM is stripped), else Windows-1252, else
  Latin-1, with a warning.
- **Duplicate column names** are refused: a column is chosen by its name, and
  pandas' silent ``a.1`` renaming would make ``label=a`` mean the first of two.
  **Empty names** become ``column_<k>`` (a column with no name and no values,
  as a trailing separator makes, is dropped).
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
- **Rows** without a label or a group value are dropped, counted.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from components.specs import Param, Spec, did_you_mean
from datasets.base import DATASETS, INTERSECT, Dataset
from datasets.tabular import MAX_CATEGORIES, RARE, tabular_dataset

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 200_000
MAX_COLUMNS = 500
#: Fewest usable rows: the pool/test split needs 20.
MIN_ROWS = 20
#: Fewest rows per group; a smaller group cannot be split into pool and test.
MIN_GROUP_SIZE = 5
#: Groups below this size get a warning: their metrics are noisy.
SMALL_GROUP = 30
#: A positive rate below this (or above 1 minus it) gets a warning.
UNBALANCED = 0.05
MIXED_NUMERIC_SHARE = 0.8
DATE_SHARE = 0.8
ID_SHARE = 0.5
#: Category words longer than this are cut (the raw rows keep them whole).
MAX_CATEGORY_CHARS = 100
#: Cap on rows x encoded feature columns, about 80 MB of float64.
MAX_ENCODED = 10_000_000
#: Numbers beyond this magnitude are treated like infinite ones (they overflow scaling).
MAX_ABS = 1e100
DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "'|'"}
SNIFF_CHARS = 65_536
NA_VALUES = ["?"]  # in addition to pandas' defaults ("", NA, N/A, null, NaN, ...)
#: Characters the spec language reserves: ``name:key=value,key=value``.
SPEC_CHARS = (",", "=")

MSG_EMPTY = "file {name!r}: is empty; allowed: a CSV file with a header row and data rows"
MSG_HEADER_ONLY = (
    "file {name!r}: has a header ({columns}) but no data rows; "
    "allowed: a header row and at least one data row"
)
MSG_BINARY = (
    "file {name!r}: is not a text CSV file (it looks like {what}); "
    "allowed: text separated by , ; TAB or |; save or export it as CSV (UTF-8) first"
)
MSG_TOO_BIG = (
    "file {name!r}: is {size:.1f} MB; allowed: at most {limit} MB; upload a sample of the rows"
)
MSG_TOO_MANY_ROWS = (
    "file {name!r}: has more than {limit:,} data rows (about {n:,}); "
    "allowed: at most {limit:,} rows; upload a sample of the rows"
)
MSG_TOO_MANY_COLUMNS = (
    "file {name!r}: has {n:,} columns; allowed: at most {limit} columns; keep the ones you need"
)
MSG_ONE_COLUMN = (
    "file {name!r}: has a single column ({header!r}) with every separator tried "
    "(comma, semicolon, tab, |); allowed: 2 or more columns separated by , ; TAB or |"
)
MSG_DUPLICATE_COLUMNS = (
    "file {name!r}: column names repeat: {names}; allowed: unique column names; "
    "rename the repeated columns, since a column is chosen by its name"
)
MSG_PARSE = (
    "file {name!r}: cannot be read as CSV ({detail}); "
    "allowed: every row with as many fields as the header, quotes closed"
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
MSG_CSV_READ = (
    "dataset 'csv': path={path!r} cannot be read ({reason}); allowed: a readable CSV file"
)
MSG_CSV_SHA = (
    "dataset 'csv': sha256 of {path!r} is {actual}, not {expected}; "
    "allowed: the unchanged file the run was made with"
)
NOTE_SPEC_CHARS = (
    " (column names containing ',' or '=' cannot be used in a spec or on the command line; "
    "rename the column)"
)

WARN_ENCODING = (
    "file {name!r}: is not UTF-8; read as {encoding}. Check that accented letters look right, "
    "or save the file as CSV UTF-8"
)
WARN_DELIMITER = "file {name!r}: columns are separated by {delimiter}"
WARN_UNNAMED = "column {k}: has no name; named it {new!r}"
WARN_UNNAMED_EMPTY = "column {k}: has no name and no values (a trailing separator?); dropped"
WARN_EMPTY_ROWS = "file {name!r}: {n:,} empty row(s) skipped"
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

_SIGNATURES = (
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"PK\x03\x04", "a zip archive, e.g. an Excel .xlsx workbook"),
    (b"\x1f\x8b", "a gzip archive; unpack it first"),
    (b"%PDF", "a PDF document"),
    (b"\xd0\xcf\x11\xe0", "an old Office file, e.g. an Excel .xls workbook"),
    (b"PAR1", "a Parquet file"),
    (b"SQLite format 3", "an SQLite database"),
    (b"\x80\x04\x95", "a Python pickle (never loaded)"),
    (b"\x80\x05\x95", "a Python pickle (never loaded)"),
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
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
POSITIVE_WORDS = ("1", "yes", "y", "true", "t", "positive", "pos")


# ----------------------------------------------------------------------- reading


def sha256_hex(data: bytes) -> str:
    """Hex SHA-256 of ``data``; names an upload in specs and in ``config.json``."""
    return hashlib.sha256(data).hexdigest()


def _decode(data: bytes, name: str) -> tuple[str, list[str]]:
    for signature, what in _SIGNATURES:
        if data.startswith(signature):
            raise ValueError(MSG_BINARY.format(name=name, what=what))
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text"
        try:
            return data.decode("utf-16"), [WARN_ENCODING.format(name=name, encoding="UTF-16")]
        except UnicodeDecodeError:
            raise ValueError(MSG_BINARY.format(name=name, what="binary data")) from None
    if b"\x00" in data:
        raise ValueError(MSG_BINARY.format(name=name, what="binary data (NUL bytes)"))
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        pass
    for codec, label in (("cp1252", "Windows-1252"), ("latin-1", "Latin-1")):
        try:
            return data.decode(codec), [WARN_ENCODING.format(name=name, encoding=label)]
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes any bytes")  # pragma: no cover


def _sniff(text: str, name: str) -> tuple[str, list[str]]:
    """The separator and the header fields, from the first ``SNIFF_CHARS``."""
    sample = text[:SNIFF_CHARS]
    truncated = len(text) > SNIFF_CHARS
    if truncated and "\n" in sample:
        sample = sample[: sample.rfind("\n")]
    best: tuple[float, int, int] | None = None
    choice: tuple[str, list[str]] | None = None
    error = ""
    for rank, delim in enumerate(DELIMITERS):
        try:
            rows = [
                r
                for r in csv.reader(
                    io.StringIO(sample, newline=""), delimiter=delim, skipinitialspace=True
                )
                if r
            ]
        except csv.Error as exc:
            error = str(exc)
            continue
        if not rows or len(rows[0]) < 2:
            continue
        body = rows[1:-1] if truncated else rows[1:]
        width = len(rows[0])
        consistent = float(np.mean([len(r) == width for r in body])) if body else 1.0
        key = (consistent, width, -rank)
        if best is None or key > best:
            best, choice = key, (delim, rows[0])
    if choice is None and error:
        raise ValueError(MSG_PARSE.format(name=name, detail=error[:200]))
    if choice is None:
        first = text.strip().splitlines()[0] if text.strip() else ""
        raise ValueError(MSG_ONE_COLUMN.format(name=name, header=first[:60]))
    return choice


def _header(raw: list[str], name: str) -> list[str]:
    names = [h.strip() for h in raw]
    seen: dict[str, int] = {}
    for h in names:
        if h:
            seen[h] = seen.get(h, 0) + 1
    dups = [h for h, c in seen.items() if c > 1]
    if dups:
        shown = ", ".join(f"{h!r} ({seen[h]} times)" for h in dups[:5])
        raise ValueError(MSG_DUPLICATE_COLUMNS.format(name=name, names=shown))
    return names


def _line_rows(text: str) -> int:
    """Upper bound on the data rows (quoted newlines and blank lines count too)."""
    return text.count("\n") + (0 if text.endswith("\n") else 1) - 1


def read_csv_bytes(data: bytes, *, name: str = "upload.csv") -> tuple[pd.DataFrame, list[str]]:
    """Parse an uploaded CSV file into a frame of records, with warnings.

    Parameters
    ----------
    data : bytes
        The file's content, at most ``MAX_BYTES``.
    name : str
        The file's name, used in messages only.

    Returns
    -------
    frame : DataFrame of shape (n_rows, n_columns)
        Column names stripped; numeric columns as numbers (separators read,
        infinite values missing); other columns as stripped text.
    warnings : list of str
        What was changed or guessed, in words.

    Raises
    ------
    ValueError
        One message per problem, starting ``file '<name>':``.

    Examples
    --------
    >>> frame, warnings = read_csv_bytes(b"age;income\\n30;1,5\\n40;2\\n")
    >>> frame["income"].tolist(), warnings
    ([1.5, 2.0], ["file 'upload.csv': columns are separated by semicolon", \
"column 'income': 1 number(s) written with separators, e.g. '1,5' as 1.5"])
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"read_csv_bytes: data is {type(data).__name__}; allowed: bytes")
    data = bytes(data)
    if len(data) > MAX_BYTES:
        raise ValueError(
            MSG_TOO_BIG.format(name=name, size=len(data) / 2**20, limit=MAX_BYTES // 2**20)
        )
    if not data.replace(b"\xef\xbb\xbf", b"").strip():
        raise ValueError(MSG_EMPTY.format(name=name))
    text, warnings = _decode(data, name)
    head = text[:SNIFF_CHARS]
    if _CONTROL.search(head) and len(_CONTROL.findall(head)) > max(1, len(head) // 200):
        raise ValueError(MSG_BINARY.format(name=name, what="binary data (control characters)"))
    if "\x00" in text:
        raise ValueError(MSG_BINARY.format(name=name, what="binary data (NUL characters)"))
    delim, raw_header = _sniff(text, name)
    if len(raw_header) > MAX_COLUMNS:
        raise ValueError(
            MSG_TOO_MANY_COLUMNS.format(name=name, n=len(raw_header), limit=MAX_COLUMNS)
        )
    header = _header(raw_header, name)
    if delim != ",":
        warnings.append(WARN_DELIMITER.format(name=name, delimiter=DELIMITERS[delim]))
    lines = _line_rows(text)
    if lines > MAX_ROWS and '"' not in text and "\n\n" not in text.replace("\r", ""):
        raise ValueError(MSG_TOO_MANY_ROWS.format(name=name, limit=MAX_ROWS, n=lines))
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=delim,
            header=None,
            dtype=str,
            nrows=MAX_ROWS + 2,
            skipinitialspace=True,
            na_values=NA_VALUES,
            engine="c",
        )
    except (pd.errors.ParserError, csv.Error, ValueError) as exc:
        detail = " ".join(str(exc).replace("Error tokenizing data. C error: ", "").split())
        raise ValueError(MSG_PARSE.format(name=name, detail=detail[:200])) from None
    except pd.errors.EmptyDataError:
        raise ValueError(MSG_EMPTY.format(name=name)) from None
    if frame.shape[1] != len(header):
        detail = f"the header has {len(header)} fields, the rows {frame.shape[1]}"
        raise ValueError(MSG_PARSE.format(name=name, detail=detail))
    frame = frame.iloc[1:].reset_index(drop=True)
    if len(frame) > MAX_ROWS:
        raise ValueError(
            MSG_TOO_MANY_ROWS.format(name=name, limit=MAX_ROWS, n=max(lines, len(frame)))
        )
    frame.columns = range(frame.shape[1])
    frame = frame.apply(lambda s: s.str.strip().replace("", np.nan))
    names, keep = _name_columns(header, frame, warnings)
    frame = frame.loc[:, keep]
    frame.columns = names
    empty = frame.isna().all(axis=1)
    if empty.any():
        frame = frame.loc[~empty].reset_index(drop=True)
        warnings.append(WARN_EMPTY_ROWS.format(name=name, n=int(empty.sum())))
    if len(frame) == 0:
        raise ValueError(MSG_HEADER_ONLY.format(name=name, columns=", ".join(map(repr, names[:8]))))
    comma_decimal = delim == ";"
    for col in frame.columns:
        numbers, notes = _parse_numbers(frame[col], comma_decimal=comma_decimal)
        if frame[col].notna().any() and numbers.notna().sum() == frame[col].notna().sum():
            frame[col] = _finite(numbers, col, warnings)
            warnings.extend(WARN_SEPARATORS.format(col=col, **n) for n in notes)
    return frame, warnings


def _name_columns(
    header: list[str], frame: pd.DataFrame, warnings: list[str]
) -> tuple[list[str], list[int]]:
    """Names for the kept columns; unnamed ones become ``column_<k>`` or go if empty."""
    taken = set(header)
    names, keep = [], []
    for k, h in enumerate(header):
        if h:
            names.append(h)
            keep.append(k)
        elif frame[k].isna().all():
            warnings.append(WARN_UNNAMED_EMPTY.format(k=k + 1))
        else:
            new, i = f"column_{k + 1}", 1
            while new in taken:
                i += 1
                new = f"column_{k + 1}_{i}"
            taken.add(new)
            names.append(new)
            keep.append(k)
            warnings.append(WARN_UNNAMED.format(k=k + 1, new=new))
    return names, keep


def _parse_numbers(s: pd.Series, *, comma_decimal: bool) -> tuple[pd.Series, list[dict]]:
    """``s`` as float where a value reads as a number (NaN elsewhere), and notes.

    Plain numbers first; then, for the rest, a currency sign is dropped and
    ``1,234`` (thousands) or ``1,5`` (decimal comma) are read. In a
    ``;``-separated file a comma is decimal first, elsewhere thousands first.
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
    if comma_decimal:
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


def _finite(numbers: pd.Series, col: str, warnings: list[str]) -> pd.Series:
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


def _as_text(s: pd.Series) -> pd.Series:
    """Values as words, missing kept: ``1.0`` reads ``"1"``, text is stripped."""
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


def _clean_feature(s: pd.Series, col: str, warnings: list[str]) -> tuple[pd.Series | None, str]:
    """One feature column ready for the encoder, or None and why it was dropped."""
    if pd.api.types.is_bool_dtype(s):
        s = _as_text(s)
    counts_rows = False
    if pd.api.types.is_numeric_dtype(s):
        s = _finite(s.astype(np.float64), col, warnings)
        kind, counts_rows = "numeric", True
    else:
        text = _as_text(s)
        total = int(text.notna().sum())
        numbers, notes = _parse_numbers(text, comma_decimal=False)
        ok = int(numbers.notna().sum())
        if total and ok == total:
            s, kind, counts_rows = _finite(numbers, col, warnings), "numeric", True
            warnings.extend(WARN_SEPARATORS.format(col=col, **n) for n in notes)
        elif total and ok >= MIXED_NUMERIC_SHARE * total:
            bad = text[text.notna() & numbers.isna()]
            warnings.append(
                WARN_MIXED.format(col=col, n=len(bad), total=total, examples=_examples(bad))
            )
            s, kind = _finite(numbers, col, warnings), "numeric"
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

    >>> UploadSpec("income", "sex+race").group
    ('sex', 'race')
    """

    label: str
    group: tuple[str, ...]
    positive: str | None = None
    features: tuple[str, ...] | None = None

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
    sizes = sizes.iloc[sorted(range(len(sizes)), key=lambda i: (-sizes.iloc[i], sizes.index[i]))]
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
    rate = {g: float(y[(group == g).to_numpy()].mean()) for g in sizes.index}
    for g, size in sizes.items():
        if size < SMALL_GROUP:
            warnings.append(WARN_SMALL_GROUP.format(value=g, n=size, limit=SMALL_GROUP))
        if rate[g] in (0.0, 1.0):
            what = f"no {'negatives' if rate[g] else 'positives'}"
            warnings.append(WARN_ONE_SIDED.format(value=g, what=what))
        if any(ch in g for ch in SPEC_CHARS):
            warnings.append(WARN_GROUP_CHARS.format(value=g))
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
        f"Groups: {spec.group_attribute}, {len(sizes)} groups; not a model feature unless "
        "the run gives the model the group.",
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
    return _Prepared(preview, data.reset_index(drop=True), frame.loc[keep].reset_index(drop=True))


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
    ds = tabular_dataset(
        p.data,
        name=name,
        label_col=s.label,
        positive=s.positive,
        group_attribute=s.group_attribute,
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
            },
            "dropped_columns": dict(p.preview.dropped_columns),
            "warnings": [*warnings, *p.preview.warnings],
            "steps": list(p.preview.steps),
        },
    )
    return replace(ds, raw=p.raw)


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


def read_file(path: str | Path) -> bytes:
    """The bytes of a CSV file, refusing one over ``MAX_BYTES`` before reading it."""
    p = Path(path).expanduser()
    try:
        size = p.stat().st_size
        if size > MAX_BYTES:
            raise ValueError(
                MSG_TOO_BIG.format(name=p.name, size=size / 2**20, limit=MAX_BYTES // 2**20)
            )
        return p.read_bytes()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ValueError(MSG_CSV_READ.format(path=str(path), reason=reason)) from None


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
        "Your own CSV file: a label column and group column(s). Column names containing "
        "',' or '=' cannot be used in a spec."
    ),
    upload=True,
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
