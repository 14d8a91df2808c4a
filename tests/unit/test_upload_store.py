"""The upload store: by hash only, private, bounded per owner and in total, same answer for all misses."""

from __future__ import annotations

import hashlib
import os
import stat
import time
from pathlib import Path

import pytest

from datasets.upload_store import (
    MSG_FULL,
    UnsafeStoreError,
    UploadStore,
    check_sha,
)


def body(i: int) -> bytes:
    return f"a,b\n{i},{i + 1}\n".encode()


def test_a_saved_file_reads_back_by_its_hash_and_is_private(tmp_path):
    store = UploadStore(tmp_path / "up")
    sha = store.save(body(1), owner="s1")
    assert sha == hashlib.sha256(body(1)).hexdigest()
    assert store.read(sha) == body(1)
    assert stat.S_IMODE(os.stat(tmp_path / "up").st_mode) == 0o700
    assert stat.S_IMODE(os.stat(tmp_path / "up" / f"{sha}.csv").st_mode) == 0o600


@pytest.mark.parametrize(
    "value", ["../../etc/passwd", "/etc/passwd", "A" * 63, "g" * 64, "", "0" * 64 + "/x"]
)
def test_anything_but_a_hash_is_refused_before_the_disk(value):
    with pytest.raises(ValueError, match="is not a file hash; allowed: 64 hex digits"):
        check_sha(value)


def test_every_miss_says_the_same(tmp_path):
    store = UploadStore(tmp_path / "up")
    store.ensure()
    secret = b"zq,secret\n1,2\n"
    sha = hashlib.sha256(secret).hexdigest()
    said = []
    # missing
    with pytest.raises(ValueError) as e:
        store.read(sha)
    said.append(str(e.value))
    # a symbolic link to a real file with the right content
    target = tmp_path / "elsewhere.csv"
    target.write_bytes(secret)
    (tmp_path / "up" / f"{sha}.csv").symlink_to(target)
    with pytest.raises(ValueError) as e:
        store.read(sha)
    said.append(str(e.value))
    (tmp_path / "up" / f"{sha}.csv").unlink()
    # a folder under the name
    (tmp_path / "up" / f"{sha}.csv").mkdir()
    with pytest.raises(ValueError) as e:
        store.read(sha)
    said.append(str(e.value))
    (tmp_path / "up" / f"{sha}.csv").rmdir()
    # a file whose bytes changed
    (tmp_path / "up" / f"{sha}.csv").write_bytes(b"changed")
    with pytest.raises(ValueError) as e:
        store.read(sha)
    said.append(str(e.value))
    # expired
    (tmp_path / "up" / f"{sha}.csv").write_bytes(secret)
    old = time.time() - 2 * store.max_age
    os.utime(tmp_path / "up" / f"{sha}.csv", (old, old))
    with pytest.raises(ValueError) as e:
        store.read(sha)
    said.append(str(e.value))
    assert len(set(said)) == 1 and "no upload with sha256" in said[0]
    assert "zq" not in said[0] and str(tmp_path) not in said[0]


def test_one_visitor_cannot_push_out_everyone_else(tmp_path):
    store = UploadStore(tmp_path / "up", per_owner=3, max_files=10)
    others = [store.save(body(i), owner=f"other{i}") for i in range(3)]
    mine = [store.save(body(100 + i), owner="flooder") for i in range(50)]
    for sha in others:
        assert store.read(sha)
    assert len(list((tmp_path / "up").glob("*.csv"))) == 3 + 3
    assert store.read(mine[-1])
    with pytest.raises(ValueError):
        store.read(mine[0])


def test_a_full_store_refuses_instead_of_deleting(tmp_path):
    store = UploadStore(tmp_path / "up", per_owner=100, max_files=4)
    kept = [store.save(body(i), owner=f"o{i}") for i in range(4)]
    with pytest.raises(ValueError) as e:
        store.save(body(99), owner="late")
    assert str(e.value) == MSG_FULL.format(n=4, hours=24)
    assert all(store.read(s) for s in kept)
    # the same file again is not a new one
    assert store.save(body(0), owner="late") == kept[0]


@pytest.mark.parametrize("problem", ["world-writable", "symlink", "file"])
def test_a_folder_others_could_tamper_with_is_refused(tmp_path, problem):
    root = tmp_path / "up"
    if problem == "world-writable":
        root.mkdir()
        root.chmod(0o777)
    elif problem == "symlink":
        (tmp_path / "real").mkdir(mode=0o700)
        root.symlink_to(tmp_path / "real")
    else:
        root.write_text("x")
    with pytest.raises(UnsafeStoreError, match="WGL_UPLOAD_DIR"):
        UploadStore(root).save(body(1), owner="s")


def test_oversized_data_is_refused(tmp_path):
    from datasets.upload_store import MAX_BYTES

    with pytest.raises(ValueError, match="allowed: at most 10 MB"):
        UploadStore(tmp_path / "up").save(b"x" * (MAX_BYTES + 1), owner="s")
    assert not list((tmp_path / "up").glob("*"))


def test_the_upload_dataset_loads_from_the_store_only(tmp_path, monkeypatch):
    from datasets.base import load

    monkeypatch.setenv("WGL_UPLOAD_DIR", str(tmp_path / "store"))
    rows = "x,g,y\n" + "".join(
        f"{i % 7},{'a' if i % 2 else 'b'},{i % 3 == 0:d}\n" for i in range(60)
    )
    data = rows.encode()
    from datasets.upload_store import default_store

    sha = default_store().save(data, owner="s")
    ds = load(f"upload:sha256={sha},label=y,group=g")
    assert ds.n_samples == 60 and set(ds.groups) == {"a", "b"}
    assert str(tmp_path) not in ds.source
    with pytest.raises(ValueError, match="no upload with sha256"):
        load(f"upload:sha256={'1' * 64},label=y,group=g")
    # Same bytes elsewhere on disk do not count: only the store is read.
    (tmp_path / "copy.csv").write_bytes(data)
    monkeypatch.setenv("WGL_UPLOAD_DIR", str(tmp_path / "empty"))
    from datasets.base import LOADED_UPLOADS

    LOADED_UPLOADS.clear()
    with pytest.raises(ValueError, match="no upload with sha256"):
        load(f"upload:sha256={sha},label=y,group=g")


def test_store_path_is_never_in_a_message(tmp_path):
    store = UploadStore(Path(tmp_path) / "up")
    with pytest.raises(ValueError) as e:
        store.read("f" * 64)
    assert str(tmp_path) not in str(e.value)
