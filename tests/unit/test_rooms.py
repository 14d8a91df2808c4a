"""The classroom room store: the round lifecycle, refusals, privacy, restarts, records, replay."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import func, select

from components.config import RunConfig
from components.engine import Simulation
from components.records import GROUP_COLUMNS, QUERY_COLUMNS, ROUND_COLUMNS, TIMING_COLUMNS
from components.room_db import items, rooms, students
from components.rooms import RoomStore
from specs import UserInputError

CFG = RunConfig.from_dict(
    {"dataset": "two_groups:n_samples=400", "batch_size": 30, "rounds": 3, "seed": 7}
)


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def url(tmp_path):
    return f"sqlite:///{tmp_path / 'rooms.sqlite'}"


@pytest.fixture
def clock():
    return Clock()


def class_of(store: RoomStore, names=("Ana", "Ben", "Chiara")):
    room = store.create_room(CFG, teacher_name="Ms Rivera")
    tokens = {name: store.join(room.code, name) for name in names}
    return room, tokens


def answer_all(store, tokens, rule=lambda item: 1):
    for token in tokens.values():
        mine = store.items_for(token)
        if mine:
            store.submit(token, {item.position: rule(item) for item in mine})


def without_timings(frames):
    out = dict(frames)
    out["rounds"] = frames["rounds"].drop(columns=list(TIMING_COLUMNS))
    return out


def assert_same_records(a, b):
    assert a.config_json == b.config_json
    fa, fb = without_timings(a.frames), without_timings(b.frames)
    for name in ("rounds", "groups", "queries"):
        pd.testing.assert_frame_equal(fa[name], fb[name])


# -- the round --------------------------------------------------------------------------


def test_the_batch_is_split_round_robin_in_join_order_and_a_complete_batch_refits(url):
    store = RoomStore(url)
    room, tokens = class_of(store)
    opened = store.open_round(room.teacher_token)
    assert opened == {
        "round": 1,
        "batch": 30,
        "assigned": {"student-1": 10, "student-2": 10, "student-3": 10},
    }
    batches = {name: store.items_for(t) for name, t in tokens.items()}
    # round robin: the strategy's i-th pick goes to the (i mod 3)-th student
    sim = Simulation(CFG)
    proposed = sim.propose().tolist()
    assert [i.position for i in batches["Ana"]] == proposed[0::3]
    assert [i.position for i in batches["Chiara"]] == proposed[2::3]
    item = batches["Ana"][0]
    assert item.kind == "tabular" and [n for n, _ in item.fields] == ["x1", "x2", "group"]
    assert item.label is None

    results = [store.submit(tokens[n], {i.position: 0 for i in batches[n]}) for n in ("Ana", "Ben")]
    assert [r.round_closed for r in results] == [False, False]
    assert store.state(room.teacher_token)["round"] == 0
    last = store.submit(tokens["Chiara"], {i.position: 0 for i in batches["Chiara"]})
    assert (last.round_closed, last.remaining, last.stored) == (True, 0, 10)
    state = store.state(room.teacher_token)
    assert state["round"] == 1 and state["open_round"] is None
    assert state["progress"][0] == {
        "round": 1,
        "status": "closed",
        "closed_by": "complete",
        "assigned": 30,
        "labelled": 30,
        "simulated": 0,
        "students_assigned": 3,
        "students_done": 3,
    }
    # the model refitted on the class's answers, exactly as the engine does with human labels
    sim.step(np.zeros(30, dtype=np.int64), positions=np.array(proposed))
    q = store.records(room.teacher_token).frames["queries"]
    assert (q.loc[q["round"] == 1, "label_observed"] == 0).all()
    got = store.records(room.teacher_token).frames["rounds"].iloc[-1]
    assert got["accuracy"] == sim.records[-1].overall["accuracy"]


def test_the_class_answers_are_what_the_model_learns_from(url):
    """All-positive answers and all-negative answers give different models."""
    accuracy = {}
    for label in (0, 1):
        store = RoomStore(url)
        room, tokens = class_of(store)
        for _ in range(CFG.rounds):
            store.open_round(room.teacher_token)
            answer_all(store, tokens, rule=lambda item, label=label: label)
        rounds = store.records(room.teacher_token).frames["rounds"]
        accuracy[label] = rounds["accuracy"].tolist()
    assert accuracy[0][0] == accuracy[1][0]  # the seed set's model is the same
    assert accuracy[0][1:] != accuracy[1][1:]


def test_a_teacher_closing_early_has_the_simulated_annotator_answer_the_rest(url):
    store = RoomStore(url)
    room, tokens = class_of(store)
    store.open_round(room.teacher_token)
    ana = store.items_for(tokens["Ana"])
    store.submit(tokens["Ana"], {i.position: 1 for i in ana})
    closed = store.close_round(room.teacher_token)
    assert (closed["round"], closed["class_labels"], closed["simulated"]) == (1, 10, 20)
    q = store.records(room.teacher_token).frames["queries"]
    round1 = q[q["round"] == 1]
    assert (round1["annotator"] == "student-1").sum() == 10
    assert (round1["annotator"] == "simulated").sum() == 20
    assert (q.loc[q["round"] == 0, "annotator"] == "simulated").all()
    assert store.state(room.teacher_token)["progress"][0]["simulated"] == 20
    assert store.items_for(tokens["Ana"]) == []  # no round is open now


def test_every_round_then_the_run_is_done(url):
    store = RoomStore(url)
    room, tokens = class_of(store, names=("Ana",))
    for _ in range(CFG.rounds):
        store.open_round(room.teacher_token)
        answer_all(store, tokens)
    state = store.state(room.teacher_token)
    assert state["done"] and state["round"] == CFG.rounds
    with pytest.raises(UserInputError, match="all 3 rounds are done"):
        store.open_round(room.teacher_token)


# -- reloads and restarts -----------------------------------------------------------------


def test_a_student_who_reloads_gets_their_items_and_answers_back(url):
    store = RoomStore(url)
    room, tokens = class_of(store)
    store.open_round(room.teacher_token)
    before = store.items_for(tokens["Ben"])
    store.submit(tokens["Ben"], {before[0].position: 1, before[1].position: 0})
    again = RoomStore(url).items_for(tokens["Ben"])  # a new page load, a new store object
    assert [i.position for i in again] == [i.position for i in before]
    assert [i.label for i in again[:3]] == [1, 0, None]
    assert again[2:] == before[2:]


def test_a_new_store_after_the_teacher_leaves_finds_the_room_its_labels_and_its_model(url):
    store = RoomStore(url)
    room, tokens = class_of(store)
    store.open_round(room.teacher_token)
    answer_all(store, tokens)
    store.open_round(room.teacher_token)
    ana = store.items_for(tokens["Ana"])
    store.submit(tokens["Ana"], {i.position: 0 for i in ana})
    state, records = store.state(room.teacher_token), store.records(room.teacher_token)
    store.db.dispose()
    del store

    fresh = RoomStore(url)  # the server restarted, or the teacher's browser reopened
    assert fresh.state(room.teacher_token) == state
    assert_same_records(fresh.records(room.teacher_token), records)
    # and the run goes on from there: the open round closes and refits in the new process
    answer_all(fresh, {k: v for k, v in tokens.items() if k != "Ana"})
    assert fresh.state(room.teacher_token)["round"] == 2


def test_two_stores_on_one_database_replay_the_same_run(url):
    a, b = RoomStore(url), RoomStore(url)
    room, tokens = class_of(a)
    for r in range(CFG.rounds):
        (a if r % 2 else b).open_round(room.teacher_token)
        for k, token in enumerate(tokens.values()):
            store = (a, b)[(k + r) % 2]
            mine = store.items_for(token)
            store.submit(token, {i.position: (i.position + r) % 2 for i in mine})
    assert a.state(room.teacher_token) == b.state(room.teacher_token)
    assert_same_records(a.records(room.teacher_token), b.records(room.teacher_token))
    assert_same_records(a.records(room.teacher_token), RoomStore(url).records(room.teacher_token))


# -- refusals -------------------------------------------------------------------------------


def test_items_of_another_student_are_refused_and_nothing_is_stored(url):
    store = RoomStore(url)
    room, tokens = class_of(store)
    store.open_round(room.teacher_token)
    ana, ben = store.items_for(tokens["Ana"]), store.items_for(tokens["Ben"])
    with pytest.raises(UserInputError, match=r"positions: \d+ are not your items in round 1"):
        store.submit(tokens["Ana"], {ana[0].position: 1, ben[0].position: 1})
    assert store.items_for(tokens["Ana"])[0].label is None
    assert store.state(room.teacher_token)["open_labelled"] == 0


def test_a_submission_for_a_closed_round_is_refused(url):
    store = RoomStore(url)
    room, tokens = class_of(store)
    store.open_round(room.teacher_token)
    ana = store.items_for(tokens["Ana"])
    store.close_round(room.teacher_token)
    with pytest.raises(UserInputError, match="round: round 1 is closed; allowed: wait for"):
        store.submit(tokens["Ana"], {ana[0].position: 1})
    store.open_round(room.teacher_token)
    with pytest.raises(UserInputError, match="round 1 is closed; allowed: your items of round 2"):
        store.submit(tokens["Ana"], {ana[0].position: 1})
    store.close_round(room.teacher_token)
    with pytest.raises(UserInputError, match="round: no round is open"):
        store.close_round(room.teacher_token)


@pytest.mark.parametrize("who", ["student", "teacher"])
def test_a_forged_token_is_refused_without_echoing_it(url, who):
    store = RoomStore(url)
    room, tokens = class_of(store)
    store.open_round(room.teacher_token)
    forged = tokens["Ana"][:-2] + ("AA" if not tokens["Ana"].endswith("AA") else "BB")
    call = {
        "student": lambda: store.submit(forged, {1: 1}),
        "teacher": lambda: store.close_round(room.teacher_token + "x"),
    }[who]
    with pytest.raises(UserInputError, match=f"{who} token: .* is not known") as err:
        call()
    assert forged not in str(err.value) and room.teacher_token not in str(err.value)


def test_an_expired_room_is_refused_and_purged(url, clock):
    store = RoomStore(url, ttl_hours=2, clock=clock)
    room, tokens = class_of(store)
    store.open_round(room.teacher_token)
    clock.now += 2 * 3600 - 1
    assert store.items_for(tokens["Ana"])
    clock.now += 2
    with pytest.raises(UserInputError, match="room code: .* is not an open room on this server"):
        store.join(room.code, "Dora")
    for call in (
        lambda: store.items_for(tokens["Ana"]),
        lambda: store.state(room.teacher_token),
        lambda: store.state(room.code),
    ):
        with pytest.raises(UserInputError, match="is not (known in any|an) open room"):
            call()
    with store.db.read() as conn:
        assert conn.execute(select(func.count()).select_from(rooms)).scalar() == 0
        assert conn.execute(select(func.count()).select_from(students)).scalar() == 0
        assert conn.execute(select(func.count()).select_from(items)).scalar() == 0


def test_expired_rooms_are_purged_when_a_room_is_created(url, clock):
    store = RoomStore(url, ttl_hours=1, clock=clock)
    class_of(store)
    clock.now += 3601
    store.create_room(CFG)
    with store.db.read() as conn:
        assert conn.execute(select(func.count()).select_from(rooms)).scalar() == 1


@pytest.mark.parametrize(
    "answers, message",
    [
        ({}, "labels: .*allowed: a mapping of your item positions to 0 or 1"),
        ([1, 0], "labels: .*allowed: a mapping"),
        ({"x": 1}, "labels: .*allowed: a mapping"),
        ({"POSITION": 2}, "label for position POSITION: 2; allowed: 0 or 1"),
        ({"POSITION": "yes"}, "label for position POSITION: 'yes'; allowed: 0 or 1"),
        ({"POSITION": True}, "label for position POSITION: True; allowed: 0 or 1"),
        ({"POSITION": 0.5}, "label for position POSITION: 0.5; allowed: 0 or 1"),
    ],
)
def test_labels_outside_the_label_set_are_refused(url, answers, message):
    store = RoomStore(url)
    room, tokens = class_of(store)
    store.open_round(room.teacher_token)
    position = store.items_for(tokens["Ana"])[0].position
    if isinstance(answers, dict):
        answers = {(position if k == "POSITION" else k): v for k, v in answers.items()}
    with pytest.raises(UserInputError, match=message.replace("POSITION", str(position))):
        store.submit(tokens["Ana"], answers)


@pytest.mark.parametrize(
    "name, problem",
    [
        ("", "is 0 characters long"),
        ("x" * 31, "is 31 characters long"),
        ("Ana\x00", "holds a control or invisible character"),
        ("Ana\u202eevil", "holds a control or invisible character"),
        ("\u200b", "holds a control or invisible character"),
        (None, "is not text"),
    ],
)
def test_bad_display_names_are_refused(url, name, problem):
    store = RoomStore(url)
    room = store.create_room(CFG)
    with pytest.raises(UserInputError, match=f"display name: .* {problem}; allowed: 1 to 30"):
        store.join(room.code, name)


def test_a_full_room_an_unknown_code_and_an_empty_class_are_refused(url):
    store = RoomStore(url)
    room = store.create_room(CFG, max_students=2)
    with pytest.raises(UserInputError, match="no student has joined"):
        store.open_round(room.teacher_token)
    store.join(room.code, "Ana")
    store.join(room.code.lower(), "Ana")  # codes are read in any case
    with pytest.raises(UserInputError, match="2 students have joined, its limit"):
        store.join(room.code, "Ben")
    for code in ("ZZZZZZ", "", "A" * 500, "'; DROP TABLE rooms; --"):
        with pytest.raises(UserInputError, match="room code: .* is not an open room"):
            store.join(code, "Ben")
    with pytest.raises(UserInputError, match=r"max_students: 0; allowed: an integer in \[1, 200\]"):
        store.create_room(CFG, max_students=0)


def test_an_open_round_cannot_be_opened_twice(url):
    a, b = RoomStore(url), RoomStore(url)
    room, _ = class_of(a)
    a.open_round(room.teacher_token)
    with pytest.raises(UserInputError, match="round 1 is already open; allowed: close it first"):
        b.open_round(room.teacher_token)


# -- names and privacy --------------------------------------------------------------------------


def test_duplicate_names_are_numbered(url):
    store = RoomStore(url)
    room = store.create_room(CFG, show_names=True)
    tokens = [store.join(room.code, "Ana") for _ in range(3)]
    assert [store.student_state(t)["name"] for t in tokens] == ["Ana", "Ana (2)", "Ana (3)"]


def test_a_student_never_sees_another_students_name_or_labels(url):
    store = RoomStore(url)
    room, tokens = class_of(store, names=("Ana Secretname", "Ben Othername"))
    store.open_round(room.teacher_token)
    ben = store.items_for(tokens["Ben Othername"])
    store.submit(tokens["Ben Othername"], {i.position: 1 for i in ben})
    ana = store.items_for(tokens["Ana Secretname"])
    seen = repr(ana) + json.dumps(store.student_state(tokens["Ana Secretname"]))
    seen += json.dumps(store.state(room.code))
    assert "Othername" not in seen
    assert {i.position for i in ana}.isdisjoint(i.position for i in ben)
    assert all(i.label is None for i in ana)  # Ben's answers are not among Ana's
    assert "label" not in [n for i in ana for n, _ in i.fields]  # nor the truth
    mine = store.student_state(tokens["Ana Secretname"])
    assert (mine["name"], mine["my_assigned"], mine["my_labelled"]) == ("Ana Secretname", 15, 0)
    assert mine["open_labelled"] == 15  # the class's count, not whose


def test_the_teacher_sees_counts_and_agreement_and_names_only_when_turned_on(url):
    store = RoomStore(url)
    room, tokens = class_of(store, names=("Ana Secretname", "Ben Othername"))
    store.open_round(room.teacher_token)
    answer_all(store, tokens, rule=lambda item: 1)
    state = store.state(room.teacher_token)
    assert "Secretname" not in json.dumps(state) and "students_progress" not in state
    tally = {t["group"]: t for t in state["labels_vs_truth"]}
    q = store.records(room.teacher_token).frames["queries"]
    r1 = q[q["round"] == 1]
    for group, rows in r1.groupby("group"):
        assert tally[group]["labelled"] == len(rows)
        assert tally[group]["agree_truth"] == int((rows["label_true"] == 1).sum())
    store.set_show_names(room.teacher_token, True)
    named = store.state(room.teacher_token)["students_progress"]
    assert [(s["name"], s["pseudonym"], s["labelled_total"]) for s in named] == [
        ("Ana Secretname", "student-1", 15),
        ("Ben Othername", "student-2", 15),
    ]


def test_the_ledger_and_the_never_shown_groups_agree_with_the_records(url):
    store = RoomStore(url)
    room, tokens = class_of(store)
    for _ in range(2):
        store.open_round(room.teacher_token)
        answer_all(store, tokens)
    state = store.state(room.teacher_token)
    groups = store.records(room.teacher_token).frames["groups"]
    last = groups[groups["round"] == 2].set_index("group")
    for row in state["ledger"]:
        assert row["pool_share"] == pytest.approx(last.loc[row["group"], "pool_share"])
        assert row["queried_cum"] == last.loc[row["group"], "queried_cum"]
        assert row["query_share_cum"] == pytest.approx(last.loc[row["group"], "query_share_cum"])
    shown = {g for g, n in state["shown"].items() if n}
    assert set(state["never_shown"]) == set(state["groups"]) - shown


# -- records ---------------------------------------------------------------------------------------


def test_records_follow_the_run_schema_with_pseudonyms(url, tmp_path):
    store = RoomStore(url)
    room, tokens = class_of(store, names=("Ana Secretname", "Ben", "Chiara"))
    store.open_round(room.teacher_token)
    answer_all(store, tokens)
    rec = store.records(room.teacher_token)
    assert list(rec.frames["rounds"].columns) == list(ROUND_COLUMNS)
    assert list(rec.frames["groups"].columns) == list(GROUP_COLUMNS)
    assert list(rec.frames["queries"].columns)[: len(QUERY_COLUMNS)] == list(QUERY_COLUMNS)
    files = rec.files()
    assert set(files) == {"config.json", "rounds.csv", "groups.csv", "queries.csv"}
    assert RunConfig.from_json(files["config.json"]).resolve() == RunConfig.from_json(
        files["config.json"]
    )
    out = tmp_path / "run"
    out.mkdir()
    for name, text in files.items():
        (out / name).write_text(text, encoding="utf-8")
    queries = pd.read_csv(out / "queries.csv")
    assert list(queries.columns) == [*QUERY_COLUMNS, "annotator"]
    assert "Secretname" not in "".join(files.values())
    assert set(queries.loc[queries["round"] == 1, "annotator"]) == {
        "student-1",
        "student-2",
        "student-3",
    }


@pytest.mark.parametrize(
    "dataset, kind",
    [("digits", "image"), ("job_text:n_samples=300", "text"), ("german", "tabular")],
)
def test_items_show_the_record_as_the_data_set_words_it_never_its_label(url, dataset, kind):
    cfg = RunConfig.from_dict({"dataset": dataset, "batch_size": 4, "rounds": 1})
    store = RoomStore(url)
    room = store.create_room(cfg)
    token = store.join(room.code, "Ana")
    store.open_round(room.teacher_token)
    mine = store.items_for(token)
    assert len(mine) == 4 and {i.kind for i in mine} == {kind}
    item = mine[0]
    if kind == "image":
        assert np.shape(item.image) == (8, 8) and 0 <= np.min(item.image) <= np.max(item.image) <= 1
    elif kind == "text":
        assert item.text and " has " in item.text and item.fields == ()
    else:
        names = [n for n, _ in item.fields]
        assert {"purpose", "credit_amount", "sex"} <= set(names) and "credit" not in names
    assert store.student_state(token)["positive_label"]


# -- where the database lives ---------------------------------------------------------------------


def test_the_default_database_is_a_private_sqlite_file_and_the_env_overrides_it(
    tmp_path, monkeypatch
):
    import stat
    import tempfile

    from components.room_db import ENV_URL, UnsafeStoreError, default_url

    monkeypatch.delenv(ENV_URL, raising=False)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    url = default_url()
    folder = next(tmp_path.glob("who-gets-labeled-rooms-*"))
    assert url == f"sqlite:///{folder / 'rooms.sqlite'}"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    room = RoomStore().create_room(CFG)
    assert (folder / "rooms.sqlite").exists() and RoomStore(url).state(room.code)["round"] == 0

    folder.chmod(0o777)
    with pytest.raises(UnsafeStoreError, match="can be written by other users; .* WGL_ROOMS_URL"):
        default_url()
    other = f"sqlite:///{tmp_path / 'elsewhere' / 'r.sqlite'}"
    monkeypatch.setenv(ENV_URL, other)
    assert RoomStore().url == other
