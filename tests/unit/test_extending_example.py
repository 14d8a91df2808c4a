"""The add-a-strategy example in docs/extending.md registers, runs and passes the contract."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def example() -> str:
    text = (ROOT / "docs" / "extending.md").read_text(encoding="utf-8")
    block = re.search(
        r"<!-- strategy-example:start -->\s*```python\n(.*?)```\s*<!-- strategy-example:end -->",
        text,
        re.S,
    )
    assert block, "docs/extending.md has no strategy example between its markers"
    return block.group(1)


def test_the_documented_strategy_example_runs_as_written():
    code = (
        example()
        + """
from components.config import RunConfig
from components.engine import simulate

entry = STRATEGIES["my_strategy"]
assert entry.score_label == "closeness to a coin toss"
cfg = RunConfig.from_dict(
    {"dataset": "two_groups:n_samples=300", "strategy": "my_strategy:power=2", "rounds": 3}
)
result = simulate(cfg)
print(len(result.frames()["queries"]), "queries")
"""
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() == "50 queries"
