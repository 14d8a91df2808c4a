"""The environment apart from the loop: annotators, the seed sampler, and the random streams."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from scipy.stats import binom

from components.config import RunConfig
from components.engine import STREAMS, Simulation
from components.environment import (
    MSG_SEED_GROUP,
    Annotator,
    BiasedAnnotator,
    Environment,
    GivenLabels,
    GroupShareSeed,
    RecordedLabels,
    SeedSampler,
    UniformSeed,
)
from components.loop import MSG_LABELS
from components.scenarios import apply_scenarios
from components.split import Split, make_split
from datasets.base import load
from specs import UserInputError

DATA = "two_groups:n_samples=600"
ALPHA = 1e-9


def config(**changes: Any) -> RunConfig:
    base: dict[str, Any] = {
        "dataset": DATA,
        "strategy": "least_confidence",
        "initial_size": 20,
        "batch_size": 10,
        "rounds": 4,
    }
    base.update(changes)
    return RunConfig.from_dict(base)


def split_of(n: int = 600, seed: int = 0) -> Split:
    ds = load(f"two_groups:n_samples={n}")
    return make_split(ds, test_size=0.25, rng=np.random.default_rng(seed))


# ----------------------------------------------------------------------------- annotators


class Contrary:
    """An annotator who answers the opposite of the recorded label, and keeps a log."""

    def __init__(self, env: Environment) -> None:
        self.y = env.split.y_pool_obs
        self.asked: list[np.ndarray] = []

    def answer(self, positions: np.ndarray) -> np.ndarray:
        self.asked.append(np.array(positions))
        return 1 - self.y[positions]


def test_the_parts_follow_their_protocols() -> None:
    split = split_of()
    env = Environment.plain(split)
    assert isinstance(env.annotator, Annotator) and isinstance(env.annotator, RecordedLabels)
    assert isinstance(env.seed_sampler, SeedSampler) and isinstance(env.seed_sampler, UniformSeed)
    assert isinstance(GivenLabels(np.array([1]), np.array([0])), Annotator)
    assert isinstance(GroupShareSeed(), SeedSampler)


def test_an_annotator_of_ones_own_drives_the_loop() -> None:
    seats: list[Contrary] = []

    def seat(env: Environment) -> Contrary:
        seats.append(Contrary(env))
        return seats[-1]

    sim = Simulation(config(), annotator=seat)
    q = sim.run().frames()["queries"]
    (contrary,) = seats
    # it was asked about the seed set and then every batch, in order, and nothing else
    asked = np.concatenate(contrary.asked)
    np.testing.assert_array_equal(asked, q["position"])
    assert [len(a) for a in contrary.asked] == [20, 10, 10, 10, 10]
    # its answers are what the run recorded and learnt from
    np.testing.assert_array_equal(q["label_observed"], 1 - sim.split.y_pool_obs[q["position"]])
    lab = np.concatenate(sim.order)
    np.testing.assert_array_equal(sim._context().labeled_y, 1 - sim.split.y_pool_obs[lab])
    # the data and the true labels are the environment's own
    plain = Simulation(config())
    np.testing.assert_array_equal(sim.split.y_pool_obs, plain.split.y_pool_obs)
    np.testing.assert_array_equal(q["label_true"], sim.split.y_pool[q["position"]])


def test_given_labels_answer_a_human_batch() -> None:
    sim = Simulation(config())
    positions = sim.propose()
    answers = np.arange(len(positions)) % 2
    rec = sim.step(answers, positions=positions)
    np.testing.assert_array_equal(rec.label_observed, answers)
    assert (
        GivenLabels(positions, answers).answer(positions[::-1]).tolist() == answers[::-1].tolist()
    )
    with pytest.raises(KeyError, match="no answer was given for pool position -1"):
        GivenLabels(positions, answers).answer(np.array([-1]))


def test_an_annotator_that_answers_out_of_bounds_is_a_clear_error() -> None:
    class Twos:
        def answer(self, positions: np.ndarray) -> np.ndarray:
            return np.full(len(positions), 2)

    with pytest.raises(UserInputError) as info:
        Simulation(config(), annotator=lambda env: Twos())
    assert str(info.value) == MSG_LABELS.format(got=20, want=20)


@pytest.mark.parametrize("direction", ["down", "up", "both"])
@pytest.mark.parametrize("rate", [0.0, 0.2, 0.6, 1.0])
def test_the_biased_annotator_flips_its_group_at_its_rate(direction: str, rate: float) -> None:
    n = 20_000
    rng = np.random.default_rng(7)
    y = rng.integers(0, 2, size=n)
    group = rng.integers(0, 2, size=n)
    biased = BiasedAnnotator(
        RecordedLabels(y), group, 1, rate, direction, u=np.random.default_rng(8).random(n)
    )
    positions = rng.permutation(n)
    got = biased.answer(positions)
    truth, g = y[positions], group[positions]
    flipped = got != truth
    assert not flipped[g == 0].any(), "the other group is answered truthfully"
    for label, should in ((1, direction != "up"), (0, direction != "down")):
        rows = (g == 1) & (truth == label)
        k, m = int(flipped[rows].sum()), int(rows.sum())
        if not should:
            assert k == 0
        else:
            lo, hi = binom.ppf(ALPHA, m, rate), binom.isf(ALPHA, m, rate)
            assert lo <= k <= hi, (k, m, rate)
    # whether a row is flipped does not depend on when, or with whom, it is asked
    one_by_one = np.concatenate([biased.answer(positions[i : i + 1]) for i in range(500)])
    np.testing.assert_array_equal(one_by_one, got[:500])


def test_biased_annotators_compose_in_order() -> None:
    split = split_of()
    specs = (
        "annotator_bias:group=minority,rate=0.5,direction=down",
        "annotator_bias:group=majority,rate=0.3,direction=up",
    )
    env = apply_scenarios(
        split,
        tuple(load_spec(s) for s in specs),
        seed_seq=np.random.SeedSequence(0),
        annotator_rng=np.random.default_rng(1),
    )
    outer = env.annotator
    assert isinstance(outer, BiasedAnnotator) and isinstance(outer.inner, BiasedAnnotator)
    assert (outer.inner.code, outer.code) == (split.code("minority"), split.code("majority"))
    # each draws its own uniforms from the annotator stream, in scenario order
    stream = np.random.default_rng(1)
    np.testing.assert_array_equal(outer.inner.u, stream.random(split.n_pool))
    np.testing.assert_array_equal(outer.u, stream.random(split.n_pool))


def load_spec(text: str) -> Any:
    from components.scenarios import SCENARIOS

    return SCENARIOS.resolve(text)


# ----------------------------------------------------------------------------- the seed sampler


def test_cold_start_skew_gives_the_environment_a_group_share_seed_sampler() -> None:
    split = split_of()
    specs = (load_spec("cold_start_skew:group=minority,share=0.5"),)
    env = apply_scenarios(
        split, specs, seed_seq=np.random.SeedSequence(0), annotator_rng=np.random.default_rng(0)
    )
    assert env.seed_sampler == GroupShareSeed(((split.code("minority"), 0.5),))
    assert isinstance(env.annotator, RecordedLabels), "the annotator is untouched"
    for f in ("X_pool", "y_pool_obs", "idx_pool", "X_test", "y_test_obs"):
        np.testing.assert_array_equal(getattr(env.split, f), getattr(split, f), err_msg=f)
    # a later setting for the same group wins; other groups' settings stay
    later = GroupShareSeed(((0, 0.2), (1, 0.5))).with_share(1, 0.1)
    assert later.shares == ((0, 0.2), (1, 0.1))


@pytest.mark.parametrize("share", [0.0, 0.3, 1.0])
def test_the_group_share_sampler_draws_the_asked_share(share: float) -> None:
    split = split_of()
    code = split.code("minority")
    for seed in range(5):
        picks = GroupShareSeed(((code, share),)).sample(split, 20, rng=np.random.default_rng(seed))
        assert len(picks) == 20 and len(np.unique(picks)) == 20
        assert int((split.g_pool[picks] == code).sum()) == round(share * 20)


def test_the_group_share_sampler_says_when_the_group_is_too_small() -> None:
    split = split_of()
    code = split.code("minority")
    have = int((split.g_pool == code).sum())
    with pytest.raises(UserInputError) as info:
        GroupShareSeed(((code, 1.0),)).sample(split, have + 1, rng=np.random.default_rng(0))
    assert str(info.value) == MSG_SEED_GROUP.format(need=have + 1, group="minority", have=have)


def test_the_run_draws_its_seed_set_from_the_environments_sampler() -> None:
    sim = Simulation(config(scenarios=["cold_start_skew:share=0.25"]))
    stream = np.random.default_rng(np.random.SeedSequence(0).spawn(len(STREAMS))[2])
    want = sim.environment.seed_sampler.sample(sim.split, 20, rng=stream)
    np.testing.assert_array_equal(sim.records[0].positions, want)


# ----------------------------------------------------------------------------- random streams


def test_the_stream_list_only_grew_at_its_end() -> None:
    # the first six keep their places, so every run without a committee or a
    # look-ahead draws the same numbers as before the last two were added
    assert STREAMS[:6] == ("split", "scenarios", "seed_set", "strategy", "annotator", "model")
    assert STREAMS[6:] == ("committee", "lookahead")


@pytest.mark.parametrize(
    ("strategy", "small", "large"),
    [
        ("qbc_vote_entropy", "members=2", "members=7"),
        ("fal", "candidates=10,eval_size=50", "candidates=20,eval_size=50"),
    ],
)
def test_committee_and_lookahead_refits_do_not_consume_the_main_streams(
    strategy: str, small: str, large: str
) -> None:
    base = {
        "rounds": 2,
        "scenarios": ["label_bias:flip=0.4", "annotator_bias:rate=0.3"],
    }
    a = Simulation(config(strategy=f"{strategy}:{small}", **base))
    b = Simulation(config(strategy=f"{strategy}:{large}", **base))
    # the test split, the pool, the scenarios and the seed set do not move
    for f in ("X_test", "y_test_obs", "idx_test", "X_pool", "y_pool_obs", "idx_pool"):
        np.testing.assert_array_equal(getattr(a.split, f), getattr(b.split, f), err_msg=f)
    np.testing.assert_array_equal(a.records[0].positions, b.records[0].positions)
    np.testing.assert_array_equal(a.records[0].label_observed, b.records[0].label_observed)
    # the model's own stream gives every round's model the same seed (its random_state),
    # however many refits the committee or the look-ahead made
    for _ in range(2):
        assert a.model.random_state == b.model.random_state
        a.step()
        b.step()
    assert a.model.random_state == b.model.random_state
    # ... while the batches themselves differ (the refits did change the picks)
    assert not np.array_equal(a.records[1].positions, b.records[1].positions)
    if strategy == "qbc_vote_entropy":
        assert a.committee.shape[0] == 2 and b.committee.shape[0] == 7
