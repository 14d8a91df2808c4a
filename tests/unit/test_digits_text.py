"""Tests of the ``digits`` and ``job_text`` datasets."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score

from datasets.base import DATASETS, load
from datasets.digits import GROUP_CHOICES, TASKS
from datasets.text import MEN_NAMES, WOMEN_NAMES, job_text

# ----------------------------------------------------------------------------- digits


@pytest.mark.parametrize("task", sorted(TASKS))
@pytest.mark.parametrize("group", GROUP_CHOICES)
def test_digits_loads_with_every_choice(task: str, group: str) -> None:
    ds = load(f"digits:task={task},group={group}")
    n = 1797
    assert ds.X.shape == (n, 64)
    assert ds.X.min() >= 0.0 and ds.X.max() <= 1.0
    assert ds.modality == "image"
    assert ds.group_attribute == group
    assert isinstance(ds.raw, np.ndarray) and ds.raw.shape == (n, 8, 8)
    np.testing.assert_array_equal(ds.raw.reshape(n, -1), ds.X)
    assert ds.embedding is not None and ds.embedding.shape == (n, 2)
    expected = 4 if "+" in group else 2
    assert len(ds.groups) == expected
    for g in ds.groups:
        assert set(np.unique(ds.y[ds.group == g]).tolist()) == {0, 1}, g


def test_digits_labels_follow_the_task() -> None:
    digit = load_digits().target
    np.testing.assert_array_equal(load("digits:task=even").y, (digit % 2 == 0).astype(int))
    np.testing.assert_array_equal(load("digits:task=high").y, (digit >= 5).astype(int))


def _slant_by_loops(image: np.ndarray) -> float:
    """Weighted shear of one image, written out plainly as an independent check."""
    total = mx = my = 0.0
    for r in range(8):
        for c in range(8):
            w = float(image[r, c])
            total += w
            mx += w * c
            my += w * (7 - r)
    mx, my = mx / total, my / total
    cov = var_y = 0.0
    for r in range(8):
        for c in range(8):
            w = float(image[r, c])
            cov += w * (c - mx) * ((7 - r) - my)
            var_y += w * ((7 - r) - my) ** 2
    return cov / var_y


def test_digits_group_matches_a_direct_recomputation() -> None:
    images = load_digits().images
    median_ink = float(np.median(images.sum(axis=(1, 2))))
    ds = load("digits:group=thickness+slant")
    checked = {"thick": 0, "thin": 0, "right-slant": 0, "left-slant": 0}
    for i in (0, 1, 2, 7, 100, 555, 1000, 1500, 1796):
        thick = "thick" if images[i].sum() > median_ink else "thin"
        lean = "right-slant" if _slant_by_loops(images[i]) > 0 else "left-slant"
        assert ds.group[i] == f"{thick}+{lean}", i
        checked[thick] += 1
        checked[lean] += 1
        assert ds.notes["slant"][i] == pytest.approx(_slant_by_loops(images[i]))
    # The sample above exercises both sides of both splits.
    assert all(v > 0 for v in checked.values()), checked


def test_digits_intersection_is_the_join_of_the_single_attributes() -> None:
    joint = load("digits:group=thickness+slant").group
    thick = load("digits:group=thickness").group
    lean = load("digits:group=slant").group
    np.testing.assert_array_equal(joint, np.char.add(np.char.add(thick, "+"), lean))


def test_digits_slant_sign_on_drawn_strokes() -> None:
    from datasets.digits import slant

    forward = np.eye(8)[::-1]  # ink from bottom-left to top-right: "/"
    backward = np.eye(8)  # ink from top-left to bottom-right: "\"
    upright = np.zeros((8, 8))
    upright[:, 3] = 1.0
    values = slant(np.stack([forward, backward, upright]))
    assert values[0] > 0 and values[1] < 0 and values[2] == pytest.approx(0.0)


# ------------------------------------------------------------------------- job_text


def test_job_text_is_registered_with_its_parameters() -> None:
    names = [p.name for p in DATASETS["job_text"].params]
    assert names == ["n_samples", "minority_fraction", "style_gap", "blind", "seed"]


def test_job_text_shapes_and_raw() -> None:
    ds = load("job_text:n_samples=1000,minority_fraction=0.25")
    assert ds.X.dtype == np.float64 and ds.X.ndim == 2 and ds.X.shape[0] == 1000
    assert ds.X.shape[1] == len(ds.feature_names) <= 500
    assert ds.modality == "text"
    assert ds.group_counts() == {"women": 250, "men": 750}
    assert list(ds.raw.columns[:3]) == ["text", "name", "gender"]
    np.testing.assert_array_equal(ds.raw["gender"].to_numpy(), ds.group)
    np.testing.assert_array_equal(ds.raw["label"].to_numpy(), ds.y)
    assert ds.embedding is not None and ds.embedding.shape == (1000, 2)
    # Rows are L2-normalised TF-IDF vectors.
    np.testing.assert_allclose(np.linalg.norm(ds.X, axis=1), 1.0)
    for g in ds.groups:
        assert set(np.unique(ds.y[ds.group == g]).tolist()) == {0, 1}, g


def test_job_text_names_are_tokens_unless_blind() -> None:
    ds = load("job_text:n_samples=2000")
    names = {s.lower() for s in WOMEN_NAMES + MEN_NAMES}
    assert names <= set(ds.feature_names)
    assert set(ds.notes["name_tokens"]) == names
    for text, name in zip(ds.raw["text"][:50], ds.raw["name"][:50], strict=True):
        assert text.startswith(name + " ")
    blind = load("job_text:n_samples=2000,blind=true")
    assert not names & set(blind.feature_names)
    assert blind.notes["name_tokens"] == ()
    assert all(t.startswith("The applicant ") for t in blind.raw["text"])


def test_job_text_is_deterministic_per_seed_and_differs_across_seeds() -> None:
    # Call the loader itself, bypassing the cache in ``load``.
    a = job_text(n_samples=500, style_gap=0.3, seed=7)
    b = job_text(n_samples=500, style_gap=0.3, seed=7)
    c = job_text(n_samples=500, style_gap=0.3, seed=8)
    assert a.raw["text"].tolist() == b.raw["text"].tolist()
    np.testing.assert_array_equal(a.X, b.X)
    np.testing.assert_array_equal(a.y, b.y)
    np.testing.assert_array_equal(a.group, b.group)
    same = np.mean(a.raw["text"].to_numpy() == c.raw["text"].to_numpy())
    assert same < 0.05


@pytest.mark.parametrize("style_gap", [0.0, 1.0])
def test_job_text_label_rate_does_not_depend_on_group(style_gap: float) -> None:
    """Positive rates of the two groups agree within a two-sample binomial bound.

    By construction the label depends only on content drawn identically for
    both groups, so under that null hypothesis the difference of the two
    sample rates has standard deviation ``sqrt(p (1 - p) (1/n_w + 1/n_m))``.
    Four standard deviations is a two-sided false alarm probability of about
    6e-5 (normal approximation, fine at these sizes); at this size the bound is
    about 0.028, so a real gap of that order would not pass.
    """
    ds = load(f"job_text:n_samples=20000,minority_fraction=0.5,style_gap={style_gap}")
    women, men = ds.y[ds.group == "women"], ds.y[ds.group == "men"]
    p = ds.y.mean()
    sd = math.sqrt(p * (1 - p) * (1 / len(women) + 1 / len(men)))
    assert abs(women.mean() - men.mean()) <= 4 * sd


def test_job_text_label_follows_the_content_rule() -> None:
    # score = 0.3 years + in-demand skills + 1.5 led; qualified if score plus
    # Logistic(0, 0.5) noise > 3.5. Strong rows score >= 6.5 (noise would need
    # < -3, probability ~0.0025); weak rows score <= 0.6 (noise > 2.9, ~0.003).
    ds = load("job_text:n_samples=20000")
    raw = ds.raw
    strong = (raw["years"] >= 10) & (raw["in_demand_skills"] >= 2) & (raw["team_size"] > 0)
    weak = (raw["years"] <= 2) & (raw["in_demand_skills"] == 0) & (raw["team_size"] == 0)
    assert raw.loc[strong, "label"].mean() > 0.95
    assert raw.loc[weak, "label"].mean() < 0.05


def _group_auc(ds, drop_names: bool) -> float:
    keep = [i for i, f in enumerate(ds.feature_names) if f not in ds.notes["name_tokens"]]
    X = ds.X[:, keep] if drop_names else ds.X
    target = (ds.group == "women").astype(int)
    model = LogisticRegression(max_iter=2000)
    return float(cross_val_score(model, X, target, cv=3, scoring="roc_auc").mean())


def test_style_gap_makes_the_group_learnable_without_names() -> None:
    base = "job_text:n_samples=3000,minority_fraction=0.3,blind=true"
    none = _group_auc(load(f"{base},style_gap=0"), drop_names=False)
    some = _group_auc(load(f"{base},style_gap=0.6"), drop_names=False)
    # Without names or style gap nothing in the text tells the groups apart.
    assert none < 0.6
    # At gap 0.6 the alternate wording has probability 0.8 for women and 0.2
    # for men; a score that only sees the style then has AUC (0.8 + 0.8) / 2
    # = 0.8, against 0.5 at gap 0. Require half of that 0.3 difference.
    assert some > none + 0.15


def test_dropping_name_columns_is_not_blind() -> None:
    # Documented in datasets/text.py: the L2 norm of each row still carries
    # the (group-dependent) IDF of the dropped name, so a trace remains.
    base = "job_text:n_samples=3000,minority_fraction=0.3"
    named_none = _group_auc(load(f"{base},style_gap=0"), drop_names=True)
    named_some = _group_auc(load(f"{base},style_gap=0.6"), drop_names=True)
    blind_none = _group_auc(load(f"{base},style_gap=0,blind=true"), drop_names=False)
    assert named_none > blind_none
    assert named_some > named_none


def test_names_alone_reveal_the_group() -> None:
    ds = load("job_text:n_samples=3000,style_gap=0")
    assert _group_auc(ds, drop_names=False) > 0.99
