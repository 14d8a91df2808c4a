"""AppTest: a link can never make the server read a file, and says the same either way."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import state as S
from dashboard.uploads import MSG_PATH_IN_LINK

APP = str(Path(__file__).resolve().parents[2] / "dashboard_app.py")

SECRET_ROWS = [
    ("zqname", "zqdept", "zqsalary", "zqssn"),
    *[
        (f"Zyxwq{i}Person", f"Dept{i % 2}", str(90_000 + i), f"987-65-{4320 + i}")
        for i in range(60)
    ],
]


@pytest.fixture()
def secret(tmp_path: Path) -> Path:
    """A CSV-shaped staff file readable only by its owner, as a probe planted."""
    p = tmp_path / "staff.csv"
    p.write_text("\n".join(",".join(r) for r in SECRET_ROWS) + "\n")
    p.chmod(0o600)
    return p


def page_text(at: AppTest) -> str:
    """Every element's protobuf as text: whatever the page would send a browser."""
    out: list[str] = []

    def walk(node) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None:
            out.append(str(proto))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return "\n".join(out)


def open_link(dataset: str, page: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["dataset"] = dataset
    at.query_params["strategy"] = "random"
    at.query_params["test"] = "0.05"
    at.query_params["batch"] = "1"
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def leaked(text: str, secret: Path, link: str = "") -> list[str]:
    """Tokens of the file on the page (a value the link itself carried does not count)."""
    body = secret.read_text()
    tokens = [t for row in SECRET_ROWS for t in row] + [hashlib.sha256(body.encode()).hexdigest()]
    tokens += ["root:x:0:0", "staff.csv", "/bin/bash"]
    return [t for t in tokens if t in text and t not in link]


def links(secret: Path) -> list[str]:
    real = hashlib.sha256(secret.read_bytes()).hexdigest()
    rel = "../" * 12 + str(secret).lstrip("/")
    return [
        "csv:path=/etc/passwd,label=a,group=b",
        "csv:path=../../../../../../etc/passwd,label=root,group=x",
        f"csv:path={secret},label=zqdept,group=zqname",
        f"csv:path={rel},label=zqdept,group=zqname",
        f"csv:path={secret},label=zqdept,group=zqname,sha256={'0' * 64}",
        f"csv:path={secret},label=zqdept,group=zqname,sha256={real}",
        f"upload:sha256={real},label=zqdept,group=zqname",
        "upload:sha256=../../../../etc/passwd,label=a,group=b",
        "csv:path=/dev/zero,label=a,group=b",
    ]


@pytest.mark.parametrize("page", [None, "dashboard/pages/compare.py"])
def test_no_byte_of_a_server_file_reaches_the_page(secret, page):
    for link in links(secret):
        at = open_link(link, page)
        text = page_text(at)
        assert not leaked(text, secret, link), (link, leaked(text, secret, link))
        # The run shown is the default one, not the file.
        assert at.session_state[S.wkey("dataset")] == "adult", link


def test_the_message_is_the_same_whether_or_not_the_file_exists(secret, tmp_path):
    missing = tmp_path / "no-such.csv"
    folder = tmp_path
    said = []
    for path in (secret, missing, folder, "/etc/passwd", "/dev/zero"):
        at = open_link(f"csv:path={path},label=zqdept,group=zqname")
        said.append([w.value for w in at.warning])
    assert all(s == said[0] for s in said), said
    assert len(said[0]) == 1 and "a link cannot name" in said[0][0]
    assert MSG_PATH_IN_LINK.startswith("dataset: 'csv' reads a file path")

    real = hashlib.sha256(secret.read_bytes()).hexdigest()
    other = hashlib.sha256(b"never uploaded").hexdigest()
    told = []
    for sha in (real, other):
        at = open_link(f"csv:path={secret},label=zqdept,group=zqname,sha256={sha}")
        told.append([w.value.replace(sha, "<sha>") for w in at.warning])
    assert told[0] == told[1] and "no upload with sha256" in told[0][0], told
