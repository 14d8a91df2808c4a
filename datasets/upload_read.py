"""Read an uploaded CSV file safely: caps, encoding, separator and header checks.

Part of :mod:`datasets.upload`, which re-exports the public names here.
Parsing uses ``pandas.read_csv`` only: nothing a user sends is unpickled or
evaluated. Column names and values from a file are untrusted text; nothing
here builds markup from them.

Decisions on ambiguous input, each reported to the user:

- **Caps**: at most ``MAX_BYTES`` (10 MB, as ``server.maxUploadSize``),
  ``MAX_ROWS`` data rows and ``MAX_COLUMNS`` columns, checked on the header and
  a line count before the full parse. A file on disk is read by
  :func:`datasets.bounded_read.read_bounded`: regular files only, never more
  than the limit.
- **Separator**: sniffed among ``, ; TAB |`` on the first 64 KB; one column
  is refused, and so is a header line longer than that. **Encoding**: UTF-8
  (a BOM is stripped), else Windows-1252, else Latin-1, with a warning.
- **Duplicate column names** are refused: a column is chosen by its name, and
  pandas' silent ``a.1`` renaming would make ``label=a`` mean the first of two.
  **Empty names** become ``column_<k>`` (a column with no name and no values,
  as a trailing separator makes, is dropped).
- Columns whose every value is a number become numbers, read as
  :mod:`datasets.upload_clean` reads them (separators, infinite values).
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
from pathlib import Path

import numpy as np
import pandas as pd

from datasets.bounded_read import (
    MAX_BYTES,
    MSG_READ,
    REASON_DEVICE,
    REASON_FIFO,
    REASON_FOLDER,
    FileRefused,
    read_bounded,
)
from datasets.upload_clean import WARN_SEPARATORS, finite_numbers, parse_numbers
from specs import UserInputError

__all__ = [  # the bounded_read names are public here too: the CLI imports them from here
    "DELIMITERS",
    "MAX_BYTES",
    "MAX_COLUMNS",
    "MAX_ROWS",
    "MSG_BINARY",
    "MSG_CSV_READ",
    "MSG_DUPLICATE_COLUMNS",
    "MSG_EMPTY",
    "MSG_HEADER_ONLY",
    "MSG_HEADER_TOO_LONG",
    "MSG_ONE_COLUMN",
    "MSG_PARSE",
    "MSG_READ",
    "MSG_TOO_BIG",
    "MSG_TOO_BIG_UNSIZED",
    "MSG_TOO_MANY_COLUMNS",
    "MSG_TOO_MANY_ROWS",
    "NA_VALUES",
    "REASON_DEVICE",
    "REASON_FIFO",
    "REASON_FOLDER",
    "REASON_NOT_FOUND",
    "SNIFF_CHARS",
    "WARN_DELIMITER",
    "WARN_EMPTY_ROWS",
    "WARN_ENCODING",
    "WARN_UNNAMED",
    "WARN_UNNAMED_EMPTY",
    "FileRefused",
    "read_bounded",
    "read_csv_bytes",
    "read_file",
    "sha256_hex",
]

MAX_ROWS = 200_000
MAX_COLUMNS = 500
DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "'|'"}
SNIFF_CHARS = 65_536
NA_VALUES = ["?"]  # in addition to pandas' defaults ("", NA, N/A, null, NaN, ...)

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
MSG_TOO_BIG_UNSIZED = (
    "file {name!r}: is larger than {limit} MB; allowed: at most {limit} MB; "
    "upload a sample of the rows"
)
MSG_HEADER_TOO_LONG = (
    "file {name!r}: the header line is longer than {limit:,} characters; "
    "allowed: a header line of at most {limit:,} characters; shorten the column names"
)
MSG_CSV_READ = (
    "dataset 'csv': path={path!r} cannot be read ({reason}); allowed: a readable CSV file"
)
#: A missing CSV file, as :func:`read_file` says it.
REASON_NOT_FOUND = "not found: no such file"

WARN_ENCODING = (
    "file {name!r}: is not UTF-8; read as {encoding}. Check that accented letters look right, "
    "or save the file as CSV UTF-8"
)
WARN_DELIMITER = "file {name!r}: columns are separated by {delimiter}"
WARN_UNNAMED = "column {k}: has no name; named it {new!r}"
WARN_UNNAMED_EMPTY = "column {k}: has no name and no values (a trailing separator?); dropped"
WARN_EMPTY_ROWS = "file {name!r}: {n:,} empty row(s) skipped"

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


def sha256_hex(data: bytes) -> str:
    """Hex SHA-256 of ``data``; names an upload in specs and in ``config.json``.

    >>> sha256_hex(b"x,y\\n1,2\\n")[:16]
    '81bf9fa83c6f7f15'
    """
    return hashlib.sha256(data).hexdigest()


def _decode(data: bytes, name: str) -> tuple[str, list[str]]:
    for signature, what in _SIGNATURES:
        if data.startswith(signature):
            raise UserInputError(MSG_BINARY.format(name=name, what=what))
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text"
        try:
            return data.decode("utf-16"), [WARN_ENCODING.format(name=name, encoding="UTF-16")]
        except UnicodeDecodeError:
            raise UserInputError(MSG_BINARY.format(name=name, what="binary data")) from None
    if b"\x00" in data:
        raise UserInputError(MSG_BINARY.format(name=name, what="binary data (NUL bytes)"))
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
    if truncated and "\n" not in sample and "\r" not in sample:
        raise UserInputError(MSG_HEADER_TOO_LONG.format(name=name, limit=SNIFF_CHARS))
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
        raise UserInputError(MSG_PARSE.format(name=name, detail=error[:200]))
    if choice is None:
        first = text.strip().splitlines()[0] if text.strip() else ""
        raise UserInputError(MSG_ONE_COLUMN.format(name=name, header=first[:60]))
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
        raise UserInputError(MSG_DUPLICATE_COLUMNS.format(name=name, names=shown))
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
        raise UserInputError(
            MSG_TOO_BIG.format(name=name, size=len(data) / 2**20, limit=MAX_BYTES // 2**20)
        )
    if not data.replace(b"\xef\xbb\xbf", b"").strip():
        raise UserInputError(MSG_EMPTY.format(name=name))
    text, warnings = _decode(data, name)
    head = text[:SNIFF_CHARS]
    if _CONTROL.search(head) and len(_CONTROL.findall(head)) > max(1, len(head) // 200):
        raise UserInputError(MSG_BINARY.format(name=name, what="binary data (control characters)"))
    if "\x00" in text:
        raise UserInputError(MSG_BINARY.format(name=name, what="binary data (NUL characters)"))
    delim, raw_header = _sniff(text, name)
    if len(raw_header) > MAX_COLUMNS:
        raise UserInputError(
            MSG_TOO_MANY_COLUMNS.format(name=name, n=len(raw_header), limit=MAX_COLUMNS)
        )
    header = _header(raw_header, name)
    if delim != ",":
        warnings.append(WARN_DELIMITER.format(name=name, delimiter=DELIMITERS[delim]))
    lines = _line_rows(text)
    if lines > MAX_ROWS and '"' not in text and "\n\n" not in text.replace("\r", ""):
        raise UserInputError(MSG_TOO_MANY_ROWS.format(name=name, limit=MAX_ROWS, n=lines))
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
        raise UserInputError(MSG_PARSE.format(name=name, detail=detail[:200])) from None
    except pd.errors.EmptyDataError:
        raise UserInputError(MSG_EMPTY.format(name=name)) from None
    if frame.shape[1] != len(header):
        detail = f"the header has {len(header)} fields, the rows {frame.shape[1]}"
        raise UserInputError(MSG_PARSE.format(name=name, detail=detail))
    frame = frame.iloc[1:].reset_index(drop=True)
    if len(frame) > MAX_ROWS:
        raise UserInputError(
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
        raise UserInputError(
            MSG_HEADER_ONLY.format(name=name, columns=", ".join(map(repr, names[:8])))
        )
    comma_decimal = delim == ";"
    for col in frame.columns:
        numbers, notes = parse_numbers(frame[col], comma_decimal=comma_decimal)
        if frame[col].notna().any() and numbers.notna().sum() == frame[col].notna().sum():
            frame[col] = finite_numbers(numbers, col, warnings)
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


def read_file(path: str | os.PathLike[str], *, message: str = MSG_CSV_READ) -> bytes:
    """The bytes of a CSV file on disk, read by :func:`read_bounded` up to ``MAX_BYTES``.

    Parameters
    ----------
    path : str or path-like
        The file, shown in messages as given.
    message : str
        The template, with ``{path}`` and ``{reason}``, of every refusal but
        size: ``MSG_CSV_READ`` for a dataset spec, the CLI's own for ``--csv``.

    Returns
    -------
    data : bytes of length at most ``MAX_BYTES``

    Raises
    ------
    ValueError
        ``MSG_TOO_BIG`` (or ``MSG_TOO_BIG_UNSIZED``) for a file over the cap,
        else ``message`` with the reason: not found, a folder, a device, ...
    """
    try:
        return read_bounded(path, limit=MAX_BYTES)
    except FileRefused as exc:
        name, limit = Path(path).name, MAX_BYTES // 2**20
        if exc.kind == "too_big" and exc.size is not None:
            size = exc.size / 2**20
            raise UserInputError(MSG_TOO_BIG.format(name=name, size=size, limit=limit)) from None
        if exc.kind == "too_big":
            raise UserInputError(MSG_TOO_BIG_UNSIZED.format(name=name, limit=limit)) from None
        reason = REASON_NOT_FOUND if exc.kind == "missing" else exc.reason
        raise UserInputError(message.format(path=str(path), reason=reason)) from None
