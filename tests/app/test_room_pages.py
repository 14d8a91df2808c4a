"""AppTest: a teacher opens a room, two students label on their own pages, the model refits.

Each person is a separate AppTest session (their own session state), all
served by one process and one room database, as a class on one server. The
room's run is the teacher's last Explore run (the clusters data set, where
least confidence is known to overlook the small far cluster), so the end
screen has a group the class was never shown. What the pages show is checked
against an independent ``RoomStore`` on the same database (as a second
server process would read it).
"""

from __future__ import annotations

import base64
import re
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from components.config import RunConfig
from components.rooms import RoomStore
from dashboard import room_join as J
from dashboard import room_view as V
from dashboard import state as S

APP = str(Path(__file__).resolve().parents[2] / "dashboard_app.py")
ROOM = "dashboard/pages/room.py"
JOIN = "dashboard/pages/join.py"
CFG = RunConfig.from_dict(
    {
        "dataset": "clusters:n_samples=600",
        "strategy": "least_confidence",
        "initial_size": 5,
        "batch_size": 6,
        "rounds": 2,
    }
)


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> str:
    """One room database for the module, named by the store's own setting."""
    url = f"sqlite:///{tmp_path_factory.mktemp('rooms') / 'rooms.sqlite'}"
    mp = pytest.MonkeyPatch()
    mp.setenv("WGL_ROOMS_URL", url)
    yield url
    mp.undo()


def ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def plain(s: str) -> str:
    return re.sub(r"\\(.)", r"\1", s).replace("\u2060", "")


def text(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [i.value for i in at.info]
    parts += [s.value for s in at.success] + [c.value for c in at.caption]
    parts += [h.value for h in at.header] + [h.value for h in at.subheader]
    return plain("\n".join(parts))


def page(path: str, params: dict[str, str] | None = None, **state) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for k, v in (params or {}).items():
        at.query_params[k] = v
    for k, v in state.items():
        at.session_state[k] = v
    at.switch_page(path)
    return at.run()


def join(code: str, name: str) -> AppTest:
    at = page(JOIN, {"room": code})
    ok(at)
    assert at.text_input(key=J.CODE).value == code  # the join link fills the code in
    at.text_input(key=J.NAME).input(name)
    at.button(key="join.submit").click().run()
    ok(at)
    return at


def param(at: AppTest, key: str) -> str:
    value = at.query_params[key]
    return value[0] if isinstance(value, list) else value


def item_keys(at: AppTest) -> list[str]:
    return [r.key for r in at.radio if str(r.key).startswith("join.item.")]


def label(at: AppTest, answers: dict[str, str]) -> AppTest:
    for key, value in answers.items():
        at.radio(key=key).set_value(value)
    return at.button(key="join.send").click().run()


@pytest.fixture(scope="module")
def room(db):
    """The teacher's session with a room open on the Explore run, and two students joined."""
    teacher = page(ROOM, **{S.LAST_GOOD: CFG})
    ok(teacher)
    assert "My Explore settings (the run I last drew on Explore)" in (
        teacher.radio(key=V.SOURCE).options
    )
    teacher.radio(key=V.SOURCE).set_value("explore")
    teacher.number_input(key=V.BATCH).set_value(6)
    teacher.number_input(key=V.ROUNDS).set_value(2)
    teacher.button(key="room.open").click().run()
    ok(teacher)
    token = param(teacher, "teacher")
    store = RoomStore(db)  # an independent reader on the same database
    code = store.state(token)["code"]
    assert code in "".join(m.value for m in teacher.markdown)
    assert "do not share it" in text(teacher)
    qr = [i.proto.imgs[0].url for i in teacher.get("image")]
    assert len(qr) == 1 and qr[0].startswith("data:image/svg+xml;base64,")
    assert b"href" not in base64.b64decode(qr[0].split(",", 1)[1])  # drawn inline, fetches nothing
    ana, ben = join(code, "Ana"), join(code, "Ben")
    return {"teacher": teacher, "token": token, "code": code, "store": store, "a": ana, "b": ben}


def test_a_round_split_labelled_closed_and_refitted(room):
    teacher, store, token = room["teacher"], room["store"], room["token"]
    teacher.run()
    ok(teacher)
    assert "Students joined" in [m.label for m in teacher.metric]
    assert [m.value for m in teacher.metric if m.label == "Students joined"] == ["2"]
    teacher.button(key="room.next").click().run()
    ok(teacher)
    assert "Round 1 is open: 6 items split among 2 students" in text(teacher)
    a, b = room["a"], room["b"]
    a.run(), b.run()
    keys_a, keys_b = item_keys(a), item_keys(b)
    assert len(keys_a) == len(keys_b) == 3 and not set(keys_a) & set(keys_b)
    assert "Ben" not in text(a) and "Ana" not in text(b)  # nobody else's name
    label(a, dict.fromkeys(keys_a, "Yes"))
    ok(a)
    assert "all yours are done" in text(a)
    label(b, {keys_b[0]: "No"})
    ok(b)
    assert "You have 2 left" in text(b)

    teacher.run()
    ok(teacher)
    assert [m.value for m in teacher.metric if m.label == "Labelled this round"] == ["4 of 6"]
    before = store.records(token).frames["rounds"]
    teacher.button(key="room.close").click().run()
    ok(teacher)
    assert "Round 1 closed: the model refitted on 4 labels from the class and 2 from the" in (
        text(teacher)
    )
    after = store.records(token).frames["rounds"]
    assert len(after) == len(before) + 1 and after["n_labeled"].iloc[-1] == 5 + 6
    # The labels against the truth per group, as the store counts them.
    assert len(teacher.dataframe) == 1  # names are off: no roster
    table = teacher.dataframe[0].value
    tally = {t["group"]: t for t in store.state(token)["labels_vs_truth"]}
    for _, row in table.iterrows():
        assert row["labelled by the class"] == tally[row["group"]]["labelled"]
    assert sum(table["labelled by the class"]) == 4
    assert "The class gave 4 labels" in text(teacher)
    assert "after round 1" in text(teacher)
    assert len(teacher.get("plotly_chart")) == 2  # the ledger and per-group accuracy

    # A late submission for the closed round: one clear message, no traceback.
    label(b, {keys_b[1]: "Yes"})
    assert not b.exception
    assert len(b.error) == 1 and "round 1 is closed" in plain(b.error[0].value)


def test_reload_gets_items_back_and_forged_token_is_refused(room):
    teacher, code = room["teacher"], room["code"]
    teacher.button(key="room.next").click().run()
    ok(teacher)
    a = room["a"]
    a.run()
    keys = item_keys(a)
    assert len(keys) == 3
    label(a, {keys[0]: "No"})
    token = param(a, "token")
    again = page(JOIN, {"room": code, "token": token})  # a reload: a new session, same link
    ok(again)
    assert item_keys(again) == keys
    assert again.radio(key=keys[0]).value == "No"  # the answer given before the reload
    assert "Hello **Ana**" in text(again)

    forged = page(JOIN, {"room": code, "token": token[:-3] + "xyz"})
    assert not forged.exception
    assert len(forged.error) == 1 and "student token" in plain(forged.error[0].value)
    assert not item_keys(forged)


def test_bad_name_is_one_message(room):
    at = page(JOIN, {"room": room["code"]})
    at.text_input(key=J.NAME).input("Bob\u202e")
    at.button(key="join.submit").click().run()
    assert not at.exception
    assert len(at.error) == 1 and "display name" in plain(at.error[0].value)
    assert not item_keys(at)


def test_last_round_shows_who_was_never_shown(room):
    teacher, store, token = room["teacher"], room["store"], room["token"]
    for who in ("a", "b"):
        st_ = room[who]
        st_.run()
        label(st_, dict.fromkeys(item_keys(st_), "Yes"))
        ok(st_)
    state = store.state(token)
    assert state["done"] and state["round"] == 2  # the batch completed: closed by itself
    teacher.run()
    ok(teacher)
    assert [h.value for h in teacher.header] == ["Who the model never asked you about"]
    never = state["never_shown"]
    assert never == ["minority"], state["shown"]  # least confidence overlooked the far cluster
    words = text(teacher)
    assert "never asked the class about anyone from minority" in words
    share = next(r["pool_share"] for r in state["ledger"] if r["group"] == "minority")
    assert f"{share:.0%} of the people it could have asked" in words
    assert "room.next" not in [b.key for b in teacher.button]
    # The students' own pages say the rounds are over.
    room["b"].run()
    assert "All rounds are done" in text(room["b"])


def test_a_closed_teacher_browser_gets_the_room_back(room):
    again = page(ROOM, {"teacher": room["token"]})
    ok(again)
    assert room["code"] in "".join(m.value for m in again.markdown)
    assert [h.value for h in again.header] == ["Who the model never asked you about"]
    forged = page(ROOM, {"teacher": "not-the-teacher-token"})
    assert not forged.exception
    assert len(forged.error) == 1 and "teacher token" in plain(forged.error[0].value)


def test_names_show_only_when_the_teacher_turns_them_on(room):
    teacher = page(ROOM, {"teacher": room["token"]})
    ok(teacher)
    assert len(teacher.dataframe) == 1  # the labels table only: no roster
    teacher.toggle(key="room.names_live").set_value(True).run()
    ok(teacher)
    roster = [d.value for d in teacher.dataframe if "name" in d.value.columns]
    assert len(teacher.dataframe) == 2 and list(roster[0]["name"]) == ["Ana", "Ben"]
    teacher.toggle(key="room.names_live").set_value(False).run()
    ok(teacher)
    assert len(teacher.dataframe) == 1
    assert not room["store"].state(room["token"])["show_names"]


def test_a_digit_is_shown_as_its_image(db):
    digits = CFG.with_changes(dataset="digits", initial_size=20, batch_size=2, rounds=1)
    teacher = page(ROOM, **{S.LAST_GOOD: digits})
    teacher.radio(key=V.SOURCE).set_value("explore")
    teacher.number_input(key=V.BATCH).set_value(2)
    teacher.number_input(key=V.ROUNDS).set_value(1)
    teacher.button(key="room.open").click().run()
    ok(teacher)
    code = RoomStore(db).state(param(teacher, "teacher"))["code"]
    student = join(code, "Dana")
    teacher.run()  # in a browser the page's poll notices the join
    teacher.button(key="room.next").click().run()
    student.run()
    ok(student)
    assert len(item_keys(student)) == 2
    assert len(student.get("image")) == 2  # one 8x8 digit per card, drawn large
    words = RoomStore(db).student_state(param(student, "token"))["positive_label"]
    assert all(plain(r.label) == f"Is this one: {words}?" for r in student.radio)  # its words


def test_an_expired_room_is_one_message_on_both_pages(db):
    past = RoomStore(db, clock=lambda: time.time() - 13 * 3600)  # opened 13 hours ago
    old = past.create_room(CFG)
    token = past.join(old.code, "Eve")
    for path, params, who in (
        (JOIN, {"room": old.code, "token": token}, "student token"),
        (ROOM, {"teacher": old.teacher_token}, "teacher token"),
    ):
        at = page(path, params)
        assert not at.exception
        assert len(at.error) == 1 and who in plain(at.error[0].value)
        assert "rooms last 12 hours" in plain(at.error[0].value)
    joined = page(JOIN, {"room": old.code})
    joined.text_input(key=J.NAME).input("Fay")
    joined.button(key="join.submit").click().run()
    assert len(joined.error) == 1 and "room code" in plain(joined.error[0].value)
