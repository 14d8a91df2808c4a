"""The ``upload`` dataset: a CSV file in the server's upload store, named by its hash.

This is how the web app refers to a user's file: ``upload:sha256=...,label=...,
group=...``. It never names a path, so a link cannot make the server read any
other file. The command line reads paths with the ``csv`` dataset instead.
"""

from __future__ import annotations

from datasets.base import DATASETS, Dataset
from datasets.upload_map import dataset_from_upload
from datasets.upload_read import read_csv_bytes
from datasets.upload_spec import COLUMN_PARAMS, UploadSpec
from datasets.upload_store import check_sha, default_store
from specs import Param, Spec, UserInputError

MSG_UPLOAD_REQUIRED = (
    "dataset 'upload': {param} is required; "
    "allowed: upload:sha256=HASH,label=COLUMN,group=COLUMN[+COLUMN]"
)
MSG_FEATURE_BAR = (
    "features: column {value!r} contains '|', which separates feature names; "
    "allowed: a name without '|'; rename the column"
)


def upload_name(sha256: str) -> str:
    """The name an upload goes by in messages and records (never the user's path).

    >>> upload_name("ab" * 32)
    'upload-abababab.csv'
    """
    return f"upload-{sha256[:8]}.csv"


def upload_spec(spec: UploadSpec, *, sha256: str) -> Spec:
    """The ``upload`` dataset spec of a stored file and its column choice.

    >>> spec = upload_spec(UploadSpec("y", "a+b", features=("x", "z")), sha256="ab" * 32)
    >>> str(spec).split(",")
    ['upload:sha256=abab...ab', 'label=y', 'group=a+b', 'features=x|z']
    """
    for f in spec.features or ():
        if "|" in f:
            raise UserInputError(MSG_FEATURE_BAR.format(value=f))
    params: list[tuple[str, str | bool]] = [("sha256", check_sha(sha256)), *spec.spec_params()]
    if spec.pool_small:
        params.append(("pool_small", True))
    return Spec("upload", tuple(params))


@DATASETS.register(
    "upload",
    label="Your uploaded CSV",
    params=(
        Param("sha256", "str", None, "The SHA-256 of a file uploaded on the Your data page."),
        *COLUMN_PARAMS,
        Param(
            "pool_small",
            "bool",
            False,
            "Past 50 groups, keep the 49 largest and pool the rest as one group 'other'.",
        ),
    ),
    description=(
        "A CSV file uploaded to this server (Your data page), named by its content hash; "
        "kept for a day."
    ),
    upload=True,
)
def uploaded_file(
    *,
    sha256: str | None = None,
    label: str | None = None,
    group: str | None = None,
    positive: str | None = None,
    features: str | None = None,
    pool_small: bool = False,
) -> Dataset:
    """Read a stored upload by its hash, check it, and encode it as the Data page does."""
    for param, value in (("sha256", sha256), ("label", label), ("group", group)):
        if not value:
            raise UserInputError(MSG_UPLOAD_REQUIRED.format(param=param))
    sha = check_sha(sha256)
    data = default_store().read(sha)
    name = upload_name(sha)
    frame, warnings = read_csv_bytes(data, name=name)
    spec = UploadSpec(str(label), str(group), positive, features or None, pool_small)
    return dataset_from_upload(frame, spec, name=name, sha256=sha, warnings=warnings)
