"""The annotator's seat: a person labels the model's batches; the report per group."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from components.config import RunConfig
from components.engine import simulate
from components.records import TIMING_COLUMNS
from components.seat import SIMULATED, Seat
from components.seat_report import report_sentences, seat_report
from specs import UserInputError

SMALL = {"dataset": "two_groups:n_samples=300", "initial_size": 10, "batch_size": 4, "rounds": 3}
#: Least confidence from a 5-row seed set on two clusters: the far one is never asked about.
TRAPPED = {
    "dataset": "clusters:n_samples=2000",
    "strategy": "least_confidence",
    "initial_size": 5,
    "batch_size": 10,
    "rounds": 3,
    "seed": 0,
}


def seat_of(**more) -> Seat:
    return Seat(RunConfig.from_dict({**SMALL, **more}))


def truthful(seat: Seat) -> dict[int, int]:
    return {p: int(seat.sim.split.y_pool[p]) for p in seat.positions().tolist()}


def constant(seat: Seat, label) -> dict:
    return {p: label for p in seat.positions().tolist()}


def no_timing(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.drop(columns=[c for c in TIMING_COLUMNS if c in frame.columns])


def test_submit_refits_and_the_records_move():
    yes, no = seat_of(), seat_of()
    assert yes.positions().tolist() == no.positions().tolist()
    yes.submit(constant(yes, 1))
    no.submit(constant(no, 0))
    assert yes.round == no.round == 1 and len(yes.records) == 2
    q = yes.frames()["queries"]
    assert (q[q["round"] == 1]["label_observed"] == 1).all()
    assert not np.allclose(yes.sim.proba_pool, no.sim.proba_pool)
    groups = yes.frames()["groups"]
    assert groups["round"].max() == 1 and groups[groups["round"] == 1]["queried"].sum() == 4


def test_items_show_the_row_not_its_label():
    seat = seat_of()
    items = seat.batch()
    assert [i.order for i in items] == [1, 2, 3, 4]
    assert [i.position for i in items] == seat.positions().tolist()
    assert all(i.kind == "tabular" and [n for n, _ in i.fields][:2] == ["x1", "x2"] for i in items)
    assert all("label" not in dict(i.fields) for i in items)
    assert seat.batch() == items  # asking again does not draw a new batch


def test_truthful_answers_agree_fully():
    seat = seat_of(scenarios=["label_bias:group=minority,flip=0.5"])
    while not seat.done:
        seat.submit(truthful(seat))
    report = seat_report(seat)
    assert report.budget == 12
    for g in report.groups:
        assert g.agree_truth == g.labelled == g.shown
        assert g.missed_positives == g.false_positives == 0
    assert sum(g.shown for g in report.groups) == 12


def test_errors_are_counted_against_the_truth():
    seat = seat_of()
    seat.submit(constant(seat, 0))
    truth = seat.sim.split.y_pool[seat.records[1].positions]
    report = seat_report(seat)
    assert sum(g.missed_positives for g in report.groups) == int(truth.sum())
    assert sum(g.false_positives for g in report.groups) == 0
    assert sum(g.agree_truth for g in report.groups) == int((truth == 0).sum())


def test_revealed_rows_get_the_simulated_annotator_and_count_apart():
    seat = seat_of(scenarios=["annotator_bias:group=minority,rate=1.0"])
    batch = seat.positions().tolist()
    simulated = {p: seat.simulated_answer(p) for p in batch}
    assert list(simulated.values()) == seat.sim.annotator.answer(np.array(batch)).tolist()
    labels = {p: (SIMULATED if k % 2 else 1) for k, p in enumerate(batch)}
    seat.submit(labels)
    used = seat.records[1].label_observed.tolist()
    assert used == [simulated[p] if k % 2 else 1 for k, p in enumerate(batch)]
    report = seat_report(seat)
    assert sum(g.revealed for g in report.groups) == 2
    assert sum(g.labelled for g in report.groups) == 2


def test_the_never_shown_group_is_named():
    seat = Seat(RunConfig.from_dict(TRAPPED))
    while not seat.done:
        seat.submit(constant(seat, SIMULATED))
    report = seat.report()
    assert report.never_shown == ("minority",)
    far = next(g for g in report.groups if g.group == "minority")
    assert far.shown == 0 and far.random_run > 0
    assert far.expected_random == pytest.approx(30 * far.pool_share)
    assert far.random_low <= far.expected_random <= far.random_high
    text = report_sentences(report)[0]
    assert text.startswith("The model never showed you anyone from minority")
    assert f"showed {far.random_run}" in text


def test_the_random_comparison_is_deterministic_and_is_randoms_run():
    a, b = seat_of(seed=3), seat_of(seed=3)
    for s in (a, b):
        s.submit(constant(s, 1))
        s.submit(constant(s, 0))
    assert a.random_positions().tolist() == b.random_positions().tolist()
    rnd = simulate(RunConfig.from_dict({**SMALL, "seed": 3, "strategy": "random"}))
    picked = np.concatenate([r.positions for r in rnd.records[1:3]])
    assert a.random_positions().tolist() == picked.tolist()
    assert a.sim.order[0].tolist() == rnd.records[0].positions.tolist()  # same seed set
    assert seat_report(a) == seat_report(b)


def test_rebuild_from_history_gives_identical_records():
    seat = seat_of(strategy="coreset")
    seat.submit(constant(seat, 1))
    seat.submit({p: (SIMULATED if k == 0 else 0) for k, p in enumerate(seat.positions().tolist())})
    again = Seat(seat.config, seat.history)
    for name in ("rounds", "groups", "queries"):
        pd.testing.assert_frame_equal(
            no_timing(seat.frames()[name]), no_timing(again.frames()[name])
        )
    assert again.positions().tolist() == seat.positions().tolist()
    assert again.answers == seat.answers


def test_fork_leaves_the_original_alone():
    seat = seat_of()
    fork = seat.fork()
    fork.submit(constant(fork, 1))
    assert seat.round == 0 and fork.round == 1
    assert seat.sim.split is fork.sim.split  # the read-only data is shared
    assert seat.positions().tolist() != fork.positions().tolist()


def test_why_explains_the_batch():
    seat = seat_of()
    first = seat.positions()[0]
    w = seat.why(int(first))
    assert w.rank == 1 and w.pick == 1 and w.round == 1


@pytest.mark.parametrize(
    "make, field",
    [
        (lambda s: {p: 2 for p in s.positions().tolist()}, "labels: position"),
        (lambda s: {p: "yes" for p in s.positions().tolist()}, "labels: position"),
        (lambda s: {p: True for p in s.positions().tolist()}, "labels: position"),
        (lambda s: {**constant(s, 1), 10_000: 1}, "labels: position 10000 is not in this batch"),
        (lambda s: dict(list(constant(s, 1).items())[:2]), "labels: no answer for 2"),
        (lambda s: [1, 0, 1, 0], "labels: list is not a mapping"),
    ],
)
def test_bad_answers_say_one_line(make, field):
    seat = seat_of()
    with pytest.raises(UserInputError) as err:
        seat.submit(make(seat))
    msg = str(err.value)
    assert msg.startswith(field) and "\n" not in msg and "allowed" in msg
    assert seat.round == 0  # nothing was submitted


def test_submit_after_the_last_round_is_refused():
    seat = seat_of(rounds=1)
    seat.submit(constant(seat, 1))
    with pytest.raises(UserInputError, match="^seat: all 1 rounds are labelled"):
        seat.submit({})
    with pytest.raises(UserInputError, match="^seat: all 1 rounds"):
        seat.batch()


def test_other_modalities_show_their_content():
    digits = Seat(RunConfig.from_dict({"dataset": "digits", "batch_size": 2, "rounds": 1}))
    item = digits.batch()[0]
    assert item.kind == "image" and len(item.image) == 8 and len(item.image[0]) == 8
    text = Seat(RunConfig.from_dict({"dataset": "job_text", "batch_size": 2, "rounds": 1}))
    item = text.batch()[0]
    assert item.kind == "text" and len(item.text.split()) > 3


def test_answers_as_link_text_rebuild_the_seat():
    seat = seat_of()
    seat.submit(
        {p: (SIMULATED if k == 1 else k % 2) for k, p in enumerate(seat.positions().tolist())}
    )
    seat.submit(constant(seat, 1))
    assert seat.codes() == "0s01.1111"
    again = Seat.from_codes(seat.config, seat.codes())
    assert again.history == seat.history and again.answers == seat.answers


@pytest.mark.parametrize(
    "codes, problem",
    [
        ("1111.1111.1111.1111", "holds 4 rounds"),
        ("11a1", "holds something other"),
        ("1111..", "holds something other"),
    ],
)
def test_bad_link_answers_say_one_line(codes, problem):
    with pytest.raises(UserInputError) as err:
        Seat.from_codes(seat_of().config, codes)
    msg = str(err.value)
    assert msg.startswith(f"answers: {codes!r} {problem}") and "\n" not in msg


def test_a_settled_seat_is_only_read():
    seat = seat_of()
    seat.submit(constant(seat, 1))
    seat.settle()
    before = (seat.sim._rng["strategy"].bit_generator.state, seat._random.round)
    items = seat.batch()
    seat.why(items[0].position)
    seat_report(seat)
    seat.simulated_answer(items[1].position)
    assert (seat.sim._rng["strategy"].bit_generator.state, seat._random.round) == before
