"""What each of a lesson's six steps draws: predict, watch, reveal, explain, discuss, try this.

Called by ``dashboard.lesson_view`` inside the step's frame. Lesson text is
plain text, escaped wherever it is drawn as Markdown; every number shown
comes from the lesson's runs (``components.lessons.measure_lesson``).
"""

from __future__ import annotations

import streamlit as st

from components.lessons import Lesson
from dashboard import lesson_knob as K
from dashboard import lesson_nav as N
from dashboard import lesson_runs as R
from dashboard.figures import Style
from dashboard.safe import md_escape

SEED = "lesson.seed.{slug}"  # the seed Watch shows, and Try this starts from


def text(value: object, *, limit: int = 3000) -> str:
    """Lesson text as Markdown that shows exactly that text."""
    return md_escape(value, limit=limit)


def seed(lesson: Lesson) -> int:
    """The seed this session watches: the lesson's first, unless another was picked."""
    chosen = st.session_state.get(SEED.format(slug=lesson.slug))
    return chosen if chosen in lesson.seeds else lesson.seeds[0]


def _answered(widget: str, store: str) -> None:
    """Callback: keep a widget's value under ``store`` (a widget not drawn loses its own)."""
    st.session_state[store] = st.session_state.get(widget)


def choice_label(lesson: Lesson, key: str) -> str:
    """A choice as the radio shows it, e.g. "(a) About 10, its share of the patients"."""
    c = next(c for c in lesson.predict.choices if c.key == key)
    return f"({c.key}) {c.text}"


def predict(lesson: Lesson, store: str) -> None:
    """The story and the question, answered once; then whether it matched, the runs'
    answer and why."""
    q = lesson.predict
    st.markdown(text(lesson.story))
    st.markdown(f"### {text(q.prompt)}")
    picked = st.session_state.get(store)
    keys = [c.key for c in q.choices]
    radio = f"lesson.pick.{lesson.slug}"
    st.radio(
        "Your prediction (pick one)",
        keys,
        format_func=lambda k: text(choice_label(lesson, k), limit=600),
        index=keys.index(picked) if picked in keys else None,
        key=radio,
        disabled=picked in keys,
        on_change=_answered,
        args=(radio, store),
    )
    if picked not in keys:
        st.caption("Nothing moves until you answer: decide, then pick one.")
        return
    if picked == q.answer:
        st.success("Your prediction matches what the runs show.")
    else:
        st.warning(
            "The runs show something else: " + text(choice_label(lesson, q.answer), limit=600)
        )
    st.markdown(text(q.why))


def watch(lesson: Lesson, part: int, style: Style) -> None:
    """One watch step: its sentence, and the one chart it is about, from the lesson's run."""
    w = lesson.watch[part]
    st.markdown(f"#### {text(w.text)}")
    first = lesson.seeds[0]
    s = seed(lesson)
    run = R.trace(lesson.config(w.run, s))
    if run is None:
        return
    chart = st.container()  # drawn after the controls below have said the round
    r = run.last_round if w.round is None else min(max(int(w.round), 0), run.last_round)
    a, b = st.columns([3, 1], vertical_alignment="bottom")
    r = a.slider(
        "Round (drag to watch it move)",
        0,
        run.last_round,
        r,
        key=f"lesson.round.{lesson.slug}.{part}.{s}",
    )
    pick = f"lesson.seedpick.{lesson.slug}"
    b.selectbox(
        "Seed",
        lesson.seeds,
        index=lesson.seeds.index(s),
        key=pick,
        on_change=_answered,
        args=(pick, SEED.format(slug=lesson.slug)),
        help="The lesson's claims are checked over all of these seeds. Split them across "
        "the class and compare.",
    )
    with chart:
        if s != first:
            st.caption(f"The sentence above describes seed {first}; this is seed {s}.")
        R.draw_chart(run, w.chart, r, style, widget="lesson_chart")


def reveal(lesson: Lesson) -> None:
    """What happened, in the runs' own numbers: the filled reveal, then each claim as checked."""
    result = R.measured(lesson)
    if result is None:
        return
    st.markdown(f"### {text(result.reveal)}")
    n = len(result.seeds)
    for c in result.claims:
        mark = (
            f":green[**Holds (checked over {n} seeds):**]"
            if c.passed
            else f":red[**Does not hold (checked over {n} seeds):**]"
        )
        st.markdown(f"{mark} {text(c.text)}")
    failed = [c for c in result.claims if not c.passed]
    if failed:
        st.warning(
            f"{len(failed)} of {len(result.claims)} claims do not hold over the seeds they "
            "were checked on: treat them as open questions, not findings."
        )
    st.caption(
        f"Measured over seeds {', '.join(str(s) for s in result.seeds)} of every run this "
        "lesson declares; every number above comes from those runs."
    )
    with st.expander("Every measured number"):
        st.table(
            [
                {"claim": c.key, "number": k, "value": f"{v:.4g}"}
                for c in result.claims
                for k, v in c.numbers.items()
            ]
        )


def explain(lesson: Lesson) -> None:
    """Why it happened, in two or three sentences, and the work it builds on."""
    st.markdown(f"### {text(lesson.explain)}")
    st.caption("Sources: " + " · ".join(text(s, limit=400) for s in lesson.sources))


def discuss(lesson: Lesson) -> None:
    """The two questions for the class."""
    st.markdown("### Discuss")
    for i, q in enumerate(lesson.discuss, start=1):
        st.markdown(f"#### {i}. {text(q)}")


def try_this(lesson: Lesson, *, presenter: bool, base: str, style: Style) -> None:
    """One change to make, what to look for, a link that opens Explore with it applied,
    and the brief of the lesson's main run.

    ``base`` is the app's address ("" when unknown): the brief's replay link needs it.
    """
    t = lesson.try_this
    st.markdown(f"### Try this: {text(t.change)}")
    st.markdown(f"**Look for:** {text(t.look_for)}")
    s = seed(lesson)
    change = lesson.try_config(s)
    row = st.container(horizontal=True, gap="medium")
    row.link_button(
        "Open Explore with this change",
        N.explore_link(change, presenter=presenter),
        type="primary",
        help="Opens in a new tab: the lesson's run with the change applied, round by round.",
    )
    config = lesson.config(t.base, s)
    # The brief's replay link must open this very run: not when Explore would clamp it.
    exact = not N.explore_notes(config)
    replay = base + N.explore_link(config)[2:] if base and exact else None
    with row:
        R.brief_button(config, replay_url=replay)
    for note in N.explore_notes(change):
        st.caption(
            "Explore cannot hold one setting of this lesson's run, so its link differs: "
            + md_escape(note, limit=300)
            + "."
        )
    try_here(lesson, s, style)


def try_here(lesson: Lesson, s: int, style: Style) -> None:
    """The change's number as a slider, with the runs it applies to side by side."""
    base = lesson.config(lesson.try_this.base, s).resolve()
    knob = K.find_knob(base, lesson.try_config(s).resolve())
    if knob is None:
        return
    names = [n for n in lesson.runs if n != lesson.try_this.base]
    others = [lesson.config(n, s).resolve() for n in names]
    picked = [names[i] for i in K.related(base, others, knob)]
    shown = [lesson.try_this.base, *picked]
    steps = [w for w in lesson.watch if w.run in shown] or list(lesson.watch)
    chart = steps[-1].chart
    st.markdown(f"#### Try it here: {text(knob.label)}")
    value = st.select_slider(
        f"{knob.label} (the lesson's run has {knob.start:g}; the change sets {knob.end:g})",
        options=knob.values(),
        value=knob.end,
        key=f"lesson.knob.{lesson.slug}",
        format_func=lambda v: f"{v:g}",
    )
    cells = st.columns(len(shown)) if len(shown) > 1 else [st.container()]
    for i, (name, cell) in enumerate(zip(shown, cells, strict=True)):
        config = K.apply(knob, lesson.config(name, s).resolve(), value)
        with cell:
            st.markdown(f"**{text(K.describe(config))}**")
            run = R.trace(config)
            if run is not None:
                R.draw_chart(
                    run,
                    chart,
                    run.last_round,
                    style,
                    widget=f"lesson_try_{i}",
                    width="half" if len(shown) > 1 else "full",
                )
