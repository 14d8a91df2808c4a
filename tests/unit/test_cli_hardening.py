"""Hostile files and values at the CLI: bounded reads, one-line errors, safe records.

Every error case checks what a user sees: exit code 2, exactly one line on
stderr naming the field, the value and what is allowed, and no traceback.
Paths that could block a reader (a device, a named pipe) are only ever read
in a child process with a timeout and a memory cap, so a regression fails
instead of hanging.
"""

from __future__ import annotations

import csv
import json
import os
import re
import string
import subprocess
import sys
import unicodedata
from collections.abc import Callable
from pathlib import Path
from subprocess import PIPE

import numpy as np
import pandas as pd
import pytest

import datasets.upload_read as ur
from components import cli
from components import config as cfg
from components.cli import main

ROOT = Path(__file__).resolve().parents[2]
SHORT = ("--initial", "10", "--batch-size", "5", "--rounds", "2")
#: A child process's address space cap: far above a run's needs, far below the machine's.
CHILD_MEMORY = 4 * 2**30
HAS_FIFO = hasattr(os, "mkfifo")
DEVICE = "/dev/zero"
HAS_DEVICE = os.path.exists(DEVICE)


def matches(template: str, message: str) -> bool:
    """Whether ``message`` was made by ``template.format(...)`` (fields match anything)."""
    parts = []
    for literal, field, _, _ in string.Formatter().parse(template):
        parts.append(re.escape(literal))
        if field is not None:
            parts.append(".*?")
    return re.fullmatch("".join(parts), message, flags=re.DOTALL) is not None


def one_error(err: str) -> str:
    """The single ``error:`` line of ``err``, without its prefix."""
    assert "Traceback" not in err, err
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    return lines[0].removeprefix("error: ")


def no_control(text: str) -> bool:
    """Whether ``text`` has no control character but the newline ending each line."""
    return not any(unicodedata.category(ch) == "Cc" and ch != "\n" for ch in text)


def table(n: int = 40, *, seed: int = 0) -> pd.DataFrame:
    """A valid upload: a numeric feature with negatives, a group, a yes/no label."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "x": (rng.normal(size=n) - 0.5).round(2),
            "g": np.where(np.arange(n) % 2, "M", "F"),
            "y": rng.permutation(np.resize(["yes", "no"], n)),
        }
    )


# ----------------------------------------------------------------------------- the reader


def test_read_bounded_reads_a_regular_file_up_to_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "ten.csv"
    path.write_bytes(b"0123456789")
    assert ur.read_bounded(path, limit=10) == b"0123456789"
    assert ur.read_bounded(str(path)) == b"0123456789"


@pytest.mark.parametrize("extra", [1, 2**20])
def test_read_bounded_refuses_more_than_the_limit(tmp_path: Path, extra: int) -> None:
    path = tmp_path / "big.csv"
    path.write_bytes(b"x" * (1000 + extra))
    with pytest.raises(ur.FileRefused) as info:
        ur.read_bounded(path, limit=1000)
    assert info.value.kind == "too_big" and info.value.size == 1000 + extra
    assert matches(ur.MSG_READ, str(info.value)), str(info.value)
    assert "larger than the limit of 1,000 bytes" in str(info.value)


def test_read_bounded_stops_at_the_limit_when_the_size_is_unknown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As for a file in ``/proc``, whose reported size is 0."""
    path = tmp_path / "proc.csv"
    path.write_bytes(b"x" * (ur.MAX_BYTES + 1))
    real = os.fstat

    def size_zero(fd: int) -> os.stat_result:
        info = list(real(fd))
        info[6] = 0  # st_size
        return os.stat_result(info)

    monkeypatch.setattr(ur.os, "fstat", size_zero)
    with pytest.raises(ur.FileRefused) as info:
        ur.read_bounded(path, limit=1000)
    assert (info.value.kind, info.value.size) == ("too_big", None)
    with pytest.raises(ValueError) as info:
        ur.read_file(path)
    assert matches(ur.MSG_TOO_BIG_UNSIZED, str(info.value)), str(info.value)
    assert "'proc.csv'" in str(info.value) and "at most 10 MB" in str(info.value)


def test_read_bounded_refuses_a_folder_and_names_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ur.FileRefused) as info:
        ur.read_bounded(tmp_path)
    assert (info.value.kind, info.value.reason) == ("folder", ur.REASON_FOLDER)
    with pytest.raises(ur.FileRefused) as info:
        ur.read_bounded(tmp_path / "missing.csv")
    assert info.value.kind == "missing"
    assert str(tmp_path / "missing.csv") in str(info.value)


def test_csv_file_of_max_bytes_plus_one_is_refused_by_size(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "big.csv"
    path.write_bytes(b"a,b\n" + b"1" * (ur.MAX_BYTES - 4) + b"\n")
    assert path.stat().st_size == ur.MAX_BYTES + 1
    with pytest.raises(ValueError) as info:
        ur.read_file(path)
    assert matches(ur.MSG_TOO_BIG, str(info.value)) and "at most 10 MB" in str(info.value)
    assert main(["run", "--csv", str(path), "--label", "a", "--group", "b", *SHORT]) == 2
    message = one_error(capsys.readouterr().err)
    assert matches(ur.MSG_TOO_BIG, message) and "'big.csv'" in message, message


@pytest.mark.parametrize(
    ("make", "words"),
    [
        ("folder", ("a folder",)),
        ("missing", ("not found", "no such file")),
    ],
)
def test_csv_flag_says_what_the_path_is(
    make: str, words: tuple[str, ...], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "data.csv"
    if make == "folder":
        path.mkdir()
    assert main(["run", "--csv", str(path), "--label", "a", "--group", "b", *SHORT]) == 2
    message = one_error(capsys.readouterr().err)
    assert matches(cli.MSG_CSV_FILE, message), message
    assert f"{str(path)!r}" in message and "allowed: a readable CSV file" in message
    for word in words:
        assert word in message, message
    if make == "folder":
        assert "no such file" not in message and ur.REASON_FOLDER in message


# ----------------------------------------------------------------------------- real processes


def _child(argv: list[str]) -> subprocess.Popen[str]:
    """``python -m components *argv`` with an address-space cap (no runaway read)."""
    code = (
        "import resource, sys; "
        f"resource.setrlimit(resource.RLIMIT_AS, ({CHILD_MEMORY}, {CHILD_MEMORY})); "
        "from components.cli import main; sys.exit(main(sys.argv[1:]))"
    )
    return subprocess.Popen(
        [sys.executable, "-c", code, *argv], cwd=ROOT, stdout=PIPE, stderr=PIPE, text=True
    )


@pytest.mark.skipif(not (HAS_FIFO and HAS_DEVICE), reason="needs a named pipe and /dev/zero")
def test_devices_and_pipes_end_in_one_line_in_real_processes(tmp_path: Path) -> None:
    """A device or a named pipe as ``--csv``, ``--config`` or a config's csv path.

    The processes start together (each pays the imports). A reader that
    blocked or read without end would hit the timeout or the memory cap.
    """
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    cases = []
    for path, reason in ((DEVICE, ur.REASON_DEVICE), (str(fifo), ur.REASON_FIFO)):
        config = tmp_path / f"config{len(cases)}.json"
        config.write_text(json.dumps({"dataset": f"csv:path={path},label=a,group=b"}))
        cases += [
            (["run", "--csv", path, "--label", "a", "--group", "b"], cli.MSG_CSV_FILE, reason),
            (["run", "--config", path], cli.MSG_CONFIG_FILE, reason),
            (["run", "--config", str(config)], ur.MSG_CSV_READ, reason),
        ]
    procs = [(argv, template, reason, _child(argv)) for argv, template, reason in cases]
    try:
        for argv, template, reason, proc in procs:
            out, err = proc.communicate(timeout=120)
            assert proc.returncode == 2, (argv, err)
            assert out == ""
            message = one_error(err)
            assert matches(template, message), message
            assert reason in message and "no such file" not in message.lower(), message
    finally:
        for *_, proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()


# ----------------------------------------------------------------------------- config files


def _config(tmp_path: Path, data: bytes) -> str:
    path = tmp_path / "config.json"
    path.write_bytes(data)
    return str(path)


@pytest.mark.parametrize(
    ("data", "template", "words"),
    [
        (b"[" * 100_000, cfg.MSG_BAD_JSON, ("nested deeper than 16 levels",)),
        (b'{"dataset": ' * 50_000, cfg.MSG_BAD_JSON, ("nested deeper than 16 levels",)),
        (b'{"dataset": ' + b"[" * 40 + b"]" * 40 + b"}", cfg.MSG_BAD_JSON, ("nested deeper",)),
        (
            b'{"seed": ' + b"7" * 5000 + b"}",
            cfg.MSG_BAD_JSON,
            ("a number with more than", "digits"),
        ),
        (
            lambda: b"x" * (cfg.MAX_CONFIG_BYTES + 1),
            cli.MSG_CONFIG_FILE,
            ("larger than the limit of 1 MB",),
        ),
        (b'{"dataset": "two_groups", "model": "\xff"}', cli.MSG_CONFIG_FILE, ("not UTF-8",)),
    ],
    ids=["deep lists", "deep objects", "deep but valid", "huge integer", "too big", "not UTF-8"],
)
def test_hostile_config_files_end_in_one_line(
    data: bytes | Callable[[], bytes],
    template: str,
    words: tuple[str, ...],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = data() if callable(data) else data
    assert main(["run", "--config", _config(tmp_path, data)]) == 2
    message = one_error(capsys.readouterr().err)
    assert matches(template, message), message
    assert "allowed: a config.json written by a run" in message
    for word in words:
        assert word in message, message


def test_from_json_refuses_deep_nesting_with_a_value_error() -> None:
    with pytest.raises(ValueError) as info:
        cfg.RunConfig.from_json("[" * 100_000 + "]" * 100_000)
    assert matches(cfg.MSG_BAD_JSON, str(info.value)), str(info.value)


# ----------------------------------------------------------------------------- CSV header


def test_a_header_longer_than_the_sniffed_sample_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    names = [f"c{i}_" + "x" * 2000 for i in range(50)]
    rows = "\n".join(",".join(["1"] * 50) for _ in range(50))
    data = (",".join(names) + "\n" + rows + "\n").encode()
    with pytest.raises(ValueError) as info:
        ur.read_csv_bytes(data, name="wide.csv")
    assert matches(ur.MSG_HEADER_TOO_LONG, str(info.value)), str(info.value)
    path = tmp_path / "wide.csv"
    path.write_bytes(data)
    assert main(["run", "--csv", str(path), "--label", "c0", "--group", "c1", *SHORT]) == 2
    message = one_error(capsys.readouterr().err)
    assert matches(ur.MSG_HEADER_TOO_LONG, message), message
    assert "'wide.csv'" in message and f"{ur.SNIFF_CHARS:,} characters" in message
    assert "fields" not in message  # not a row-width complaint


# ----------------------------------------------------------------------------- records


FORMULAS = ['=HYPERLINK("http://evil.example","x")', "+cmd", "-1+1", "@SUM(1)"]


def _cells(path: Path) -> list[tuple[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    return [(col, cell) for row in rows[1:] for col, cell in zip(rows[0], row, strict=True)]


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def test_cli_records_defuse_formulas_from_a_hostile_csv(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    frame = table(48)
    frame["g"] = np.resize(FORMULAS, len(frame))
    path = tmp_path / "hostile.csv"
    path.write_bytes(frame.to_csv(index=False).encode())
    out = tmp_path / "run"
    argv = ["run", "--csv", str(path), "--label", "y", "--group", "g", *SHORT]
    assert main([*argv, "--out", str(out)]) == 0
    capsys.readouterr()
    for name in ("groups.csv", "queries.csv"):
        cells = _cells(out / name)
        groups = {cell for col, cell in cells if col == "group"}
        assert groups and groups <= {"'" + f for f in FORMULAS}, groups
        for col, cell in cells:
            if cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
                assert _is_number(cell), (name, col, cell)  # a number is data, not a formula
    groups = pd.read_csv(out / "groups.csv")
    assert (groups["uncertainty_bias"] < 0).any()  # negatives stay numbers
    assert pd.api.types.is_float_dtype(groups["uncertainty_bias"])
    assert pd.api.types.is_numeric_dtype(pd.read_csv(out / "queries.csv")["score"])


# ----------------------------------------------------------------------------- terminal escapes


ESCAPES = {"column": "sex\x1b]0;title\x07", "value": "X\x1b[31m\x9b2J"}


def _escape_csv(tmp_path: Path) -> Path:
    frame = table(600)
    frame["g"] = frame["g"].astype(object)
    frame.loc[:5, "g"] = ESCAPES["value"]  # a few, so the file still reads as text
    frame = frame.rename(columns={"g": ESCAPES["column"]})
    path = tmp_path / "escape.csv"
    path.write_bytes(frame.to_csv(index=False).encode())
    return path


def test_escapes_from_a_csv_never_reach_the_terminal_in_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _escape_csv(tmp_path)
    argv = ["run", "--csv", str(path), "--label", "y", "--group", ESCAPES["column"], *SHORT]
    assert main([*argv, "--scenario", "label_bias:group=nosuch"]) == 2
    out, err = capsys.readouterr()
    message = one_error(err)
    assert "scenario 'label_bias': group='nosuch'" in message and "allowed:" in message
    assert no_control(err), ascii(err)
    assert "\\x1b]0;title\\x07" in message  # shown, defused, not dropped
    assert out == ""


def test_escapes_from_a_csv_never_reach_the_terminal_in_a_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _escape_csv(tmp_path)
    argv = ["run", "--csv", str(path), "--label", "y", "--group", ESCAPES["column"], *SHORT]
    assert main(argv) == 0
    out, err = capsys.readouterr()
    assert no_control(out), ascii(out)
    assert no_control(err), ascii(err)
    assert "\\x1b[31m" in out  # the group is still recognisable


def test_terminal_text_replaces_every_control_character() -> None:
    text = "a\x1b[31mb\x07c\x9bd\x00e\nf\u202eg"
    safe = cli.terminal_text(text)
    assert no_control(safe) and "\n" not in safe and "\u202e" not in safe
    assert safe == "a\\x1b[31mb\\x07c\\x9bd\\x00e\\x0af\\u202eg"
