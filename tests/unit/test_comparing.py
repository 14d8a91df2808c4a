"""The Compare page's summary table: mean (min-max) over seeds, who was queried first."""

from __future__ import annotations

import pytest

from components.config import RunConfig
from components.trace import trace_run
from dashboard.comparing import summary_table

BASE = {
    "dataset": "two_groups:n_samples=500",
    "scenarios": ["label_bias:group=minority,flip=0.5"],
    "batch_size": 8,
    "rounds": 4,
}


def traces(strategy: str, seeds=(0, 1)):
    return [
        trace_run(RunConfig.from_dict({**BASE, "strategy": strategy, "seed": s}).resolve())
        for s in seeds
    ]


@pytest.fixture(scope="module")
def runs():
    return {"random": traces("random"), "least_confidence": traces("least_confidence")}


def test_summary_puts_each_groups_query_share_first_with_its_pool_share(runs):
    table = summary_table(runs)
    assert list(table["strategy"]) == ["random", "least_confidence"]
    assert list(table["seeds"]) == [2, 2]
    share_cols = [c for c in table.columns if "share of queries" in c]
    assert list(table.columns[2 : 2 + len(share_cols)]) == share_cols  # right after the seeds
    groups = runs["random"][0].frames["groups"]
    last = groups[groups["round"] == groups["round"].max()]
    assert len(share_cols) == len(last) == 2
    for g in last["group"]:
        assert any(c.startswith(f"{g}: share of queries (pool ") for c in share_cols)


def test_summary_numbers_are_the_mean_and_range_over_seeds(runs):
    table = summary_table(runs).set_index("strategy")
    acc = [t.frames["rounds"]["accuracy"].iloc[-1] for t in runs["least_confidence"]]
    want = f"{sum(acc) / 2:.3f} ({min(acc):.3f}-{max(acc):.3f})"
    assert table.loc["least_confidence", "accuracy (truth)"] == want
    g = runs["least_confidence"][0].frames["groups"]["group"].iloc[0]
    col = next(c for c in table.columns if c.startswith(f"{g}: share"))
    shares = []
    for t in runs["least_confidence"]:
        f = t.frames["groups"]
        shares.append(
            f[(f["round"] == f["round"].max()) & (f["group"] == g)]["query_share_cum"].item()
        )
    assert table.loc["least_confidence", col].startswith(f"{sum(shares) / 2:.0%} (")


def test_one_seed_shows_no_range():
    table = summary_table({"random": traces("random", seeds=(3,))})
    assert "(" not in table["accuracy (truth)"].item()


def test_a_measure_undefined_in_every_seed_shows_a_dash_not_nan():
    import numpy as np

    (t,) = traces("random", seeds=(5,))
    t.frames["rounds"].loc[:, "eo_difference"] = np.nan
    assert summary_table({"random": [t]})["EO gap"].item() == "—"
