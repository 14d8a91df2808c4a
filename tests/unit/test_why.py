"""Why this point: the score that chose a row, its parts, its rank, its neighbours, in words."""

from __future__ import annotations

import numpy as np
import pytest

from components.config import RunConfig
from components.engine import simulate
from components.strategies import STRATEGIES
from components.strategies.uncertainty import entropy_scores
from components.why import replay_to, sentence, why_at, why_point
from components.why_text import ordinal
from specs import UserInputError

BASE = {"dataset": "two_groups:n_samples=400", "initial_size": 20, "batch_size": 5, "rounds": 3}


def cfg(strategy: str, **more) -> RunConfig:
    return RunConfig.from_dict({**BASE, "strategy": strategy, **more})


def first_pick(strategy: str, round_: int = 2):
    c = cfg(strategy)
    sim, batch = replay_to(c, round_)
    return sim, batch, why_at(c, round_, int(batch[0]))


def test_rank_one_of_least_confidence_is_the_highest_score():
    sim, batch, w = first_pick("least_confidence")
    unl = ~sim.labeled
    top = np.flatnonzero(unl)[np.argmax(sim.scores[unl])]
    assert w.rank == 1 and w.pick == 1
    assert w.score == pytest.approx(sim.scores[top])
    assert w.score == pytest.approx(1 - max(w.p_positive, 1 - w.p_positive))
    assert w.n_unlabeled == int(unl.sum())
    # a later pick of the same batch ranks lower or ties
    later = why_at(cfg("least_confidence"), 2, int(batch[-1]))
    assert later.rank >= w.rank and later.pick == len(batch)


def test_replay_reproduces_the_recorded_batch_and_scores():
    c = cfg("margin")
    q = simulate(c).frames()["queries"]
    for r in (1, 3):
        _, batch = replay_to(c, r)
        rows = q[q["round"] == r]
        assert batch.tolist() == rows["position"].tolist()
        for p, s in zip(rows["position"], rows["score"], strict=True):
            assert why_at(c, r, int(p)).score == pytest.approx(s)


def _entropy(share: float) -> float:
    return float(entropy_scores(np.array([[share, 1 - share]]))[0])


COMPOSE = {
    "least_confidence": lambda w: w.part("least_confidence"),
    "margin": lambda w: 1 - w.part("gap"),
    "entropy": lambda w: w.part("entropy"),
    "density_weighted": lambda w: w.part("entropy") * w.part("density") ** w.part("beta"),
    "qbc_vote_entropy": lambda w: _entropy(w.part("votes_positive") / w.part("members")),
    "qbc_kl": lambda w: w.part("kl_to_mean"),
    "bald": lambda w: w.part("entropy_of_mean") - w.part("mean_member_entropy"),
    "coreset": lambda w: w.part("distance"),
    "group_balanced": lambda w: w.part("least_confidence"),
    "fair_uncertainty": lambda w: w.part("least_confidence") * w.part("boost"),
    "fal": lambda w: w.part("entropy_bits"),
    "minmax_group": lambda w: w.part("group_loss"),
}


@pytest.mark.parametrize("name", sorted(COMPOSE))
def test_parts_compose_to_the_score(name):
    spec = "fal:candidates=8,eval_size=50" if name == "fal" else name
    _, _, w = first_pick(spec)
    assert w.strategy == name
    assert COMPOSE[name](w) == pytest.approx(w.score, abs=1e-9)
    text = sentence(w)
    assert text.count(".") >= 1 and text.endswith(".")
    assert f"{w.n_unlabeled:,}" in text and ordinal(w.rank) in text


def test_every_strategy_gets_a_sentence():
    for name in STRATEGIES:
        spec = "fal:candidates=8,eval_size=50" if name == "fal" else name
        _, batch, w = first_pick(spec, round_=1)
        text = sentence(w)
        assert text[0].isupper() and text.endswith(".")
        assert "nearest labelled row" in text


def test_group_weights_are_the_groups_shortfall():
    sim, _, w = first_pick("fair_uncertainty:lam=2")
    g = sim.groups.index(w.group)
    share = np.bincount(sim.split.g_pool[sim.labeled], minlength=2)[g] / sim.labeled.sum()
    assert w.part("group_labelled_share") == pytest.approx(share)
    deficit = max(0.0, 1 - share / 0.5)
    assert w.part("boost") == pytest.approx(1 + 2 * deficit)
    assert f"{w.part('boost'):.2f}" in sentence(w)


def test_coreset_distance_is_the_nearest_labelled_row():
    _, _, w = first_pick("coreset")
    assert w.neighbours[0].distance == pytest.approx(w.score)


def test_committee_parts_are_the_members_votes():
    sim, _, w = first_pick("qbc_vote_entropy")
    votes = (sim.committee[:, w.position, 1] > sim.committee[:, w.position, 0]).sum()
    assert w.part("votes_positive") == votes and w.part("members") == 5
    assert f"{int(votes)} of its 5 committee models" in sentence(w)


def test_fal_says_what_it_cannot_separate():
    _, _, w = first_pick("fal:candidates=8,eval_size=50")
    assert w.caveat and "cannot be shown" in sentence(w)
    _, _, w = first_pick("fal:lookahead=false")
    assert not w.caveat and "parity gap" in sentence(w)
    assert 1 <= w.part("fal_rank") <= w.part("candidates")


def test_random_has_no_rank():
    _, _, w = first_pick("random")
    assert w.rank is None and np.isnan(w.score)
    assert sentence(w).startswith("Picked at random")


def test_sentence_quotes_the_numbers_and_the_neighbours():
    sim, _, w = first_pick("least_confidence")
    text = sentence(w)
    assert f"{w.p_positive:.0%}" in text
    assert f"{w.part('least_confidence'):.2f}" in text
    assert len(w.neighbours) == 3
    lab = np.flatnonzero(sim.labeled)
    d = np.sqrt(((sim.split.X_pool[lab] - sim.split.X_pool[w.position]) ** 2).sum(axis=1))
    assert w.neighbours[0].distance == pytest.approx(d.min())
    assert [n.distance for n in w.neighbours] == sorted(n.distance for n in w.neighbours)
    for n in w.neighbours:
        assert n.label == sim.y_answer[n.position]
        assert n.group in text


def test_seed_set_row_says_it_was_drawn_at_random():
    c = cfg("least_confidence")
    sim, _ = replay_to(c, 1)
    w = why_at(c, 0, int(sim.order[0][0]))
    assert w.round == 0 and "seed set" in sentence(w)


def test_live_simulation_explains_its_next_batch():
    from components.engine import Simulation

    sim = Simulation(cfg("entropy"))
    batch = sim.propose()
    w = why_point(sim, int(batch[2]), batch=batch)
    assert w.pick == 3 and w.round == 1


@pytest.mark.parametrize(
    "round_, position, field",
    [(9, 0, "round"), (1, -1, "position"), (1, "x", "position"), (2, None, "position")],
)
def test_bad_queries_say_one_line(round_, position, field):
    c = cfg("least_confidence")
    if position is None:  # a real row, not picked that round
        sim, batch = replay_to(c, 2)
        position = int(
            np.flatnonzero(~sim.labeled & ~np.isin(np.arange(sim.split.n_pool), batch))[0]
        )
    with pytest.raises(UserInputError) as err:
        why_at(c, round_, position)
    msg = str(err.value)
    assert msg.startswith(field) and "\n" not in msg and "allowed" in msg


def test_group_balanced_at_random_inside_the_group_says_so():
    _, _, w = first_pick("group_balanced:within=random")
    assert w.part("random_within") == 1.0
    assert f"inside {w.group} the row was drawn at random" in sentence(w)
    assert "ranked" not in sentence(w).split(":", 1)[1]  # no rank inside the group
