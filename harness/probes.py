"""What ``/proc`` and the server say during a load test: memory, CPU, sessions.

Linux only (``/proc``). A missing process reads as None or zero, never an error.
"""

from __future__ import annotations

import os
import urllib.request
from pathlib import Path

CLK = os.sysconf("SC_CLK_TCK")


def pct(xs: list[float], q: float) -> float | None:
    """Nearest-rank percentile (``q`` in 0..100); None for no data.

    >>> pct([5.0, 1.0, 3.0, 2.0], 50), pct([5.0, 1.0, 3.0, 2.0], 95), pct([], 50)
    (2.0, 5.0, None)
    """
    if not xs:
        return None
    s = sorted(xs)
    k = max(0, min(len(s) - 1, int(-(-q * len(s) // 100)) - 1))
    return s[k]


def rss_mb(pid: int | None) -> float | None:
    """Resident memory of a process in MB (``VmRSS``); None if unknown.

    >>> rss_mb(os.getpid()) > 0, rss_mb(None)
    (True, None)
    """
    if pid is None:
        return None
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        return None
    return None


def proc_stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, CPU seconds) of a process; None if it is gone.

    >>> proc_stat(os.getpid())[0] == os.getppid()
    True
    """
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    rest = raw[raw.rfind(")") + 2 :].split()
    return int(rest[1]), (int(rest[11]) + int(rest[12])) / CLK


def cpu_seconds(pid: int | None) -> float | None:
    """CPU seconds of one process; None if it is gone (or ``pid`` is None)."""
    st = proc_stat(pid) if pid else None
    return None if st is None else st[1]


def tree_cpu(root: int, exclude: int | None = None) -> float:
    """CPU seconds of ``root`` and its live descendants, minus ``exclude``'s subtree."""
    stats = {}
    for d in os.listdir("/proc"):
        if d.isdigit() and (st := proc_stat(int(d))) is not None:
            stats[int(d)] = st
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in stats.items():
        children.setdefault(ppid, []).append(pid)
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        if pid == exclude or pid not in stats:
            continue
        total += stats[pid][1]
        todo.extend(children.get(pid, []))
    return total


def machine_jiffies() -> tuple[int, int]:
    """(busy, total) jiffies over all cores."""
    f = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = f[3] + (f[4] if len(f) > 4 else 0)
    return sum(f) - idle, sum(f)


def active_sessions(base_url: str) -> int | None:
    """The server's own count of connected sessions (Streamlit's /_stcore/metrics)."""
    try:
        with urllib.request.urlopen(
            f"{base_url}/_stcore/metrics?families=active_sessions", timeout=10
        ) as r:
            for line in r.read().decode().splitlines():
                if line.startswith("active_sessions"):
                    return int(float(line.split()[-1]))
    except (OSError, ValueError):
        return None
    return None
