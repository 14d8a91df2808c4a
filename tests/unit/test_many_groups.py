"""Many small groups: a cap on their number, opt-in pooling, bounded warnings, wide codes.

An upload (or any ``Dataset``) may hold at most ``MAX_GROUPS`` groups; past it
one message says so before any per-group work is done. ``pool_small`` keeps the
largest groups and pools the rest. Per-group warnings are summarised. Group
codes in a ``RunTrace`` are wide enough that no group code wraps.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import components.trace as trace_mod
import datasets.base as base
import datasets.upload as up
from components.config import RunConfig
from components.engine import Simulation
from dashboard.charts import _decoded, _encoded, trace_map_figure
from datasets.base import Dataset
from tests.unit.test_upload_catalogue import matches


def many_groups(k: int, size: int = 5, *, seed: int = 0, sizes: list[int] | None = None):
    """A frame with ``k`` groups in column ``zip`` (``size`` rows each, or ``sizes``)."""
    sizes = sizes or [size] * k
    rng = np.random.default_rng(seed)
    n = sum(sizes)
    return pd.DataFrame(
        {
            "x": rng.normal(size=n).round(3),
            "zip": np.repeat([f"z{i:05d}" for i in range(k)], sizes),
            "paid": np.where(np.arange(n) % 2 == 0, "yes", "no"),
        }
    )


SPEC = up.UploadSpec("paid", ("zip",))


# ------------------------------------------------------------------- the cap


def test_the_cap_is_one_constant_shared_by_uploads_and_datasets() -> None:
    assert base.MAX_GROUPS == up.MAX_GROUPS == 50


@pytest.mark.parametrize("call", ["preview", "validate", "dataset_from_upload"])
def test_past_the_cap_one_message_names_field_value_and_bound(call: str) -> None:
    frame = many_groups(up.MAX_GROUPS + 1, 6)
    with pytest.raises(ValueError) as info:
        if call == "dataset_from_upload":
            up.dataset_from_upload(frame, SPEC, name="f.csv", sha256="0" * 64)
        else:
            getattr(up, call)(frame, SPEC)
    message = str(info.value)
    assert matches(up.MSG_TOO_MANY_GROUPS, message), message
    for text in ("group:", "'zip'", "51 groups", "at most 50", "coarser column", "pool"):
        assert text in message, message


def test_at_the_cap_an_upload_works() -> None:
    ds = up.dataset_from_upload(many_groups(up.MAX_GROUPS, 6), SPEC, name="f.csv", sha256="0")
    assert len(ds.groups) == up.MAX_GROUPS


def test_intersections_count_against_the_cap() -> None:
    frame = many_groups(8, 8)
    frame["b"] = np.tile(np.arange(7).astype(str), len(frame) // 7 + 1)[: len(frame)]
    with pytest.raises(ValueError) as info:
        up.validate(frame, up.UploadSpec("paid", ("zip", "b")))
    assert matches(up.MSG_TOO_MANY_GROUPS, str(info.value))
    assert "'zip+b'" in str(info.value) and "56 groups" in str(info.value)


def test_forty_thousand_groups_fail_before_any_per_group_work(monkeypatch) -> None:
    """The cap is checked on the group counts: no feature is cleaned, no group warned about."""

    class Refuse(str):
        def format(self, *args: object, **kwargs: object) -> str:
            raise AssertionError("a per-group warning was built")

    def no_cleaning(*args: object, **kwargs: object) -> None:
        raise AssertionError("features were cleaned")

    import datasets.upload_groups as groups
    import datasets.upload_map as mapping

    for name in ("WARN_SMALL_GROUP", "WARN_ONE_SIDED", "WARN_GROUP_CHARS"):
        monkeypatch.setattr(groups, name, Refuse(getattr(groups, name)))
    monkeypatch.setattr(mapping, "clean_feature", no_cleaning)
    frame = many_groups(40_000, 5)
    with pytest.raises(ValueError) as info:
        up.preview(frame, SPEC)
    assert matches(up.MSG_TOO_MANY_GROUPS, str(info.value))
    assert "40,000 groups" in str(info.value)


def test_a_dataset_cannot_be_built_with_more_groups() -> None:
    n = 2 * (base.MAX_GROUPS + 1)
    kwargs = dict(
        name="wide",
        X=np.zeros((n, 1)),
        y=np.arange(n) % 2,
        feature_names=("x",),
        description="",
        modality="tabular",
        licence="",
        source="",
        group_attribute="g",
    )
    with pytest.raises(ValueError) as info:
        Dataset(group=np.arange(n) // 2, **kwargs)
    message = str(info.value)
    assert matches(base.MSG_DATASET_FIELD, message)
    assert message.startswith("dataset 'wide': group") and "51 groups" in message
    assert "at most 50" in message
    assert len(Dataset(group=np.arange(n) % base.MAX_GROUPS, **kwargs).groups) == base.MAX_GROUPS


# ------------------------------------------------------------------- pooling


def test_pooling_is_off_by_default() -> None:
    assert up.UploadSpec("paid", "zip").pool_small is False


def test_pooling_keeps_the_largest_groups_and_pools_the_rest() -> None:
    sizes = [40 - i for i in range(30)] + [6] * 90  # 120 groups, 30 of them larger
    frame = many_groups(len(sizes), sizes=sizes)
    spec = up.UploadSpec("paid", "zip", pool_small=True)
    p = up.preview(frame, spec)
    kept = up.MAX_GROUPS - 1
    assert len(p.group_sizes) == up.MAX_GROUPS
    assert set(p.group_sizes) == {up.POOLED} | {f"z{i:05d}" for i in range(kept)}
    assert p.group_sizes[up.POOLED] == 6 * (len(sizes) - kept)
    assert sum(p.group_sizes.values()) == p.n_rows == len(frame)
    pooled = [w for w in p.warnings if matches(up.WARN_POOLED, w)]
    assert len(pooled) == 1
    assert f"{len(sizes) - kept} smallest groups ({6 * (len(sizes) - kept)} rows)" in pooled[0]
    assert p.spec.pool_small is True

    ds = up.dataset_from_upload(frame, spec, name="f.csv", sha256="0")
    assert len(ds.groups) == up.MAX_GROUPS and ds.group_counts() == p.group_sizes
    assert ds.group_attribute == "zip" and ds.X.shape == (len(frame), 1)
    assert list(ds.raw["zip"]) == list(frame["zip"])  # the rows as read, not renamed


def test_forty_thousand_groups_pool_when_asked() -> None:
    frame = many_groups(40_000, 5)
    p = up.preview(frame, up.UploadSpec("paid", "zip", pool_small=True))
    assert len(p.group_sizes) == up.MAX_GROUPS
    assert p.group_sizes[up.POOLED] == 5 * (40_000 - up.MAX_GROUPS + 1)
    assert any(matches(up.WARN_POOLED, w) and "39,951 smallest groups" in w for w in p.warnings)


def test_the_pooled_name_never_collides_with_a_group() -> None:
    sizes = [31] + [30] * 58 + [29]
    frame = many_groups(60, sizes=sizes)
    frame.loc[frame["zip"] == "z00000", "zip"] = up.POOLED  # a kept group with that name
    frame.loc[frame["zip"] == "z00059", "zip"] = f"{up.POOLED} (2)"  # and a pooled one
    p = up.preview(frame, up.UploadSpec("paid", "zip", pool_small=True))
    pooled = [g for g in p.group_sizes if g not in set(frame["zip"])]
    assert len(pooled) == 1 and pooled[0].startswith(up.POOLED)
    assert p.group_sizes[up.POOLED] == 31
    assert p.group_sizes[pooled[0]] == 30 * 10 + 29
    assert any(repr(pooled[0]) in w for w in p.warnings if matches(up.WARN_POOLED, w))


def test_pooling_intersections_builds_the_dataset() -> None:
    frame = many_groups(20, 18)  # x 3 values of b: 60 groups of 6 rows
    frame["b"] = np.tile(["u", "v", "w"], len(frame) // 3)
    ds = up.dataset_from_upload(
        frame, up.UploadSpec("paid", "zip+b", pool_small=True), name="f.csv", sha256="0"
    )
    assert len(ds.groups) == up.MAX_GROUPS and ds.group_attribute == "zip+b"
    assert sum(ds.group_counts().values()) == len(frame)
    assert {"zip", "b"} <= set(ds.raw.columns) and "b" not in ds.feature_names


def test_pooling_does_nothing_within_the_cap() -> None:
    frame = many_groups(10, 6)
    plain = up.preview(frame, SPEC)
    pooled = up.preview(frame, up.UploadSpec("paid", "zip", pool_small=True))
    assert pooled.group_sizes == plain.group_sizes and pooled.warnings == plain.warnings


# ------------------------------------------------------------------- warnings


def test_per_group_warnings_are_summarised() -> None:
    k = 20
    frame = many_groups(k, 10)
    frame["zip"] = frame["zip"] + ",x"  # every group also has a reserved character
    frame.loc[frame["zip"] < "z00012", "paid"] = "yes"  # 12 groups without negatives
    p = up.preview(frame, SPEC)
    shown = up.MAX_GROUP_WARNINGS - 1
    for each, more, n in (
        (up.WARN_SMALL_GROUP, up.WARN_MORE_SMALL, k),
        (up.WARN_ONE_SIDED, up.WARN_MORE_ONE_SIDED, 12),
        (up.WARN_GROUP_CHARS, up.WARN_MORE_GROUP_CHARS, k),
    ):
        lines = [w for w in p.warnings if matches(each, w)]
        summary = [w for w in p.warnings if matches(more, w)]
        assert len(lines) == shown, lines
        assert len(summary) == 1 and f"and {n - shown} more groups" in summary[0], summary
    assert "have fewer than 30 rows" in next(
        w for w in p.warnings if matches(up.WARN_MORE_SMALL, w)
    )
    assert len(p.warnings) == 3 * up.MAX_GROUP_WARNINGS


def test_a_few_group_warnings_are_all_shown() -> None:
    frame = many_groups(up.MAX_GROUP_WARNINGS, 10)
    p = up.preview(frame, SPEC)
    assert len([w for w in p.warnings if matches(up.WARN_SMALL_GROUP, w)]) == up.MAX_GROUP_WARNINGS
    assert not [w for w in p.warnings if matches(up.WARN_MORE_SMALL, w)]


# ------------------------------------------------------------------- group codes


def grouped_dataset(k: int, size: int) -> Dataset:
    rng = np.random.default_rng(1)
    n = k * size
    return Dataset(
        name="many",
        X=rng.normal(size=(n, 2)),
        y=np.arange(n) % 2,
        group=np.repeat([f"g{i:03d}" for i in range(k)], size),
        feature_names=("x1", "x2"),
        description="",
        modality="tabular",
        licence="",
        source="",
        group_attribute="g",
    )


@pytest.mark.parametrize("past_cap", [False, True], ids=["at the cap", "200 groups"])
def test_every_group_code_round_trips_through_a_trace(monkeypatch, past_cap: bool) -> None:
    k = 200 if past_cap else base.MAX_GROUPS
    if past_cap:  # more groups than a Dataset may hold: lift the cap for this test
        monkeypatch.setattr(base, "MAX_GROUPS", k, raising=False)
    ds = grouped_dataset(k, 10)
    monkeypatch.setattr(trace_mod, "Simulation", lambda cfg: Simulation(cfg, dataset=ds))
    cfg = RunConfig.from_dict(
        {"dataset": "two_groups", "strategy": "random", "initial_size": 20, "batch_size": 5}
        | {"rounds": 2}
    )
    trace = trace_mod.trace_run(cfg)
    assert len(trace.groups) == k
    assert trace.g_pool.min() >= 0 and trace.g_pool.max() == k - 1
    names = np.asarray(trace.groups)[trace.g_pool]
    assert (names == ds.group[trace.idx_pool]).all()
    counts = pd.Series(ds.group[trace.idx_pool]).value_counts()
    assert all(int((trace.g_pool == c).sum()) == counts[g] for c, g in enumerate(trace.groups))
    chart = _decoded(trace_map_figure(trace, trace.last_round, limit=len(trace.xy)).to_dict())
    drawn = sum(len(t["x"]) for t in chart["data"] if t["type"] == "scattergl")
    assert drawn == len(trace.xy)
    assert (_decoded(_encoded(trace.g_pool)) == trace.g_pool).all()


def test_group_code_dtype_fits_the_count() -> None:
    for k in (2, 127, 128, 200, 40_000):
        dtype = trace_mod.group_code_dtype(k)
        assert np.iinfo(dtype).max >= k - 1
        codes = np.arange(k).astype(dtype)
        assert (_decoded(_encoded(codes)) == np.arange(k)).all()


def _twelve_groups_frame(r: int = 3):
    import pandas as pd

    names = [f"group {k:02d}" for k in range(12)]
    return pd.DataFrame(
        {
            "round": [r] * 12,
            "group": names,
            "pool_share": [1 / 12] * 12,
            "query_share_cum": [k / 66 for k in range(12)],
            "queried_cum": [k * 10 for k in range(12)],
            "queried": [k % 3 for k in range(12)],
            "accuracy": [0.5 + k / 30 for k in range(12)],
            "accuracy_observed": [0.5 + k / 30 for k in range(12)],
            "uncertainty_bias": [(k - 6) / 10 for k in range(12)],
        }
    )


def test_captions_for_twelve_groups_name_the_extremes_and_keep_the_rest_one_click_away() -> None:
    from dashboard import captions as C
    from dashboard import rate_captions as RC

    g = _twelve_groups_frame()
    for caption in (
        C.ledger_caption(g, 3),
        C.accuracy_caption(g, 3),
        RC.uncertainty_caption(g, 3),
    ):
        head, sep, rest = caption.partition(C.REST)
        assert sep, caption
        named = [f"group {k:02d}" for k in range(12) if f"group {k:02d}" in head]
        assert named == ["group 00", "group 01", "group 10", "group 11"], head
        assert all(f"group {k:02d}" in rest for k in range(12))
    ledger = C.ledger_caption(g, 3).partition(C.REST)[0]
    assert ledger.index("group 11") < ledger.index("group 00")  # furthest above first
    assert ledger.startswith("Furthest above their share")
    assert "none of group 00, group 03, group 06, group 09" in C.composition_caption(g, 3)


def test_the_ledger_names_clear_departures_before_a_tiny_groups_noisy_ratio() -> None:
    import pandas as pd

    from dashboard import captions as C

    names = [f"g{k}" for k in range(6)]
    pool = [0.55, 0.25, 0.1, 0.05, 0.03, 0.02]
    query = [0.74, 0.10, 0.09, 0.04, 0.0, 0.03]  # g5: 1.5x its share, g0: 1.35x
    g = pd.DataFrame(
        {
            "round": 3,
            "group": names,
            "pool_share": pool,
            "query_share_cum": query,
            "queried_cum": [q * 300 for q in query],
        }
    )
    head = C.ledger_caption(g, 3).partition(C.REST)[0]
    above, below = head.split("Furthest below their share")
    assert above.index("g0") < above.index("g5")  # 74% vs 55% leads, not 3% vs 2%
    assert below.index("g1") < below.index("g4")  # 10% vs 25% of 300 is the clearest gap


def test_captions_for_two_groups_list_both_inline() -> None:
    from dashboard import captions as C

    g = _twelve_groups_frame().iloc[[0, 11]]
    assert C.REST not in C.ledger_caption(g, 3)
    assert "group 00" in C.ledger_caption(g, 3) and "group 11" in C.ledger_caption(g, 3)
