"""Bias scenarios: each builds or changes one part of the run's environment.

A scenario's entry says what it ``acts_on``, and its signature follows:

- the data (``pool``, ``test_features``, ``test_labels``): a pure transform
  ``(split, *, rng, **params) -> split``. Only measurement noise and label bias
  reach the test set, because they change how data is measured or recorded;
  the test set's truth is never touched;
- the ``annotator``: ``(annotator, *, split, rng, **params) -> annotator``, a
  wrapper around who answers queries;
- the ``seed_set``: ``(sampler, *, split, rng, **params) -> sampler``.

They compose in order (:func:`apply_scenarios`). ``group`` names the target
group; ``RunConfig.resolve`` fills in the smallest group when it is left out,
and every description says so.
"""

from __future__ import annotations

import numpy as np

from components.environment import (
    ANNOTATOR,
    POOL,
    SEED_SET,
    TEST_FEATURES,
    TEST_LABELS,
    Annotator,
    BiasedAnnotator,
    GroupShareSeed,
    SeedSampler,
)
from components.scenario_registry import (  # noqa: F401 -- callers import these from here
    DEFAULT_TARGET,
    GROUP,
    LABEL_DIRECTIONS,
    MSG_DIRECTION,
    MSG_EMPTY_POOL,
    MSG_NO_GROUP,
    SCENARIOS,
    SURESH,
    ScenarioEntry,
    apply_scenarios,
    exact_subset,
    target_code,
)
from components.split import Split
from specs import Param, UserInputError


@SCENARIOS.register(
    "none", label="No added bias", description="No bias added: the data as it comes.", acts_on=()
)
def none(split: Split, *, rng: np.random.Generator) -> Split:
    return split


@SCENARIOS.register(
    "underrepresentation",
    label="Under-representation",
    params=(
        GROUP,
        Param("keep", "float", 0.2, "Fraction of the group's pool rows kept.", low=0.0, high=1.0),
    ),
    description=(
        f"Keep only a fraction of one group in the pool (representation bias). {DEFAULT_TARGET}"
    ),
    citation=SURESH,
    formula="pool_g <- random keep * |pool_g| rows of pool_g",
    acts_on=(POOL,),
)
def underrepresentation(
    split: Split, *, rng: np.random.Generator, group: str, keep: float = 0.2
) -> Split:
    g = target_code(split, group, "underrepresentation")
    rows = np.flatnonzero(split.g_pool == g)
    kept = exact_subset(rows, keep, rng)
    if len(kept) == 0:
        raise UserInputError(MSG_EMPTY_POOL.format(name="underrepresentation", left=0, group=group))
    mask = split.g_pool != g
    mask[kept] = True
    return split.subset_pool(np.flatnonzero(mask))


@SCENARIOS.register(
    "label_bias",
    label="Label bias",
    params=(
        GROUP,
        Param(
            "flip",
            "float",
            0.4,
            "Fraction of the group's rows recorded with the wrong label: of its positives "
            "under direction down, of its negatives under direction up.",
            low=0.0,
            high=1.0,
        ),
        Param(
            "direction",
            "str",
            "down",
            "down: some of the group's positives are recorded as negative (under-recording, "
            "as when a condition goes undiagnosed); up: some of its negatives are recorded "
            "as positive (over-recording, as in re-arrest data where the positive is the "
            "unfavourable outcome and one group is policed more).",
            choices=LABEL_DIRECTIONS,
        ),
    ),
    description=(
        "One group's labels are recorded wrongly, in the pool and in the test set's "
        "observed labels; the truth is kept. By default (down) a fraction of its positives "
        "are recorded as negative; with up, a fraction of its negatives are recorded as "
        f"positive. {DEFAULT_TARGET}"
    ),
    citation=(
        "Blum, A. & Stangl, K. (2020). Recovering from biased data: can fairness constraints "
        "improve accuracy? FORC. Jiang, H. & Nachum, O. (2020). Identifying and correcting "
        "label bias in machine learning. AISTATS. Over-recording: Lum, K. & Isaac, W. (2016). "
        "To predict and serve? Significance 13(5)."
    ),
    formula=(
        "down: y_obs = 0 for round(flip * |positives_g|) random positives of g; "
        "up: y_obs = 1 for round(flip * |negatives_g|) random negatives of g"
    ),
    acts_on=(POOL, TEST_LABELS),
)
def label_bias(
    split: Split,
    *,
    rng: np.random.Generator,
    group: str,
    flip: float = 0.4,
    direction: str = "down",
) -> Split:
    g = target_code(split, group, "label_bias")
    if direction not in LABEL_DIRECTIONS:
        raise UserInputError(MSG_DIRECTION.format(value=direction))
    source = 1 if direction == "down" else 0  # the recorded label that gets flipped
    y_pool_obs = split.y_pool_obs.copy()
    y_test_obs = split.y_test_obs.copy()
    for y_obs, gg in ((y_pool_obs, split.g_pool), (y_test_obs, split.g_test)):
        rows = np.flatnonzero((gg == g) & (y_obs == source))
        y_obs[exact_subset(rows, flip, rng)] = 1 - source
    return split.evolve(y_pool_obs=y_pool_obs, y_test_obs=y_test_obs)


@SCENARIOS.register(
    "measurement_noise",
    label="Measurement noise",
    params=(
        GROUP,
        Param(
            "sigma",
            "float",
            1.0,
            "Noise standard deviation, in units of each feature's standard deviation.",
            low=0.0,
            high=10.0,
        ),
    ),
    description=(
        "Gaussian noise on one group's features, in pool and test: the model becomes "
        f"uncertain about the group for no reason of the group's own. {DEFAULT_TARGET}"
    ),
    citation=SURESH + " (measurement bias)",
    formula="x <- x + N(0, (sigma * sd_j)^2) per feature j, for rows of g",
    acts_on=(POOL, TEST_FEATURES),
)
def measurement_noise(
    split: Split, *, rng: np.random.Generator, group: str, sigma: float = 1.0
) -> Split:
    g = target_code(split, group, "measurement_noise")
    d = split.X_pool.shape[1] - split.n_group_cols
    sd = split.X_pool[:, :d].std(axis=0)
    X_pool = split.X_pool.copy()
    X_test = split.X_test.copy()
    for X, gg in ((X_pool, split.g_pool), (X_test, split.g_test)):
        rows = np.flatnonzero(gg == g)
        X[np.ix_(rows, np.arange(d))] += rng.normal(size=(len(rows), d)) * (sigma * sd)
    return split.evolve(X_pool=X_pool, X_test=X_test)


@SCENARIOS.register(
    "cold_start_skew",
    label="Skewed seed set",
    params=(
        GROUP,
        Param(
            "share",
            "float",
            0.0,
            "Share of the seed set drawn from the group (0 = none at all).",
            low=0.0,
            high=1.0,
        ),
    ),
    description=(
        "The initial labelled seed set is drawn only or mostly from the other groups, so "
        f"the first model has seen little or none of one group. {DEFAULT_TARGET}"
    ),
    citation=(
        "No single source: a seed set skewed by group is this project's construction. "
        "The cold-start problem it builds on (a seed set that misses part of the data, "
        "there a rare class) is discussed in Attenberg, J. & Provost, F. (2010). Why label "
        "when you can search? Alternatives to active learning for applying human resources "
        "to build classification models under extreme class imbalance. KDD."
    ),
    formula="seed set: round(share * initial) rows of g, the rest from other groups",
    acts_on=(SEED_SET,),
)
def cold_start_skew(
    sampler: SeedSampler,
    *,
    split: Split,
    rng: np.random.Generator,
    group: str,
    share: float = 0.0,
) -> SeedSampler:
    g = target_code(split, group, "cold_start_skew")
    base = sampler if isinstance(sampler, GroupShareSeed) else GroupShareSeed()
    return base.with_share(g, share)


@SCENARIOS.register(
    "annotator_bias",
    label="Biased annotator",
    params=(
        GROUP,
        Param(
            "rate",
            "float",
            0.3,
            "Chance that the annotator gives the wrong answer for a queried row of the "
            "group, among the rows the direction can flip: only positives under down, only "
            "negatives under up, any row under both.",
            low=0.0,
            high=1.0,
        ),
        Param(
            "direction",
            "str",
            "down",
            "down: some positives answered as negative; up: some negatives answered as "
            "positive; both: either way.",
            choices=("down", "up", "both"),
        ),
    ),
    description=(
        "The simulated annotator mislabels one group at query time. Labels already in the "
        f"data and the test set are untouched. {DEFAULT_TARGET}"
    ),
    citation=(
        "Sap, M., Card, D., Gabriel, S., Choi, Y. & Smith, N. A. (2019). The risk of racial "
        "bias in hate speech detection. ACL."
    ),
    formula="answer = flipped label with probability rate, for queried rows of g",
    acts_on=(ANNOTATOR,),
)
def annotator_bias(
    annotator: Annotator,
    *,
    split: Split,
    rng: np.random.Generator,
    group: str,
    rate: float = 0.3,
    direction: str = "down",
) -> Annotator:
    g = target_code(split, group, "annotator_bias")
    return BiasedAnnotator(
        annotator, split.g_pool, g, float(rate), direction, u=rng.random(split.n_pool)
    )


@SCENARIOS.register(
    "base_rate_shift",
    label="Base-rate shift",
    params=(
        GROUP,
        Param(
            "positive_rate",
            "float",
            0.1,
            "The group's share of true positives in the pool after the shift.",
            low=0.0,
            high=1.0,
        ),
    ),
    description=(
        "Drop positives or negatives of one group from the pool until its base rate is "
        "as asked (a sampling bias; the test set keeps the true rate). "
        f"{DEFAULT_TARGET}"
    ),
    citation=(
        "Moreno-Torres, J. G. et al. (2012). A unifying view on dataset shift in "
        "classification. Pattern Recognition 45(1) (prior probability shift)."
    ),
    formula="drop rows of g with the over-represented label until mean(y_g) = positive_rate",
    acts_on=(POOL,),
)
def base_rate_shift(
    split: Split, *, rng: np.random.Generator, group: str, positive_rate: float = 0.1
) -> Split:
    g = target_code(split, group, "base_rate_shift")
    pos = np.flatnonzero((split.g_pool == g) & (split.y_pool == 1))
    neg = np.flatnonzero((split.g_pool == g) & (split.y_pool == 0))
    r = positive_rate
    if len(pos) + len(neg) == 0:
        return split
    current = len(pos) / (len(pos) + len(neg))
    if r > current:  # too few positives: drop negatives
        n_neg = len(neg) if r == 0 else int(round(len(pos) * (1 - r) / r))
        drop = neg[rng.permutation(len(neg))[: len(neg) - n_neg]]
    else:  # too many positives: drop positives
        n_pos = int(round(len(neg) * r / (1 - r))) if r < 1 else len(pos)
        drop = pos[rng.permutation(len(pos))[: len(pos) - n_pos]]
    mask = np.ones(split.n_pool, dtype=bool)
    mask[drop] = False
    if not (mask & (split.g_pool == g)).any():
        raise UserInputError(MSG_EMPTY_POOL.format(name="base_rate_shift", left=0, group=group))
    return split.subset_pool(np.flatnonzero(mask))


@SCENARIOS.register(
    "duplicates",
    label="Duplicated rows",
    params=(
        GROUP,
        Param(
            "factor",
            "int",
            3,
            "How many copies of each of the group's rows the pool holds.",
            low=1,
            high=10,
        ),
    ),
    description=(
        "Each of one group's pool rows appears `factor` times, with the same recorded label: "
        f"removing the copies would not remove a label bias. {DEFAULT_TARGET}"
    ),
    citation=(
        "Lee, K. et al. (2022). Deduplicating training data makes language models better. ACL."
    ),
    formula="pool <- pool + (factor - 1) copies of every row of g",
    acts_on=(POOL,),
)
def duplicates(split: Split, *, rng: np.random.Generator, group: str, factor: int = 3) -> Split:
    g = target_code(split, group, "duplicates")
    if factor == 1:
        return split
    rows = np.flatnonzero(split.g_pool == g)
    extra = np.tile(rows, factor - 1)
    order = np.concatenate([np.arange(split.n_pool), extra])
    order = order[rng.permutation(len(order))]
    return split.subset_pool(order)
