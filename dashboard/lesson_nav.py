"""Where a viewer is in the lessons, read from and written to the URL.

``?lesson=<slug>&step=<1..6>`` opens a lesson at a step, so a teacher can
hand out a link; ``presenter=1`` keeps presenter mode. Values from a URL are
untrusted: an unknown lesson falls back to the list and a bad step to step 1,
each said in one plain-text line naming the field, the value and what is
allowed. No streamlit here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

from components.config import RunConfig
from dashboard import state as S

#: The six steps of every lesson, in order (step n is ``STEPS[n - 1]``).
STEPS = ("Predict", "Watch", "Reveal", "Explain", "Discuss", "Try this")

MSG_LESSON = "lesson: {value!r} is not a lesson; allowed: {allowed}; showing the list of lessons"
MSG_STEP = "step: {value!r} is not a step; allowed: 1 to {last}; showing step 1"


def _last(v: Any) -> str | None:
    if isinstance(v, list):
        return v[-1] if v else None
    return None if v is None else str(v)


def place_from_query(
    params: Mapping[str, Any], slugs: Sequence[str], notes: list[str] | None = None
) -> tuple[str | None, int]:
    """The lesson and step a URL asks for, or the list (``None``) and step 1.

    Parameters
    ----------
    params : mapping
        ``st.query_params.to_dict()``-like (lists allowed).
    slugs : sequence of str
        The lessons there are.
    notes : list of str, optional
        Receives one plain-text line per value refused.

    Returns
    -------
    (str or None, int)
        The lesson's slug (``None``: the list of lessons) and the step, 1 to 6.

    Examples
    --------
    >>> place_from_query({"lesson": "b", "step": "3"}, ["a", "b"])
    ('b', 3)
    >>> notes = []
    >>> place_from_query({"lesson": "b", "step": "99"}, ["a", "b"], notes), notes
    (('b', 1), ["step: '99' is not a step; allowed: 1 to 6; showing step 1"])
    >>> notes = []
    >>> place_from_query({"lesson": "zz", "step": "2"}, ["a", "b"], notes), notes
    ((None, 1), ["lesson: 'zz' is not a lesson; allowed: a, b; showing the list of lessons"])
    >>> place_from_query({}, ["a"])
    (None, 1)
    """
    notes = [] if notes is None else notes
    raw = _last(params.get("lesson"))
    if raw is None or raw == "":
        return None, 1
    if raw not in slugs:
        notes.append(MSG_LESSON.format(value=raw[:60], allowed=", ".join(slugs)))
        return None, 1
    step_raw = _last(params.get("step"))
    if step_raw is None or step_raw == "":
        return raw, 1
    step = step_raw.strip()
    if not (step.isdigit() and 1 <= int(step) <= len(STEPS)):
        notes.append(MSG_STEP.format(value=step_raw[:40], last=len(STEPS)))
        return raw, 1
    return raw, int(step)


def place_to_query(slug: str | None, step: int, *, presenter: bool) -> dict[str, str]:
    """URL parameters for a place in the lessons (the list when ``slug`` is None).

    Examples
    --------
    >>> place_to_query("cluster", 2, presenter=True)
    {'lesson': 'cluster', 'step': '2', 'presenter': '1'}
    >>> place_to_query(None, 4, presenter=False)
    {}
    """
    out = {"lesson": slug, "step": str(int(step))} if slug is not None else {}
    return out | ({"presenter": "1"} if presenter else {})


def lesson_link(slug: str, step: int = 1, *, presenter: bool = False) -> str:
    """A relative link to a lesson's step, for a teacher to hand out.

    Examples
    --------
    >>> lesson_link("cluster", 2)
    'lessons?lesson=cluster&step=2'
    """
    return "lessons?" + urlencode(place_to_query(slug, step, presenter=presenter))


def explore_link(config: RunConfig, *, presenter: bool = False) -> str:
    """A relative link from the Lessons page that opens Explore on ``config``.

    Explore is the app's root page, so the link is ``./?<config>``; it carries
    the whole config (``state.config_to_query``), so it opens that run in a new
    session.

    Examples
    --------
    >>> link = explore_link(S.DEFAULT_CONFIG)
    >>> link.startswith("./?dataset=adult") and "scenario=label_bias" in link
    True
    """
    query = S.config_to_query(config) | ({"presenter": "1"} if presenter else {})
    return "./?" + urlencode(query, doseq=True)


def explore_notes(config: RunConfig) -> list[str]:
    """What Explore changes when it opens :func:`explore_link` of ``config`` (plain text).

    Explore's controls have narrower ranges than the core for some fields (a
    test share of at most 0.8, for one): a link's value outside them is
    clamped, and each clamp is one note. An empty list: Explore opens exactly
    ``config``.

    Examples
    --------
    >>> explore_notes(S.DEFAULT_CONFIG)
    []
    >>> explore_notes(S.DEFAULT_CONFIG.with_changes(test_size=0.85))
    ['test_size: 0.85 is out of range; allowed: 0.05 to 0.8; using 0.8']
    """
    notes: list[str] = []
    S.config_from_query(S.config_to_query(config), notes)
    return notes
