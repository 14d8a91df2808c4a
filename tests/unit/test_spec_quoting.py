"""Spec values with ',' or '"' survive a round trip through text, a link and a config."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from components.config import RunConfig
from dashboard import state as S
from specs import Spec

values = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    min_size=1,
    max_size=30,
).filter(lambda s: s.strip() == s and s != "")


@given(values, values)
def test_any_value_round_trips(a, b):
    spec = Spec("label_bias", (("group", a), ("note", b)))
    assert Spec.parse(str(spec)) == spec


@pytest.mark.parametrize("text", ['x:g="abc', 'x:g="a"b', "x:a", "x:=1", "x:a=1,,b=2", "x:a=1,"])
def test_malformed_specs_are_refused(text):
    with pytest.raises(ValueError, match="is not a valid spec"):
        Spec.parse(text)


def test_a_group_with_a_comma_as_the_default_target_replays_from_its_link(tmp_path, monkeypatch):
    from datasets.upload_store import default_store

    monkeypatch.setenv("WGL_UPLOAD_DIR", str(tmp_path / "store"))
    rows = ["x,who,y"]
    for i in range(120):
        who = '"Black, non-Hispanic"' if i % 6 == 0 else "White"
        rows.append(f"{i % 11},{who},{int(i % 3 == 0)}")
    sha = default_store().save(("\n".join(rows) + "\n").encode(), owner="t")
    cfg = RunConfig.from_dict(
        {
            "dataset": f"upload:sha256={sha},label=y,group=who",
            "scenarios": ["label_bias"],
            "strategy": "random",
            "rounds": 2,
        }
    ).resolve()
    assert cfg.scenarios[0].get("group") == "Black, non-Hispanic"  # the smallest group
    query = S.config_to_query(cfg)
    assert S.config_from_query(query).resolve() == cfg
