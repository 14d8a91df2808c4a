"""Where uploaded files live on the server, and how the sidebar learns about them.

An upload is saved once as ``<sha256>.csv`` in a private temporary folder so a
run's config (and its URL) can name it; the sha256 in the spec refuses any
other file. The folder is bounded: files older than a day, or beyond the
newest ``MAX_FILES``, are deleted whenever a new one is saved.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from components.specs import Spec

UPLOAD_SPEC = "upload.spec"  # session key: the csv dataset Spec of this session's upload
UPLOAD_NAME = "upload.name"
MAX_FILES = 200
MAX_AGE_SECONDS = 24 * 3600


def upload_dir() -> Path:
    d = Path(tempfile.gettempdir()) / "who-gets-labeled-uploads"
    d.mkdir(mode=0o700, exist_ok=True)
    return d


def save_upload(data: bytes, sha256: str) -> Path:
    """Write ``data`` as ``<sha256>.csv`` (once) and prune old files."""
    d = upload_dir()
    path = d / f"{sha256}.csv"
    if not path.exists():
        tmp = d / f".{sha256}.part"
        tmp.write_bytes(data)
        tmp.replace(path)
    files = sorted(d.glob("*.csv"), key=lambda p: p.stat().st_mtime, reverse=True)
    now = time.time()
    for i, f in enumerate(files):
        if f != path and (i >= MAX_FILES or now - f.stat().st_mtime > MAX_AGE_SECONDS):
            f.unlink(missing_ok=True)
    return path


def is_upload(spec: Spec) -> bool:
    from datasets.base import DATASETS

    return spec.name in DATASETS and bool(DATASETS[spec.name].extra.get("upload"))
