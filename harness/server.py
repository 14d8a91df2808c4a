"""A real ``streamlit run streamlit_app.py`` on a free port, for browsers to open.

:func:`streamlit_server` starts it headless (no usage statistics), waits until
``/_stcore/health`` answers ``ok`` and stops it afterwards. A long measurement
serves from :func:`snapshot`, a copy of the working tree, so that edits made
meanwhile (which Streamlit's file watcher would reload) cannot mix two versions
of the app in one run.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: Seconds a server may take to answer its health check (imports, warm-up).
HEALTHY_WITHIN = 90.0
MSG_EXITED = "streamlit exited with {code}; see {log}"
MSG_NOT_HEALTHY = "streamlit not healthy in {seconds:.0f} s; see {log}"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now.

    >>> 0 < free_port() < 65536
    True
    """
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def is_healthy(url: str) -> bool:
    """Whether the server at ``url`` answers its health check with ``ok``.

    >>> is_healthy(f"http://127.0.0.1:{free_port()}")
    False
    """
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
            return r.read().decode().strip() == "ok"
    except OSError:
        return False


def wait_healthy(url: str, proc: subprocess.Popen, *, log: Path, within: float) -> None:
    """Poll ``url`` until it is healthy.

    Raises
    ------
    RuntimeError
        The process exited first, or ``within`` seconds passed; the message
        names the log.
    """
    deadline = time.monotonic() + within
    while not is_healthy(url):
        if proc.poll() is not None:
            raise RuntimeError(MSG_EXITED.format(code=proc.returncode, log=log))
        if time.monotonic() > deadline:
            raise RuntimeError(MSG_NOT_HEALTHY.format(seconds=within, log=log))
        time.sleep(0.5)


@contextmanager
def streamlit_server(
    port: int,
    log_path: Path,
    *,
    timing: bool = True,
    cwd: Path = ROOT,
    within: float = HEALTHY_WITHIN,
) -> Iterator[tuple[str, int]]:
    """``streamlit run streamlit_app.py`` in ``cwd`` on ``port``, healthy; yields (url, pid).

    Parameters
    ----------
    port : int
        Where it listens, on 127.0.0.1.
    log_path : Path
        Its stdout and stderr.
    timing : bool
        Set ``WGL_TIMING=1``: ``dashboard/player.py`` then logs each fragment
        body's time, which the load benchmark reads from the log.
    cwd : Path
        The app's folder: the repository, or a :func:`snapshot` of it.
    within : float
        Seconds it may take to become healthy.

    Raises
    ------
    RuntimeError
        It exited or did not become healthy in time (see the log).
    """
    env = dict(os.environ)
    if timing:
        env["WGL_TIMING"] = "1"
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                "streamlit_app.py",
                "--server.headless",
                "true",
                "--server.port",
                str(port),
                "--browser.gatherUsageStats",
                "false",
            ],
            cwd=cwd,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            wait_healthy(url, proc, log=log_path, within=within)
            yield url, proc.pid
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def snapshot(dest: Path, *, root: Path = ROOT) -> Path:
    """Copy the working tree (tracked and untracked files, not ignored ones) to ``dest``."""
    try:
        out = subprocess.run(
            ["git", "ls-files", "-z", "-co", "--exclude-standard"],
            cwd=root,
            capture_output=True,
            check=True,
        ).stdout.decode()
        files = [f for f in out.split("\0") if f]
    except (OSError, subprocess.CalledProcessError):
        files = [
            str(p.relative_to(root))
            for p in root.rglob("*")
            if p.is_file() and ".git" not in p.parts and "__pycache__" not in p.parts
        ]
    for f in files:
        src = root / f
        if src.is_file():
            (dest / f).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / f)
    return dest


def server_tracebacks(log_text: str, limit: int = 3) -> list[str]:
    """The distinct tracebacks in a server log: the last line and the app frame nearest it.

    >>> log = 'Traceback (most recent call last):\\n  File "/app/x.py", line 3\\nValueError: bad\\n'
    >>> server_tracebacks(log)
    ['ValueError: bad (at File "/app/x.py", line 3; 3 lines)']
    """
    blocks, cur = [], None
    for line in log_text.splitlines():
        if line.startswith("Traceback"):
            cur = [line]
        elif cur is not None:
            cur.append(line)
            if line and not line.startswith(" "):
                blocks.append(cur)
                cur = None
    seen, out = set(), []
    for b in blocks:
        frames = [
            x.strip() for x in b if x.strip().startswith("File ") and "site-packages" not in x
        ]
        key = (b[-1], frames[-1] if frames else "")
        if key not in seen:
            seen.add(key)
            out.append(
                f"{b[-1][:300]} (at {key[1][:200] or 'streamlit internals'}; {len(b)} lines)"
            )
    return out[:limit]
