"""The ``csv`` dataset: a CSV file read from a path (command line only).

``python -m components run --csv FILE`` writes this spec into ``config.json``,
so a replay reads the same file and checks its hash. The web app never names a
path; it uses the ``upload`` dataset (:mod:`datasets.uploaded`) instead.
"""

from __future__ import annotations

from pathlib import Path

from datasets.base import DATASETS, INTERSECT, Dataset
from datasets.upload_map import dataset_from_upload
from datasets.upload_read import read_csv_bytes, read_file, sha256_hex
from datasets.upload_spec import (
    COLUMN_PARAMS,
    MSG_GROUP_PLUS,
    SPEC_CHARS,
    ColumnMissing,
    UploadSpec,
)
from specs import Param, Spec, UserInputError

MSG_CSV_REQUIRED = (
    "dataset 'csv': {param} is required; allowed: csv:path=FILE,label=COLUMN,group=COLUMN[+COLUMN]"
)
MSG_CSV_SHA = (
    "dataset 'csv': sha256 of {path!r} is {actual}, not {expected}; "
    "allowed: the unchanged file the run was made with"
)
MSG_SPEC_CHARS = (
    "{field}: {value!r} contains {chars}; column names and values with ',' or '=' cannot be "
    "used in a spec or on the command line; allowed: rename the column (or value)"
)
NOTE_SPEC_CHARS = (
    " (column names containing ',' or '=' cannot be used in a spec or on the command line; "
    "rename the column)"
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
            raise UserInputError(MSG_SPEC_CHARS.format(field=fld, value=value, chars=chars))
        if fld == "group" and INTERSECT in value:
            raise UserInputError(MSG_GROUP_PLUS.format(value=value))
    return Spec("csv", (("path", str(path)), *spec.spec_params(), ("sha256", sha256)))


@DATASETS.register(
    "csv",
    label="Your CSV file",
    params=(
        Param("path", "str", None, "Your CSV file (, ; TAB or | separated, at most 10 MB)."),
        *COLUMN_PARAMS,
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
    """Read, check and encode a CSV file, as the app does with an upload.

    A column the spec names but the file lacks may be one whose name holds a
    character the spec language reserves; if the file has such a column, the
    message says so.
    """
    for param, value in (("path", path), ("label", label), ("group", group)):
        if not value:
            raise UserInputError(MSG_CSV_REQUIRED.format(param=param))
    data = read_file(str(path))
    digest = sha256_hex(data)
    if sha256 and digest != sha256.strip().lower():
        raise UserInputError(MSG_CSV_SHA.format(path=path, actual=digest, expected=sha256))
    name = Path(str(path)).name
    frame, warnings = read_csv_bytes(data, name=name)
    spec = UploadSpec(str(label), str(group), positive, features or None)
    try:
        return dataset_from_upload(frame, spec, name=name, sha256=digest, warnings=warnings)
    except ColumnMissing as exc:
        if any(ch in c for c in exc.columns for ch in SPEC_CHARS):
            raise ColumnMissing(exc.field, exc.value, exc.columns, note=NOTE_SPEC_CHARS) from None
        raise
