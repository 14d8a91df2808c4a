"""The Lessons page: the list of lessons, and one lesson's six steps.

Where the viewer is lives in the URL (``dashboard.lesson_nav``); the runs,
charts and measured claims come from ``dashboard.lesson_runs``; what each
step says comes from the lesson (``components.lessons``). Lesson text is
plain text and is escaped wherever it is drawn as Markdown.
"""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from components.lessons import LESSONS, Lesson
from dashboard import lesson_nav as N
from dashboard import lesson_runs as R
from dashboard import lesson_steps as steps
from dashboard import state as S
from dashboard.figures import Style
from dashboard.safe import md_escape

PART = "lesson.part.{slug}"  # which watch step is shown (0-based)
ANSWER = "lesson.answer.{slug}"  # the choice picked on Predict (kept when the radio is gone)

#: Less empty space above the lesson, so a projector's one screen holds the step: a smaller
#: top margin, and no gap for the elements that only carry a page's style.
LESSON_CSS = """
<style>
[data-testid="stMainBlockContainer"] { padding-top: 1.5rem; }
[data-testid="stElementContainer"]:has(> [data-testid="stMarkdown"] style) { display: none; }
</style>
"""
#: Presenter mode's extra sizes for the lesson's own widgets (static CSS, no data).
PRESENTER_LESSON_CSS = """
<style>
[data-testid="stMainBlockContainer"] [data-baseweb="select"] div { font-size: 1.25rem; }
[data-testid="stMainBlockContainer"] [data-testid="stSliderThumbValue"] { font-size: 1.2rem; }
[data-testid="stMainBlockContainer"] [data-testid="stCode"] code { font-size: 1.1rem; }
[data-testid="stMainBlockContainer"] [data-testid="stExpander"] summary p { font-size: 1.3rem; }
</style>
"""
CHART_HEIGHT = 450


def text(value: object, *, limit: int = 3000) -> str:
    """Lesson text as Markdown that shows exactly that text."""
    return md_escape(value, limit=limit)


def lessons() -> dict[str, Lesson]:
    """Slug -> lesson, in the registry's order."""
    return {lesson.slug: lesson for lesson in LESSONS}


def _go(slug: str | None, step: int, part: int | None = None) -> None:
    """Callback: move to ``slug``'s ``step`` (the list when ``slug`` is None)."""
    ss = st.session_state
    if slug is not None and part is not None:
        ss[PART.format(slug=slug)] = part
    st.query_params.from_dict(N.place_to_query(slug, step, presenter=bool(ss.get(S.PRESENTER))))


def place() -> tuple[str | None, int]:
    """The lesson and step of the URL; refused values said once, and the URL fixed."""
    earlier = st.session_state.pop(S.URL_WARNING, None) or []  # e.g. a bad presenter flag
    notes: list[str] = [earlier] if isinstance(earlier, str) else list(earlier)
    slug, step = N.place_from_query(st.query_params.to_dict(), list(lessons()), notes)
    for note in notes:
        st.warning(md_escape(note, limit=600))
    want = N.place_to_query(slug, step, presenter=bool(st.session_state.get(S.PRESENTER)))
    if {k: st.query_params.get(k) for k in st.query_params} != want:
        st.query_params.from_dict(want)
    return slug, step


def page(style: Style) -> None:
    """Draw the Lessons page for the place in the URL."""
    slug, step = place()
    if slug is None:
        lesson_list()
    else:
        lesson_page(lessons()[slug], step, style)


def lesson_list() -> None:
    """Every lesson: its title, one-line story, minutes and source, and a button to start."""
    st.title("Lessons")
    st.markdown(
        "Each lesson asks you to **predict**, lets you **watch** a run, **reveals** what "
        "happened with the run's own numbers, **explains** why, gives two questions to "
        "**discuss**, and ends with one change to **try**. Every claim a lesson makes is "
        "checked over its seeds when the lesson is measured."
    )
    for i, lesson in enumerate(lessons().values(), start=1):
        with st.container(border=True):
            st.subheader(f"{i}. {text(lesson.title)}")
            st.markdown(text(lesson.story))
            st.caption(
                f"About {int(lesson.facilitator.minutes)} minutes · "
                + " · ".join(text(s, limit=400) for s in lesson.sources)
            )
            st.button(
                "Start this lesson",
                key=f"lesson.open.{lesson.slug}",
                on_click=_go,
                args=(lesson.slug, 1, 0),
                type="primary" if i == 1 else "secondary",
            )


def step_bar(step: int, part: int = 0, parts: int = 1) -> str:
    """The six steps on one line, the current one in bold (with Watch's part when it has several).

    >>> step_bar(2, 0, 3)
    '1 Predict → **2 Watch (1 of 3)** → 3 Reveal → 4 Explain → 5 Discuss → 6 Try this'
    >>> step_bar(6)
    '1 Predict → 2 Watch → 3 Reveal → 4 Explain → 5 Discuss → **6 Try this**'
    """
    names = [f"{i} {name}" for i, name in enumerate(N.STEPS, start=1)]
    if step == 2 and parts > 1:
        names[1] += f" ({part + 1} of {parts})"
    names[step - 1] = f"**{names[step - 1]}**"
    return " → ".join(names)


def answer(lesson: Lesson) -> str | None:
    """The key of the choice this session picked on Predict, or None."""
    return st.session_state.get(ANSWER.format(slug=lesson.slug))


def lesson_page(lesson: Lesson, step: int, style: Style) -> None:
    """One lesson at one step: title, Back/Next with the six steps, the step, the notes."""
    presenter = bool(st.session_state.get(S.PRESENTER))
    st.markdown(LESSON_CSS, unsafe_allow_html=True)  # static CSS, no data
    if presenter:
        st.markdown(PRESENTER_LESSON_CSS, unsafe_allow_html=True)
    part = int(st.session_state.get(PART.format(slug=lesson.slug), 0))
    part = min(max(part, 0), len(lesson.watch) - 1)
    number = list(lessons()).index(lesson.slug) + 1
    row = st.container(horizontal=True, vertical_alignment="center", gap="small")
    row.markdown(f"### {number}\\. {text(lesson.title)}")
    nav(row, lesson, step, part)
    row.button("All lessons", key="lesson.list", on_click=_go, args=(None, 1), type="tertiary")
    st.markdown(step_bar(step, part, len(lesson.watch)))
    if step > 1 and answer(lesson) is None and not presenter:
        st.caption("No prediction made on this screen yet: step 1 asks for one.")
    if step < 3:
        R.prepare(lesson)  # the Reveal's numbers, measured while the class predicts
    with st.container(border=True):
        if step == 1:
            steps.predict(lesson, ANSWER.format(slug=lesson.slug))
        elif step == 2:
            steps.watch(lesson, part, lesson_style(style))
        elif step == 3:
            steps.reveal(lesson)
        elif step == 4:
            steps.explain(lesson)
        elif step == 5:
            steps.discuss(lesson)
        else:
            steps.try_this(lesson, presenter=presenter, base=app_base(), style=lesson_style(style))
    facilitator(lesson)
    st.caption("Link to this step, for your class (students open it in their browser):")
    st.code(app_base() + N.lesson_link(lesson.slug, step), language=None, wrap_lines=True)


def app_base() -> str:
    """The app's address as this browser reached it, ending in "/" ("" when unknown).

    A lesson link is relative to it: ``<base>lessons?lesson=...``.
    """
    url = st.context.url or ""
    if not url.startswith(("http://", "https://")):
        return ""
    path = url.split("?")[0].split("#")[0]
    return path[: path.rfind("/") + 1]


def lesson_style(style: Style) -> Style:
    """Chart sizes for a lesson: the page's, a little shorter, so that on a 1280x720
    projector the step's sentence and its chart fit one screen.

    >>> lesson_style(Style.presenter()).height, lesson_style(Style.presenter()).font
    (450, 22)
    """
    return replace(style, height=min(style.height, CHART_HEIGHT))


def nav(row, lesson: Lesson, step: int, part: int) -> None:
    """Back and Next (← and → on the keyboard); Watch steps through its parts first."""
    last_part = len(lesson.watch) - 1
    if step == 2 and part > 0:
        back = (lesson.slug, 2, part - 1)
    elif step == 3:
        back = (lesson.slug, 2, last_part)
    else:
        back = (lesson.slug, max(step - 1, 1), 0)
    if step == 2 and part < last_part:
        nxt = (lesson.slug, 2, part + 1)
    elif step == 1:
        nxt = (lesson.slug, 2, 0)
    else:
        nxt = (lesson.slug, min(step + 1, len(N.STEPS)), last_part)
    row.button(
        "← Back", key="lesson.back", on_click=_go, args=back, disabled=step == 1, shortcut="Left"
    )
    waiting = step == 1 and answer(lesson) is None
    row.button(
        "Next →",
        key="lesson.next",
        on_click=_go,
        args=nxt,
        type="primary",
        disabled=waiting or step == len(N.STEPS),
        help="Answer the question first." if waiting else None,
        shortcut="Right",
    )


def facilitator(lesson: Lesson) -> None:
    """The facilitator's notes: timing, expected answers, common misconceptions."""
    f = lesson.facilitator
    with st.expander("Facilitator notes (timing, expected answers, misconceptions)"):
        st.markdown(f"**Timing:** about {int(f.minutes)} minutes in all.")
        st.markdown(f"**Expected answers:** {text(f.expected_answers)}")
        st.markdown("**Common misconceptions**")
        st.markdown("\n".join(f"- {text(m)}" for m in f.misconceptions))
