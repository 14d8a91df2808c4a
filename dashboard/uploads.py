"""Uploads in the web app: saved in the content-addressed store, named by hash only.

A run (and its link) names an upload as ``upload:sha256=...``; the store
(:mod:`datasets.upload_store`) resolves the hash to its own file. The ``csv``
dataset reads a path and is for the command line: a link that names it is
turned into the hash form when it carries a ``sha256`` (its path is never
looked at), and refused otherwise.
"""

from __future__ import annotations

import logging

from datasets.upload_store import UnsafeStoreError, default_store
from specs import Spec, UserInputError

UPLOAD_SPEC = "upload.spec"  # session key: the upload dataset Spec of this session's upload
UPLOAD_NAME = "upload.name"

MSG_PATH_IN_LINK = (
    "dataset: 'csv' reads a file path, which a link cannot name; allowed: a dataset "
    "from the list, or a file uploaded on the Your data page (named by its sha256)"
)
MSG_STORE_UNAVAILABLE = (
    "upload: this server cannot keep uploads right now; allowed: a dataset from the "
    "list (the host's log says why)"
)
MSG_NOT_FOR_WEB = "dataset: {name!r} reads local files; allowed: a dataset from the list"

_log = logging.getLogger(__name__)


def save_upload(data: bytes, *, owner: str) -> str:
    """Keep ``data`` in the store for ``owner`` (a session id); return its sha256.

    Raises
    ------
    ValueError
        When the file is too big, the store is full, or the store's folder is
        unsafe (said to the visitor in general terms, logged in full).
    """
    try:
        return default_store().save(data, owner=owner)
    except UnsafeStoreError as exc:
        _log.error("%s", exc)
        raise UserInputError(MSG_STORE_UNAVAILABLE) from None


def is_upload(spec: Spec) -> bool:
    from datasets.base import DATASETS

    return spec.name in DATASETS and bool(DATASETS[spec.name].extra.get("upload"))


def reads_local_files(spec: Spec) -> bool:
    from datasets.base import DATASETS

    return spec.name in DATASETS and bool(DATASETS[spec.name].extra.get("local_file"))


def web_dataset(spec: Spec) -> Spec:
    """A dataset spec the web app may load: ``csv`` links become ``upload`` or are refused.

    >>> str(web_dataset(Spec.parse("csv:path=/etc/passwd,label=a,group=b")))
    Traceback (most recent call last):
    specs.UserInputError: dataset: 'csv' reads a file path, which a link cannot name; allowed: a dataset from the list, or a file uploaded on the Your data page (named by its sha256)
    >>> str(web_dataset(Spec.parse("csv:path=/x/y.csv,label=a,group=b,sha256=" + "0" * 64)))[:27]
    'upload:sha256=0000000000000'
    """
    if not reads_local_files(spec):
        return spec
    params = dict(spec.params)
    if not params.get("sha256"):
        raise UserInputError(MSG_PATH_IN_LINK)
    params.pop("path", None)
    keep = ("sha256", "label", "group", "positive", "features")
    return Spec("upload", tuple((k, params[k]) for k in keep if k in params))


def check_web_safe(spec: Spec) -> None:
    """Refuse a dataset that reads local files (a last guard before any load)."""
    if reads_local_files(spec):
        raise UserInputError(MSG_NOT_FOR_WEB.format(name=spec.name))
