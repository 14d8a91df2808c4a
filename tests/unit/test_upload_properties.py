"""Property: any small table, any column choice, any short run either works or says why.

Hypothesis writes random frames (mixed types, missing and infinite values, odd
column names, few rows) to CSV, then reads them with ``read_csv_bytes``,
checks a random ``UploadSpec``, builds the ``Dataset`` and runs a few rounds.
The only failure allowed is a ``ValueError`` whose message starts with the
field at fault.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

import datasets.upload as up
from components.config import RunConfig
from components.engine import Simulation

HYPO = settings(max_examples=40, deadline=None, database=None)
#: The fields a message may start with (the first word, up to a space, ':' or quote).
FIELDS = {
    "file",
    "label",
    "positive",
    "group",
    "features",
    "rows",
    "--csv",
    "dataset",
    "budget",
    "config",
    "scenario",
    "cold_start_skew",
    "test_size",
}

# Column names: ordinary, empty, spaced, quoted, reserved characters, unicode, numbers.
NAMES = st.one_of(
    st.sampled_from(["a", "b", "x y", " pad ", "", "nan", "1", 'q"uote', "a,b", "k=v", "é", "g+h"]),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=6),
)
PLAIN = st.sampled_from(["age", "income", "sex", "job", "x1", "x2", "score", "city"])
WORDS = st.sampled_from(["red", "blue", "green", "", "NA", "1", "2.5", "1,234", "2020-01-02"])
#: Odd single values dropped into a column: missing, infinite, huge, text, long, quotes.
ODD = st.one_of(
    WORDS,
    st.sampled_from([None, np.nan, np.inf, -np.inf, 1e300, -0.0, "x" * 300, 'a "q"', "l1\nl2"]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=5),
)


def sometimes(draw: st.DrawFn, tenths: int) -> bool:
    """True with probability about ``tenths`` / 10."""
    return draw(st.sampled_from([False] * (10 - tenths) + [True] * tenths))


@st.composite
def column(draw: st.DrawFn, n: int, rng: np.random.Generator) -> list[object]:
    """One feature column: bulk values from ``rng``, odd values from hypothesis."""
    kind = draw(st.sampled_from(["int", "float", "text", "mixed", "date", "constant"]))
    odd = draw(st.lists(st.tuples(st.integers(0, max(n - 1, 0)), ODD), max_size=3)) if n else []
    if kind == "int":
        values: list[object] = rng.integers(-1000, 1000, n).tolist()
    elif kind == "float":
        values = rng.normal(0, draw(st.sampled_from([1e-3, 1.0, 1e6])), n).tolist()
    elif kind == "text":
        values = rng.choice(["red", "blue", "green"], n).tolist()
    elif kind == "mixed":
        values = [str(v) if v % 9 else "n/a" for v in rng.integers(0, 99, n)]
    elif kind == "date":
        days = rng.integers(0, 3000, n)
        values = [str(pd.Timestamp("2015-01-01") + pd.Timedelta(days=int(d)))[:10] for d in days]
    else:
        values = [draw(WORDS)] * n
    for i, value in odd:
        values[i] = value
    return values


@st.composite
def upload(draw: st.DrawFn) -> tuple[bytes, up.UploadSpec | None, dict[str, object]]:
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    n = draw(st.integers(0, 30)) if sometimes(draw, 2) else draw(st.integers(40, 90))
    label_values = draw(st.sampled_from([["yes", "no"], [0, 1], ["a", "b", "c"], [1.0, 2.0]]))
    if sometimes(draw, 1):
        label_values = ["x"]  # one class
    labels: list[object] = rng.choice(np.array(label_values, dtype=object), n).tolist()
    if sometimes(draw, 3):
        labels = [None if i % 7 == 3 else v for i, v in enumerate(labels)]
    group_values = (
        ["F"] if sometimes(draw, 1) else draw(st.sampled_from([["F", "M"], ["F", "M", "X"]]))
    )
    groups = rng.choice(group_values, n).tolist()
    odd = sometimes(draw, 3)
    names = draw(st.lists(NAMES if odd else PLAIN, min_size=6, max_size=6, unique=not odd))
    label_name, group_name, *feature_names = names[: 2 + draw(st.sampled_from([1, 2, 3, 4, 0]))]
    frame = pd.DataFrame({label_name: labels, group_name: groups})
    for name in feature_names:
        frame[name] = draw(column(n, rng))
    if sometimes(draw, 3):  # a second group attribute, for intersections
        frame["g2"] = rng.choice(["u", "v"], n).tolist()
    data = frame.to_csv(index=False, sep=draw(st.sampled_from([",", ";", "\t", "|"]))).encode(
        draw(st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "latin-1"])), errors="replace"
    )
    spec = None
    group = (group_name, "g2") if "g2" in frame and draw(st.booleans()) else (group_name,)
    positive = None
    if sometimes(draw, 2):
        positive = draw(st.one_of(st.sampled_from([str(v) for v in label_values]), NAMES))
    features = None
    if sometimes(draw, 2):
        features = draw(st.lists(st.sampled_from(list(frame.columns)), max_size=3, unique=True))
    label = label_name + "x" if sometimes(draw, 1) else label_name
    try:
        spec = up.UploadSpec(label, group, positive, features)
    except ValueError as exc:
        assert_field(exc)
    config = {
        "initial_size": draw(st.integers(1, 12)),
        "batch_size": draw(st.integers(1, 4)),
        "rounds": draw(st.integers(0, 3)),
        "test_size": draw(st.sampled_from([0.2, 0.3])),
        "strategy": draw(
            st.sampled_from(["random", "least_confidence", "group_balanced", "qbc_kl"])
        ),
        "model": draw(st.sampled_from(["logistic", "naive_bayes", "knn"])),
        "use_group_feature": draw(st.booleans()),
        "seed": draw(st.integers(0, 5)),
        "scenarios": draw(
            st.sampled_from(
                [
                    [],
                    ["label_bias:flip=0.5"],
                    ["underrepresentation:keep=0.3"],
                    ["cold_start_skew:share=0"],
                    ["label_bias:group=F"],
                ]
            )
        ),
    }
    return data, spec, config


def assert_field(exc: ValueError) -> str:
    """The field a message starts with, which must be a known one."""
    message = str(exc)
    first = re.match(r"[\w\-]+", message)
    assert first is not None and first.group() in FIELDS, message
    return first.group()


@HYPO
@given(case=upload())
def test_an_upload_runs_or_names_the_field(
    tmp_path_factory: pytest.TempPathFactory, case: tuple[bytes, up.UploadSpec | None, dict]
) -> None:
    data, spec, config = case
    if spec is None:
        return
    try:
        frame, warnings = up.read_csv_bytes(data, name="h.csv")
        assert all(isinstance(w, str) and w for w in warnings)
        resolved = up.validate(frame, spec)
        assert resolved.positive is not None and resolved.features
        sha = up.sha256_hex(data)
        ds = up.dataset_from_upload(frame, spec, name="h.csv", sha256=sha, warnings=warnings)
        assert np.isfinite(ds.X).all() and ds.n_samples >= up.MIN_ROWS
        assert len(ds.groups) >= 2 and min(ds.group_counts().values()) >= up.MIN_GROUP_SIZE
        assert set(np.unique(ds.y)) <= {0, 1} and len(ds.raw) == ds.n_samples
        path = tmp_path_factory.getbasetemp() / f"upload-{sha}.csv"
        path.write_bytes(data)
        cfg = RunConfig.from_dict({**config, "dataset": up.csv_spec(path, spec, sha256=sha)})
        sim = Simulation(cfg, dataset=ds)
        result = sim.run()
        assert [r.round for r in result.records] == list(range(cfg.rounds + 1))
        event("ran")
    except ValueError as exc:
        event(f"refused: {assert_field(exc)}")
