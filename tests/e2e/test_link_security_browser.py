"""Real browser: a link naming a server file shows nothing of it, and the same words either way."""

from __future__ import annotations

import hashlib
from pathlib import Path
from urllib.parse import quote

import pytest

pytestmark = pytest.mark.e2e

IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
TOKENS = ["Qwzx0Person", "Qwzx1Person", "987-65-4320", "qwsalary", "root:x:0:0", "/bin/bash"]


@pytest.fixture()
def secret(tmp_path: Path) -> Path:
    p = tmp_path / "staff.csv"
    rows = ["qwname,qwdept,qwsalary"] + [
        f"Qwzx{i}Person,D{i % 2},987-65-{4320 + i}" for i in range(40)
    ]
    p.write_text("\n".join(rows) + "\n")
    p.chmod(0o600)
    return p


def visible(page, server: str, dataset: str, path: str = "/") -> tuple[str, list[str]]:
    page.goto(f"{server}{path}?dataset={quote(dataset)}&strategy=random&test=0.05&batch=1")
    page.wait_for_selector(IDLE, timeout=120_000)
    page.wait_for_selector("[data-testid=stAlert]", timeout=60_000)
    text = page.evaluate("() => document.documentElement.outerHTML")
    alerts = page.evaluate(
        "() => [...document.querySelectorAll('[data-testid=stAlert]')].map(a => a.innerText)"
    )
    return text, alerts


@pytest.mark.parametrize("path", ["/", "/compare"])
def test_a_link_cannot_read_a_server_file(server, page, secret, tmp_path, path):
    sha = hashlib.sha256(secret.read_bytes()).hexdigest()
    rel = "../" * 12 + str(secret).lstrip("/")
    said = {}
    for name, dataset in {
        "secret": f"csv:path={secret},label=qwdept,group=qwname",
        "relative": f"csv:path={rel},label=qwdept,group=qwname",
        "missing": f"csv:path={tmp_path / 'nope.csv'},label=qwdept,group=qwname",
        "passwd": "csv:path=/etc/passwd,label=a,group=b",
        "device": "csv:path=/dev/zero,label=a,group=b",
    }.items():
        text, alerts = visible(page, server, dataset, path)
        assert not [t for t in TOKENS if t in text], (name, [t for t in TOKENS if t in text])
        said[name] = alerts
    assert len({tuple(a) for a in said.values()}) == 1, said
    text, alerts = visible(
        page, server, f"csv:path={secret},label=qwdept,group=qwname,sha256={sha}"
    )
    assert not [t for t in TOKENS if t in text]
    assert any("no upload with sha256" in a for a in alerts), alerts
