"""The five vendored real data sets: files, checksums and loaders."""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from datasets import real
from datasets.base import DATASETS, INTERSECT, load

DATA_DIR = Path(real.__file__).resolve().parent / "data"
SOURCES = DATA_DIR / "SOURCES.md"
NAMES = ("adult", "compas", "german", "law", "credit_default")
ROW = re.compile(
    r"^\|\s*(?P<file>[\w-]+\.csv\.gz)\s*\|\s*(?P<rows>[\d,]+)\s*\|\s*(?P<bytes>[\d,]+)\s*\|"
    r"\s*(?P<sha>[0-9a-f]{64})\s*\|"
)
#: Rows loaded by default where a loader filters (ProPublica's standard filter).
DEFAULT_ROWS = {"compas": 6_172}
IDENTIFIERS = {
    "id",
    "name",
    "first",
    "last",
    "dob",
    "c_case_number",
    "r_case_number",
    "vr_case_number",
}


def _sources() -> dict[str, dict[str, object]]:
    table = {}
    for line in SOURCES.read_text(encoding="utf-8").splitlines():
        m = ROW.match(line)
        if m:
            name = m["file"].removesuffix(".csv.gz")
            table[name] = {"rows": int(m["rows"].replace(",", "")), "sha256": m["sha"]}
    return table


SOURCE_TABLE = _sources()
CASES = [(name, g) for name in NAMES for g in DATASETS[name].param("group").choices]


@pytest.fixture(scope="module")
def loaded() -> dict[tuple[str, str], object]:
    return {(name, g): DATASETS[name].func(group=g) for name, g in CASES}


def test_sources_lists_every_file() -> None:
    assert sorted(SOURCE_TABLE) == sorted(NAMES)
    assert SOURCE_TABLE["adult"]["rows"] == 48_842


@pytest.mark.parametrize("name", NAMES)
def test_sha256_matches_sources(name: str) -> None:
    digest = hashlib.sha256((DATA_DIR / f"{name}.csv.gz").read_bytes()).hexdigest()
    assert digest == SOURCE_TABLE[name]["sha256"]


@pytest.mark.parametrize("name", NAMES)
def test_file_rows_match_sources(name: str) -> None:
    assert len(real.read_data(name)) == SOURCE_TABLE[name]["rows"]


def test_loaders_are_registered_with_their_groups() -> None:
    expected = {
        "adult": ("sex", "race", "sex+race"),
        "compas": ("race", "sex", "race+sex"),
        "german": ("sex", "age", "sex+age"),
        "law": ("race", "sex", "race+sex"),
        "credit_default": ("sex",),
    }
    defaults = {"adult": "sex", "compas": "race", "german": "sex", "law": "race"}
    for name, choices in expected.items():
        entry = DATASETS[name]
        assert entry.param("group").choices == choices
        assert entry.param("group").default == defaults.get(name, "sex")
        assert entry.description and "\n" not in entry.description
        assert re.search(r"\(\d{4}", entry.citation), entry.citation


@pytest.mark.parametrize(("name", "group"), CASES)
def test_loader_shapes_and_rows(loaded, name: str, group: str) -> None:
    ds = loaded[(name, group)]
    n = DEFAULT_ROWS.get(name, SOURCE_TABLE[name]["rows"])
    assert ds.n_samples == n
    assert ds.X.shape == (n, len(ds.feature_names))
    assert ds.X.dtype == np.float64 and np.isfinite(ds.X).all()
    assert ds.embedding.shape == (n, 2)
    assert isinstance(ds.raw, pd.DataFrame) and len(ds.raw) == n
    assert ds.modality == "tabular" and ds.group_attribute == group
    assert ds.licence and ds.source and ds.positive_label


@pytest.mark.parametrize(("name", "group"), CASES)
def test_both_classes_in_every_group(loaded, name: str, group: str) -> None:
    ds = loaded[(name, group)]
    assert set(np.unique(ds.y).tolist()) == {0, 1}
    for g in ds.groups:
        assert set(np.unique(ds.y[ds.group == g]).tolist()) == {0, 1}, g


@pytest.mark.parametrize(("name", "group"), CASES)
def test_group_columns_are_not_features(loaded, name: str, group: str) -> None:
    ds = loaded[(name, group)]
    for col in group.split(INTERSECT):
        leaked = [f for f in ds.feature_names if f == col or f.startswith(f"{col}=")]
        assert not leaked, leaked
        assert col in ds.raw.columns


@pytest.mark.parametrize(("name", "group"), CASES)
def test_raw_rows_read_as_words(loaded, name: str, group: str) -> None:
    ds = loaded[(name, group)]
    for col in group.split(INTERSECT):
        assert not pd.api.types.is_numeric_dtype(ds.raw[col]), col
    assert all("," not in g for g in ds.groups)


def test_intersectional_labels(loaded) -> None:
    groups = set(loaded[("adult", "sex+race")].groups)
    assert {"Female+White", "Male+Black", "Female+Asian or Pacific Islander"} <= groups
    assert "Female+Under 25" in loaded[("german", "sex+age")].groups
    assert "Black+Female" in loaded[("compas", "race+sex")].groups
    for (_, group), ds in loaded.items():
        parts = len(group.split(INTERSECT))
        assert all(len(g.split(INTERSECT)) == parts for g in ds.groups)


def test_group_words(loaded) -> None:
    assert set(loaded[("adult", "sex")].groups) == {"Female", "Male"}
    assert set(loaded[("compas", "race")].groups) == {"Black", "White", "Hispanic", "Other"}
    assert set(loaded[("german", "age")].groups) == {"Under 25", "25 and over"}
    assert set(loaded[("law", "race")].groups) == {
        "White",
        "Black",
        "Asian",
        "Hispanic",
        "Mexican",
        "Other",
    }
    assert set(loaded[("credit_default", "sex")].groups) == {"Female", "Male"}


def test_positive_class_is_as_documented(loaded) -> None:
    adult = loaded[("adult", "sex")]
    assert (adult.y == (adult.raw["income"] == ">50K")).all()
    credit = loaded[("credit_default", "sex")]
    assert (credit.y == (credit.raw["default_next_month"] == "no")).all()
    german = loaded[("german", "sex")]
    assert (german.y == (german.raw["credit"] == "good")).all()
    law = loaded[("law", "race")]
    assert (law.y == (law.raw["passed_bar"] == "yes")).all()


def test_compas_has_no_identifiers(loaded) -> None:
    stored = set(real.read_data("compas").columns)
    assert not stored & IDENTIFIERS
    assert not any("date" in c or "jail" in c or "custody" in c for c in stored)
    for group in ("race", "sex", "race+sex"):
        assert not set(loaded[("compas", group)].raw.columns) & IDENTIFIERS


def test_compas_filter() -> None:
    stored = real.read_data("compas")
    assert int(stored["propublica_filter"].sum()) == DEFAULT_ROWS["compas"]
    everyone = real.compas(propublica_filter=False)
    assert everyone.n_samples == SOURCE_TABLE["compas"]["rows"]
    assert "propublica_filter" not in everyone.raw.columns
    assert "decile_score" not in real.compas().feature_names
    assert "decile_score" in real.compas(use_compas_score=True).feature_names


def test_german_hides_exact_encodings_of_the_group(loaded) -> None:
    by_sex = loaded[("german", "sex")].feature_names
    assert not any(f.startswith("marital_status") for f in by_sex)
    assert "age_years" in by_sex
    by_age = loaded[("german", "age")].feature_names
    assert "age_years" not in by_age
    assert any(f.startswith("marital_status=") for f in by_age)


def test_other_sensitive_attributes_stay_features(loaded) -> None:
    assert any(f.startswith("race=") for f in loaded[("adult", "sex")].feature_names)
    assert any(f.startswith("sex=") for f in loaded[("law", "race")].feature_names)


def test_load_by_spec() -> None:
    ds = load("adult:group=sex+race")
    assert ds.group_attribute == "sex+race"
    with pytest.raises(ValueError, match="allowed"):
        load("adult:group=age")


def test_concurrent_first_loads_of_one_dataset_load_it_once(monkeypatch):
    """A class opening a cold server at once must not parse the data once per student."""
    import dataclasses
    import threading
    import time as _time

    from datasets import base

    base._ensure_loaders()
    calls = []
    entry = base.DATASETS["two_groups"]

    def slow(**kw):
        calls.append(1)
        _time.sleep(0.3)
        return entry.func(**kw)

    monkeypatch.setitem(base.DATASETS._entries, "two_groups", dataclasses.replace(entry, func=slow))
    spec = "two_groups:n_samples=123"
    base.LOADED.clear()
    out = []
    threads = [threading.Thread(target=lambda: out.append(base.load(spec))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1 and len(out) == 8 and all(o is out[0] for o in out)
    base.LOADED.clear()


#: Whether each built-in data set's positive label is good for the person.
FAVOURABLE = {
    "two_groups": True,
    "clusters": True,
    "adult": True,
    "compas": False,
    "german": True,
    "law": True,
    "credit_default": True,
    "digits": True,
    "job_text": True,
}


def test_every_built_in_dataset_says_whether_its_positive_is_favourable() -> None:
    built_in = {name for name, entry in DATASETS.items() if not entry.extra.get("upload")}
    assert built_in == set(FAVOURABLE), "a new data set must declare positive_favourable here"
    for name, expected in FAVOURABLE.items():
        ds = load(name)
        assert ds.positive_favourable is expected, name
        assert ds.positive_label not in ("", "positive"), name
    assert load("compas").positive_favourable is False


def test_positive_favourable_holds_for_every_group_choice(loaded) -> None:
    for (name, _), ds in loaded.items():
        assert ds.positive_favourable is FAVOURABLE[name]


def test_positive_favourable_must_be_a_bool() -> None:
    ds = load("two_groups:n_samples=200")
    with pytest.raises(ValueError, match="positive_favourable"):
        replace(ds, positive_favourable="no")
