"""A catalogue of bad input for "Your data": every case works or gives ONE clear message.

Each case is a file the test writes (bytes in memory, or a file under
``tmp_path`` for the CLI) plus the column choices. A case either

- fails with one ``ValueError`` whose message comes from a module constant
  (matched as a template) and names the field, the value and what is allowed, or
- works, with a warning wherever the data was changed.

Every case also runs through the CLI in-process (exit 2 and exactly one
``error:`` line on stderr, never a traceback; or exit 0), and a few through a
real subprocess.
"""

from __future__ import annotations

import re
import string
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from subprocess import PIPE

import numpy as np
import pandas as pd
import pytest

import datasets.upload as up
from components import cli
from components.cli import main
from components.config import MSG_GROUP_FREE
from components.engine import MSG_BUDGET
from datasets.base import LOADED, LOADED_UPLOADS, Dataset, load
from specs import MSG_OUT_OF_RANGE, MSG_UNKNOWN_NAME, MSG_UNKNOWN_PARAM

ROOT = Path(__file__).resolve().parents[2]
#: A short run, so that cases that work finish fast.
SHORT = ("--initial", "10", "--batch-size", "5", "--rounds", "2")


def matches(template: str, message: str) -> bool:
    """Whether ``message`` was made by ``template.format(...)`` (fields match anything)."""
    parts = []
    for literal, field, _, _ in string.Formatter().parse(template):
        parts.append(re.escape(literal))
        if field is not None:
            parts.append(".*?")
    return re.fullmatch("".join(parts), message, flags=re.DOTALL) is not None


def table(n: int = 120, *, seed: int = 0, **extra: object) -> pd.DataFrame:
    """A small valid table: two features, a categorical, a group and a yes/no label."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "age": rng.integers(18, 80, n),
            "hours": rng.normal(40, 10, n).round(1),
            "job": rng.choice(["clerk", "nurse", "teacher"], n),
            "sex": np.where(np.arange(n) % 5 < 2, "F", "M"),
            "paid": rng.choice(["yes", "no"], n),
        }
    )
    for name, value in extra.items():
        frame[name] = value(frame) if callable(value) else value
    return frame


def csv_of(frame: pd.DataFrame, **kw: object) -> bytes:
    return frame.to_csv(index=False, **kw).encode("utf-8")


def with_rows(**changes: Callable[[pd.DataFrame], pd.DataFrame]) -> bytes:
    frame = table()
    for fn in changes.values():
        frame = fn(frame)
    return csv_of(frame)


def million_rows() -> bytes:
    return b"age,paid,sex\n" + b"1,0,F\n" * 1_000_000


def latin1() -> bytes:
    frame = table(job=lambda f: np.where(np.arange(len(f)) % 2, "café", "señor"))
    return frame.to_csv(index=False).encode("latin-1")


def dates() -> bytes:
    when = pd.Timestamp("2021-03-01") + pd.to_timedelta(np.arange(120) * 3 % 97, unit="D")
    return csv_of(table(signed=when.strftime("%d/%m/%Y")))


def mixed() -> bytes:
    values = [str(v) if i % 10 else "unknown" for i, v in enumerate(range(120, 0, -1))]
    return csv_of(table(score=np.roll(values, 7)))


def infinite() -> bytes:
    frame = table()
    frame["hours"] = frame["hours"].astype(object)
    frame.loc[[3, 8], "hours"] = [np.inf, -np.inf]
    return csv_of(frame)


def ten_k_ids() -> bytes:
    frame = table(10_000)
    frame["customer"] = [f"C{i:05d}" for i in np.random.default_rng(1).permutation(10_000)]
    return csv_of(frame)


def quoted_newlines() -> bytes:
    frame = table(note=lambda f: np.where(np.arange(len(f)) % 3, "line one\nline two", "short"))
    return csv_of(frame)


def tiny_intersection() -> bytes:
    frame = table(race=lambda f: np.where(np.arange(len(f)) % 2, "A", "B"))
    frame.loc[frame["sex"] == "F", "race"] = "A"
    frame.loc[0, "race"] = "B"  # row 0 is F: 'F+B' has one member
    return csv_of(frame)


def label_in_other_group() -> bytes:
    """Positives only in group F, so a seed set drawn from M has none."""
    frame = table()
    frame["paid"] = np.where((frame["sex"] == "F") & (np.arange(len(frame)) % 2 == 0), "yes", "no")
    return csv_of(frame)


@dataclass(frozen=True)
class Case:
    id: str
    data: bytes | Callable[[], bytes]
    error: str | None = None  # the message template, a module constant
    warns: str | None = None  # a warning template expected when it works
    contains: tuple[str, ...] = ()  # text the message (or warning) must hold
    label: str = "paid"
    group: str = "sex"
    positive: str | None = None
    features: str | None = None
    args: tuple[str, ...] = ()  # extra CLI arguments (run settings)
    check: Callable[[Dataset], bool] | None = None

    def bytes(self) -> bytes:
        return self.data() if callable(self.data) else self.data

    def spec(self) -> up.UploadSpec:
        features = None if self.features is None else tuple(self.features.split(","))
        return up.UploadSpec(self.label, tuple(self.group.split(",")), self.positive, features)


GOOD = csv_of(table())
CASES = [
    # -- the file itself ---------------------------------------------------------------
    Case("empty file", b"", up.MSG_EMPTY, contains=("is empty", "header row")),
    Case("blank lines only", b"  \r\n\n ", up.MSG_EMPTY),
    Case("BOM only", b"\xef\xbb\xbf", up.MSG_EMPTY),
    Case("header only", b"age,paid,sex\n", up.MSG_HEADER_ONLY, contains=("'age'", "no data rows")),
    Case(
        "not a CSV (prose)",
        b"Dear all\nplease find the data attached\nthanks\n",
        up.MSG_ONE_COLUMN,
        contains=("'Dear all'", "2 or more columns"),
    ),
    Case("binary junk", bytes(range(256)) * 40, up.MSG_BINARY, contains=("NUL",)),
    Case(
        "control characters",
        bytes(range(1, 32)) * 200,
        up.MSG_BINARY,
        contains=("control characters",),
    ),
    Case("PNG image", b"\x89PNG\r\n\x1a\n" + bytes(200), up.MSG_BINARY, contains=("PNG",)),
    Case("xlsx workbook", b"PK\x03\x04" + bytes(200), up.MSG_BINARY, contains=(".xlsx", "CSV")),
    Case("gzip", b"\x1f\x8b\x08" + bytes(100), up.MSG_BINARY, contains=("gzip",)),
    Case(
        "semicolon delimiter, decimal comma",
        csv_of(table(), sep=";", decimal=","),
        warns=up.WARN_DELIMITER,
        contains=("semicolon",),
        check=lambda ds: ds.feature_names[:2] == ("age", "hours"),
    ),
    Case("tab delimiter", csv_of(table(), sep="\t"), warns=up.WARN_DELIMITER, contains=("tab",)),
    Case("pipe delimiter", csv_of(table(), sep="|"), warns=up.WARN_DELIMITER, contains=("'|'",)),
    Case(
        "UTF-8 BOM",
        b"\xef\xbb\xbf" + csv_of(table()[["paid", "age", "hours", "job", "sex"]]),
        check=lambda ds: list(ds.raw.columns)[0] == "paid" and ds.notes["warnings"] == [],
    ),
    Case(
        "latin-1 text",
        latin1,
        warns=up.WARN_ENCODING,
        contains=("Windows-1252",),
        check=lambda ds: "job=café" in ds.feature_names,
    ),
    Case(
        "UTF-16 text", GOOD.decode().encode("utf-16"), warns=up.WARN_ENCODING, contains=("UTF-16",)
    ),
    Case(
        "Windows line endings",
        GOOD.replace(b"\n", b"\r\n"),
        check=lambda ds: ds.n_samples == 120 and ds.notes["warnings"] == [],
    ),
    Case(
        "duplicate column names",
        GOOD.replace(b"hours", b"age", 1),
        up.MSG_DUPLICATE_COLUMNS,
        contains=("'age' (2 times)", "unique column names", "rename"),
    ),
    Case(
        "empty column name",
        GOOD.replace(b"hours", b"", 1),
        warns=up.WARN_UNNAMED,
        contains=("column 2", "'column_2'"),
    ),
    Case(
        "trailing separator",
        GOOD.replace(b"\n", b",\n"),
        warns=up.WARN_UNNAMED_EMPTY,
        contains=("column 6", "dropped"),
    ),
    Case(
        "a row with too many fields",
        GOOD + b"1,2,3,4,5,6,7\n",
        up.MSG_PARSE,
        contains=("line 122", "as many fields as the header"),
    ),
    Case("unclosed quote", GOOD + b'"1,2,3\n', up.MSG_PARSE, contains=("EOF inside string",)),
    Case(
        "1M rows",
        million_rows,
        up.MSG_TOO_MANY_ROWS,
        contains=("more than 200,000", "1,000,000", "sample"),
    ),
    Case(
        "600 columns",
        (",".join(f"c{i}" for i in range(600)) + "\n" + ",".join("1" * 600) + "\n").encode(),
        up.MSG_TOO_MANY_COLUMNS,
        contains=("600 columns", "at most 500"),
    ),
    Case(
        "11 MB", b"a,b\n" + b"12345678,1\n" * 1_100_000, up.MSG_TOO_BIG, contains=("at most 10 MB",)
    ),
    Case(
        "10,000-character cell",
        csv_of(table(note=lambda f: np.where(np.arange(len(f)) == 5, "x" * 10_000, "short"))),
        warns=up.WARN_LONG,
        contains=("10,000 characters", "cut to 100"),
        check=lambda ds: ds.raw["note"].str.len().max() == 10_000,
    ),
    Case(
        "newlines inside quoted cells",
        quoted_newlines,
        check=lambda ds: (
            ds.raw["note"].iloc[1] == "line one\nline two"
            and "note=line one\nline two" in ds.feature_names
        ),
    ),
    # -- column cleaning ---------------------------------------------------------------
    Case(
        "dates as text",
        dates,
        warns=up.WARN_DATES,
        contains=("'signed'", "%d/%m/%Y", "days since the earliest, 2021-03-01"),
        check=lambda ds: "signed" in ds.feature_names,
    ),
    Case(
        "numbers with thousands separators",
        csv_of(table(income=lambda f: [f"{v * 997:,}" for v in f["age"]])),
        warns=up.WARN_SEPARATORS,
        contains=("'income'", "as "),
        check=lambda ds: "income" in ds.feature_names,
    ),
    Case(
        "mixed numbers and text",
        mixed,
        warns=up.WARN_MIXED,
        contains=("'score'", "12 of 120", "'unknown'", "used as a number"),
        check=lambda ds: "score" in ds.feature_names,
    ),
    Case(
        "mostly text with some numbers",
        csv_of(table(code=lambda f: np.where(np.arange(len(f)) % 3, "A", "7"))),
        check=lambda ds: "code=A" in ds.feature_names and "code=7" in ds.feature_names,
    ),
    Case("infinite values", infinite, warns=up.WARN_INF, contains=("'hours'", "2 infinite")),
    Case(
        "a constant column",
        csv_of(table(country="NZ")),
        warns=up.WARN_CONSTANT,
        contains=("'country'", "'NZ'", "dropped"),
    ),
    Case(
        "all features constant",
        csv_of(table().assign(age=1, hours=2.5, job="x")),
        up.MSG_NO_USABLE,
        contains=("'age' is constant", "'job' is constant", "2 or more distinct values"),
    ),
    Case(
        "10k distinct categories (an ID)",
        ten_k_ids,
        warns=up.WARN_IDENTIFIER,
        contains=("'customer'", "10,000 distinct values"),
        check=lambda ds: not any(n.startswith("customer") for n in ds.feature_names),
    ),
    Case(
        "a row-number column",
        csv_of(table(row=lambda f: np.arange(1, len(f) + 1))),
        warns=up.WARN_ROW_NUMBER,
        contains=("'row'",),
    ),
    Case(
        "rows without a label",
        with_rows(drop=lambda f: f.assign(paid=f["paid"].where(np.arange(len(f)) % 10 > 0))),
        warns=up.WARN_NO_LABEL,
        contains=("12 row(s)", "'paid'"),
        check=lambda ds: ds.n_samples == 108,
    ),
    # -- the column choices ------------------------------------------------------------
    Case(
        "label column missing (typo)",
        GOOD,
        up.MSG_COLUMN_MISSING,
        label="payd",
        contains=("label: column 'payd'", "'paid'", "did you mean 'paid'?"),
    ),
    Case(
        "label all NaN",
        csv_of(table(paid="")),
        up.MSG_LABEL_EMPTY,
        contains=("'paid'", "all 120", "2 or more classes"),
    ),
    Case(
        "label with one class only",
        csv_of(table(paid="yes")),
        up.MSG_LABEL_ONE_CLASS,
        contains=("'paid'", "'yes'", "2 or more classes"),
    ),
    Case(
        "label with 3 classes, no positive",
        csv_of(table(paid=lambda f: np.array(["low", "mid", "high"])[np.arange(len(f)) % 3])),
        up.MSG_LABEL_MANY,
        contains=("positive:", "3 classes", "'high'", "'low'", "'mid'"),
    ),
    Case(
        "label with 3 classes and a positive",
        csv_of(table(paid=lambda f: np.array(["low", "mid", "high"])[np.arange(len(f)) % 3])),
        positive="high",
        check=lambda ds: ds.y.sum() == 40 and ds.positive_label == "paid = high",
    ),
    Case(
        "positive not a label value",
        GOOD,
        up.MSG_POSITIVE_MISSING,
        positive="yess",
        contains=("positive: 'yess'", "'no', 'yes'", "did you mean 'yes'?"),
    ),
    Case(
        "group column missing",
        GOOD,
        up.MSG_COLUMN_MISSING,
        group="gender",
        contains=("group: column 'gender'", "'sex'"),
    ),
    Case(
        "group with one value only",
        csv_of(table(sex="F")),
        up.MSG_GROUP_ONE_VALUE,
        contains=("'sex'", "'F'", "2 or more values"),
    ),
    Case(
        "a group with 1 member",
        csv_of(table(sex=lambda f: np.where(np.arange(len(f)) == 7, "X", f["sex"]))),
        up.MSG_GROUP_TOO_SMALL,
        contains=("'X' has 1 row(s)", "at least 5", "merge"),
    ),
    Case(
        "an intersection with 1 member",
        tiny_intersection,
        up.MSG_GROUP_TOO_SMALL,
        group="sex,race",
        contains=("'F+B' has 1 row(s)", "fewer group columns"),
    ),
    Case(
        "same column as label and group",
        GOOD,
        up.MSG_LABEL_IS_GROUP,
        group="paid",
        contains=("'paid'", "other than the label"),
    ),
    Case(
        "a feature that is the label",
        GOOD,
        up.MSG_FEATURE_ROLE,
        features="age,paid",
        contains=("'paid' is the label",),
    ),
    Case(
        "a feature column missing",
        GOOD,
        up.MSG_COLUMN_MISSING,
        features="age,hour",
        contains=("features: column 'hour'", "did you mean 'hours'?"),
    ),
    Case(
        "no feature columns left",
        csv_of(table()[["sex", "paid"]]),
        up.MSG_NO_FEATURES,
        contains=("at least one more column",),
    ),
    Case("too few rows", csv_of(table(12)), up.MSG_TOO_FEW_ROWS, contains=("12 row(s)", "20")),
    # -- run settings on an upload (through the CLI) -----------------------------------
    Case(
        "budget larger than the pool",
        GOOD,
        MSG_BUDGET,
        args=("--rounds", "50"),
        contains=("budget:", "rounds=50", "at most"),
    ),
    Case(
        "batch size 0",
        GOOD,
        MSG_OUT_OF_RANGE,
        args=("--batch-size", "0"),
        contains=("batch_size='0'", "[1, 100]"),
    ),
    Case(
        "initial size larger than the pool",
        GOOD,
        MSG_BUDGET,
        args=("--initial", "500"),
        contains=("initial_size=500", "at most"),
    ),
    Case(
        "a seed set with no positives runs",
        label_in_other_group,
        args=("--scenario", "cold_start_skew:group=F,share=0"),
        warns=up.WARN_ONE_SIDED,
        contains=("'M'", "no positives"),
    ),
    Case(
        "scenario group that does not exist",
        GOOD,
        MSG_GROUP_FREE,
        args=("--scenario", "label_bias:group=Female"),
        contains=("group='Female'", "allowed: M, F"),
    ),
    Case(
        "scenario parameter outside [0, 1]",
        GOOD,
        MSG_OUT_OF_RANGE,
        args=("--scenario", "label_bias:flip=1.5"),
        contains=("flip=", "1.5", "[0, 1]"),
    ),
    Case(
        "a typo in a strategy name",
        GOOD,
        MSG_UNKNOWN_NAME,
        args=("--strategy", "leest_confidence"),
        contains=("'leest_confidence'", "did you mean 'least_confidence'?"),
    ),
]
LIBRARY = [c for c in CASES if not c.args]


def load_case(case: Case) -> Dataset:
    data = case.bytes()
    frame, warnings = up.read_csv_bytes(data, name="case.csv")
    return up.dataset_from_upload(
        frame, case.spec(), name="case.csv", sha256=up.sha256_hex(data), warnings=warnings
    )


def test_the_catalogue_is_big_enough() -> None:
    assert len(CASES) >= 40
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", LIBRARY, ids=[c.id for c in LIBRARY])
def test_library(case: Case) -> None:
    if case.error:
        with pytest.raises(ValueError) as info:
            load_case(case)
        message = str(info.value)
        assert matches(case.error, message), message
        for text in case.contains:
            assert text in message, message
        return
    ds = load_case(case)
    warnings = ds.notes["warnings"]
    if case.warns:
        hits = [w for w in warnings if matches(case.warns, w)]
        assert hits, warnings
        assert any(all(t in w for t in case.contains) for w in hits), hits
    if case.check:
        assert case.check(ds), ds.notes


def cli_args(case: Case, path: Path) -> list[str]:
    argv = ["run", "--csv", str(path), "--label", case.label, "--group", case.group]
    if case.positive is not None:
        argv += ["--positive", case.positive]
    if case.features is not None:
        argv += ["--features", case.features]
    return [*argv, *SHORT, *case.args]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_cli_in_process(case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "case.csv"
    path.write_bytes(case.bytes())
    code = main(cli_args(case, path))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    if case.error:
        assert code == 2, out
        lines = err.splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), err
        message = lines[0].removeprefix("error: ")
        assert matches(case.error, message), message
        for text in case.contains:
            assert text in message, message
    else:
        assert code == 0, err
        warnings = [ln.removeprefix("warning: ") for ln in err.splitlines()]
        assert all(ln.startswith("warning: ") for ln in err.splitlines()), err
        if case.warns:
            assert any(matches(case.warns, w) for w in warnings), warnings


def test_seed_set_without_positives_is_all_negative(tmp_path: Path) -> None:
    path = tmp_path / "one_sided.csv"
    path.write_bytes(label_in_other_group())
    out = tmp_path / "run"
    argv = ["run", "--csv", str(path), "--label", "paid", "--group", "sex", *SHORT]
    argv += ["--scenario", "cold_start_skew:group=F,share=0", "--out", str(out)]
    assert main(argv) == 0
    queries = pd.read_csv(out / "queries.csv")
    seed = queries[queries["round"] == 0]
    assert len(seed) == 10 and set(seed["group"]) == {"M"} and seed["label_true"].sum() == 0
    assert (pd.read_csv(out / "rounds.csv")["round"] == [0, 1, 2]).all()


CLI_ONLY = [
    (
        ["--csv", "{path}", "--dataset", "two_groups", "--label", "paid", "--group", "sex"],
        cli.MSG_CSV_WITH_DATASET,
        ("--csv", "--dataset"),
    ),
    (["--dataset", "two_groups", "--label", "paid"], cli.MSG_CSV_ONLY, ("--label", "--csv")),
    (["--csv", "{path}", "--label", "paid"], cli.MSG_CSV_NEEDS, ("--group", "column name")),
    (
        ["--csv", "{dir}/missing.csv", "--label", "paid", "--group", "sex"],
        cli.MSG_CSV_FILE,
        ("missing.csv", "no such file"),
    ),
    (
        ["--csv", "{path}", "--label", "pa,id", "--group", "sex"],
        up.MSG_SPEC_CHARS,
        ("label: 'pa,id'", "cannot be used in a spec or on the command line", "rename"),
    ),
    (
        ["--csv", "{path}", "--label", "paid", "--group", "sex", "--features", "age|hours"],
        up.MSG_SPEC_CHARS,
        ("features: 'age|hours'", "'|'"),
    ),
    (
        ["--dataset", "csv:path={path},lable=paid,group=sex"],
        MSG_UNKNOWN_PARAM,
        ("'lable'", "did you mean 'label'?"),
    ),
    (["--dataset", "csv:label=paid,group=sex"], up.MSG_CSV_REQUIRED, ("path is required",)),
    (
        ["--dataset", "csv:path={path},label=paid,group=sex,sha256=abc"],
        up.MSG_CSV_SHA,
        ("not abc", "unchanged file"),
    ),
]


@pytest.mark.parametrize(
    ("argv", "template", "contains"),
    CLI_ONLY,
    ids=[t[1][:24] + str(i) for i, t in enumerate(CLI_ONLY)],
)
def test_cli_flags(
    argv: list[str],
    template: str,
    contains: tuple[str, ...],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "good.csv"
    path.write_bytes(GOOD)
    argv = [a.format(path=path, dir=tmp_path) for a in argv]
    assert main(["run", *argv, *SHORT]) == 2
    err = capsys.readouterr().err
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    message = lines[0].removeprefix("error: ")
    assert matches(template, message), message
    for text in contains:
        assert text in message, message


def test_config_replays_only_the_same_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "data.csv"
    path.write_bytes(GOOD)
    first, second = tmp_path / "a", tmp_path / "b"
    argv = ["run", "--csv", str(path), "--label", "paid", "--group", "sex", *SHORT]
    assert main([*argv, "--out", str(first)]) == 0
    assert main(["run", "--config", str(first), "--out", str(second)]) == 0
    assert (first / "config.json").read_text() == (second / "config.json").read_text()
    assert (first / "queries.csv").read_text() == (second / "queries.csv").read_text()
    path.write_bytes(csv_of(table(seed=1)))  # the file changes under the config
    LOADED.clear()  # as in a new process; a cached spec is the old, hashed file
    LOADED_UPLOADS.clear()
    capsys.readouterr()
    assert main(["run", "--config", str(first)]) == 2
    err = capsys.readouterr().err.strip()
    assert matches(up.MSG_CSV_SHA, err.removeprefix("error: ")), err


def test_a_million_rows_fail_fast(monkeypatch) -> None:
    """Too many rows is refused without parsing them all (checked by what is parsed, not time)."""
    import datasets.upload_read as ur

    calls: list[dict] = []
    real = ur.pd.read_csv

    def spy(*args, **kwargs):
        calls.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(ur.pd, "read_csv", spy)
    data = million_rows()
    with pytest.raises(ValueError, match="more than 200,000 data rows"):
        up.read_csv_bytes(data)
    assert calls == []  # plain lines are counted, never parsed
    quoted = b'age,"paid",sex\n' + data.split(b"\n", 1)[1]  # a quote: no shortcut, a bounded parse
    with pytest.raises(ValueError, match="more than 200,000 data rows"):
        up.read_csv_bytes(quoted)
    assert [c["nrows"] for c in calls] == [up.MAX_ROWS + 2]


def test_upload_spec_and_csv_spec_round_trip() -> None:
    spec = up.UploadSpec(" paid ", "sex+race", positive="yes", features="age|hours")
    assert (spec.label, spec.group, spec.features) == ("paid", ("sex", "race"), ("age", "hours"))
    s = up.csv_spec("/data/f.csv", spec, sha256="ab")
    assert (
        str(s)
        == "csv:path=/data/f.csv,label=paid,group=sex+race,positive=yes,features=age|hours,sha256=ab"
    )
    with pytest.raises(ValueError, match=r"^group: no column given"):
        up.UploadSpec("paid", "")
    with pytest.raises(ValueError, match=r"^group: column 'sex' is listed twice"):
        up.UploadSpec("paid", ("sex", "sex"))
    frame = table().rename(columns={"sex": "sex+race"})
    with pytest.raises(ValueError) as info:
        up.validate(frame, up.UploadSpec("paid", ("sex+race",)))
    assert matches(up.MSG_GROUP_PLUS, str(info.value))


@pytest.mark.parametrize("reserved", [False, True])
def test_a_missing_column_is_a_typed_error_and_the_csv_loader_adds_its_note(
    tmp_path: Path, reserved: bool
) -> None:
    """The note on ',' and '=' comes from the error's type and the file's columns."""
    frame = table().rename(columns={"job": "job, title" if reserved else "job_title"})
    path = tmp_path / "f.csv"
    path.write_bytes(csv_of(frame))
    with pytest.raises(up.ColumnMissing) as info:
        up.validate(frame, up.UploadSpec("paid", "sex", features=("job",)))
    assert (info.value.field, info.value.value) == ("features", "job")
    assert info.value.columns == tuple(frame.columns)
    assert not str(info.value).endswith(up.NOTE_SPEC_CHARS)
    with pytest.raises(up.ColumnMissing) as info:
        load(f"csv:path={path},label=paid,group=sex,features=job")
    assert matches(up.MSG_COLUMN_MISSING + up.NOTE_SPEC_CHARS * reserved, str(info.value))
    assert str(info.value).endswith(up.NOTE_SPEC_CHARS) == reserved


def test_preview_reports_sizes_rates_and_steps() -> None:
    frame, warnings = up.read_csv_bytes(csv_of(table(40, country="NZ")))
    p = up.preview(frame, up.UploadSpec("paid", ("sex",)), warnings=warnings)
    assert p.n_rows == 40 and p.n_columns == 6 and p.n_dropped_rows == 0
    assert p.group_sizes == {"M": 24, "F": 16}
    assert list(p.label_rate) == ["M", "F"] and all(0 <= r <= 1 for r in p.label_rate.values())
    assert p.spec.positive == "yes" and p.features == ("age", "hours", "job")
    assert p.dropped_columns == {"country": "is constant"}
    assert any(matches(up.WARN_SMALL_GROUP, w) and "'F'" in w for w in p.warnings)
    text = " ".join(p.steps)
    for word in ("median", "standardised", "most frequent", "one-hot", "'country' (is constant)"):
        assert word in text


SUBPROCESS = ("binary junk", "label column missing (typo)", "a group with 1 member")


def test_cli_subprocess(tmp_path: Path) -> None:
    """Three real processes, started together (each pays the imports)."""
    procs = []
    for k, case in enumerate(c for c in CASES if c.id in SUBPROCESS):
        path = tmp_path / f"case{k}.csv"
        path.write_bytes(case.bytes())
        argv = [sys.executable, "-m", "components", *cli_args(case, path)]
        procs.append((case, subprocess.Popen(argv, cwd=ROOT, stdout=PIPE, stderr=PIPE, text=True)))
    assert len(procs) == 3
    for case, proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 2, err
        lines = err.splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), err
        assert "Traceback" not in out + err
        assert matches(case.error or "", lines[0].removeprefix("error: ")), err
