"""A class in real browsers: a teacher on a 1280x720 projector and three students on phones.

The teacher opens a room on the default preset (census records), the
students join from 390x844 screens with the join link, label their own
items, and the class runs two rounds; at the end the teacher's screen names
the groups the class was never shown. The server has its own room database
(``WGL_ROOMS_URL``), the store's own setting.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.server import free_port, streamlit_server
from tests.e2e.conftest import ROOT

pytestmark = pytest.mark.e2e

IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
PHONE = {"width": 390, "height": 844}
NAMES = ("Ana", "Ben", "Chloé")


@pytest.fixture(scope="module")
def room_server(browser, tmp_path_factory) -> Iterator[str]:
    """A server whose room database is a fresh file (set before it starts)."""
    db = tmp_path_factory.mktemp("rooms") / "rooms.sqlite"
    old = os.environ.get("WGL_ROOMS_URL")
    os.environ["WGL_ROOMS_URL"] = f"sqlite:///{db}"
    try:
        log = ROOT / "tests" / "e2e" / "screenshots" / "server-rooms.log"  # git-ignored
        log.parent.mkdir(parents=True, exist_ok=True)
        with streamlit_server(free_port(), log, timing=False) as (url, _pid):
            yield url
    except RuntimeError as exc:
        pytest.fail(str(exc))
    finally:
        if old is None:
            os.environ.pop("WGL_ROOMS_URL", None)
        else:
            os.environ["WGL_ROOMS_URL"] = old


def idle(page, timeout: float = 120_000) -> None:
    page.wait_for_selector(IDLE, timeout=timeout)


def label_all(page, n_round: int, mine: int, shot: Path | None = None) -> int:
    """Answer every card on a student's page and send; returns how many were answered."""
    page.wait_for_function(
        "([n, mine]) => document.body.innerText.includes(`Round ${n} of`)"
        " && document.querySelectorAll('[data-testid=stRadio]').length == mine",
        arg=[n_round, mine],
        timeout=60_000,
    )
    idle(page)
    if shot is not None:  # the phone as the student first sees their items
        page.screenshot(path=str(shot))
    radios = page.locator("[data-testid=stRadio]")
    n = radios.count()
    for i in range(n):
        radios.nth(i).get_by_text("Yes" if i % 2 == 0 else "No", exact=True).click()
    page.get_by_role("button", name="Send my labels").click()
    idle(page)
    return n


def test_teacher_and_three_phones_label_two_rounds(room_server, browser, shots):
    teacher_ctx = browser.new_context(viewport={"width": 1280, "height": 720})
    phones = [browser.new_context(viewport=PHONE, has_touch=True) for _ in NAMES]
    try:
        teacher = teacher_ctx.new_page()
        teacher.goto(f"{room_server}/room")
        idle(teacher)
        teacher.get_by_role("spinbutton", name="Items per round").fill("6")
        teacher.keyboard.press("Enter")
        idle(teacher)
        teacher.get_by_role("spinbutton", name="Rounds").fill("2")
        teacher.keyboard.press("Enter")
        idle(teacher)
        teacher.get_by_role("button", name="Open the room").click()
        teacher.wait_for_selector(".wgl-code", timeout=120_000)
        idle(teacher)
        code = teacher.inner_text(".wgl-code").strip()
        assert len(code) == 6
        assert "teacher=" in teacher.url
        teacher.screenshot(path=str(shots / "room-teacher-1280x720.png"))

        students = []
        for ctx, name in zip(phones, NAMES, strict=True):
            pg = ctx.new_page()
            pg.goto(f"{room_server}/join?room={code}")
            idle(pg)
            pg.get_by_role("textbox", name="Your name").fill(name)
            pg.get_by_role("button", name="Join").click()
            pg.wait_for_function(
                "(name) => document.body.innerText.includes('Hello ' + name)", arg=name
            )
            assert "token=" in pg.url
            students.append(pg)

        # The teacher's page polls: three joined, then the next round can open.
        teacher.wait_for_function(
            "() => document.body.innerText.includes('Open round 1 of 2')"
            " && [...document.querySelectorAll('[data-testid=stMetricValue]')]"
            ".some(m => m.innerText.trim() == '3')",
            timeout=30_000,
        )
        for n_round in (1, 2):
            teacher.get_by_role("button", name=f"Open round {n_round} of 2").click()
            idle(teacher)
            first = shots / "room-student-390x844.png" if n_round == 1 else None
            answered = [
                label_all(pg, n_round, 2, first if k == 0 else None)
                for k, pg in enumerate(students)
            ]
            assert sum(answered) == 6 and all(a == 2 for a in answered)
            if n_round == 1:
                shot = students[0]
                assert "Round 1 of 2" in shot.inner_text("body")
                width = shot.evaluate("() => document.documentElement.scrollWidth")
                assert width <= PHONE["width"], width  # nothing wider than the phone
                boxes = shot.evaluate(
                    "() => [...document.querySelectorAll('[data-testid=stRadio] [role=radiogroup] label')]"
                    ".map(l => l.getBoundingClientRect().height)"
                )
                assert boxes and min(boxes) >= 44, boxes  # touch-sized targets
                shot.screenshot(path=str(shots / "room-student-sent-390x844.png"))
            # The batch is complete: the round closes and the teacher's page redraws.
            teacher.wait_for_function(
                "(n) => document.body.innerText.includes(`after round ${n}`)",
                arg=n_round,
                timeout=60_000,
            )
            idle(teacher)
        body = teacher.inner_text("body")
        assert "Who the model never asked you about" in body
        assert "Traceback" not in body and "Internal error" not in body
        for name in NAMES:
            assert name not in body  # names are off by default
        top = teacher.get_by_text("Who the model never asked you about").bounding_box()
        assert top is not None and top["y"] < 360, top  # the ending leads the projector screen
        teacher.screenshot(path=str(shots / "room-teacher-end-1280x720.png"))
        teacher.set_viewport_size({"width": 1280, "height": 2600})
        idle(teacher)
        teacher.wait_for_timeout(800)  # plotly redraws at the new size
        teacher.screenshot(path=str(shots / "room-teacher-end-tall.png"))
        end = students[1]
        end.wait_for_function(
            "() => document.body.innerText.includes('All rounds are done')", timeout=30_000
        )
        end.screenshot(path=str(shots / "room-student-end-390x844.png"))
    finally:
        for ctx in (teacher_ctx, *phones):
            ctx.close()
