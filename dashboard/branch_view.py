"""Explore's "Branch from this round": the control, the URL, and both timelines on one chart.

The branch itself is computed by ``components.branch`` through
``dashboard.branch_runs`` (cache, budget, simulation slots). A branch belongs
to the main run it was made from: changing the sidebar's settings drops it.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from components.branch import BranchSpec, branch_config
from components.scenarios import SCENARIOS
from components.strategies import STRATEGIES
from components.trace import RunTrace
from dashboard import branch_charts as BC
from dashboard import state as S
from dashboard.branch_runs import BRANCHES
from dashboard.controls import strategy_label
from dashboard.figure_fit import fit
from dashboard.figures import Style
from dashboard.safe import md_escape
from dashboard.session import error_text, waiting_text
from dashboard.views import show
from specs import Spec

SPEC = "branch.spec"  # the active BranchSpec, or None
FOR = "branch.for"  # the main config (json) it belongs to
URL_READ = "branch.url_read"
NOTE = "branch.note"  # a one-line message to show once
W_KIND = "branch.w.kind"
W_STRATEGY = "branch.w.strategy"
W_FLIP = "branch.w.flip"
W_RATE = "branch.w.rate"
W_ROUND = "branch.w.round"  # in classroom mode, where the browser animates the rounds
KINDS = {
    "strategy": "Another strategy",
    "bias": "Another label-bias strength",
    "annotator": "Another annotator",
}
MSG_LINK = "The link's branch was not used ({why}); showing the run without a branch."


def _params() -> dict[str, Any]:
    q = st.query_params
    out: dict[str, Any] = {k: q.get(k) for k in ("branch", "branch_strategy") if k in q}
    scen = q.get_all("branch_scenario")
    if scen:
        out["branch_scenario"] = scen
    return out


def load_url(trace: RunTrace) -> None:
    """On the session's first Explore run, take the branch from the link (bad: one message)."""
    ss = st.session_state
    if ss.get(URL_READ):
        return
    ss[URL_READ] = True
    try:
        spec = BranchSpec.from_query(_params())
        if spec is not None:
            branch_config(trace.config, spec)
    except Exception as exc:  # noqa: BLE001 -- a link is untrusted; a bug is said as one
        ss[NOTE] = MSG_LINK.format(why=error_text(exc))
        spec = None
    ss[SPEC], ss[FOR] = spec, trace.config.to_json()
    if spec is not None:
        _widgets_from(spec)


def _widgets_from(spec: BranchSpec) -> None:
    """Set the control's widgets to what a linked branch changes (the first change)."""
    ss = st.session_state
    ss[W_ROUND] = spec.at_round
    if spec.strategy is not None:
        ss[W_KIND], ss[W_STRATEGY] = "strategy", spec.strategy.name
    for change in spec.scenarios:
        if change.name == "label_bias" and change.get("flip") is not None:
            ss[W_KIND], ss[W_FLIP] = "bias", float(change.get("flip"))
        elif change.name == "annotator_bias" and change.get("rate") is not None:
            ss[W_KIND], ss[W_RATE] = "annotator", float(change.get("rate"))


def to_query(trace: RunTrace) -> dict[str, str | list[str]]:
    """The URL parameters of this session's branch of ``trace`` (none without one)."""
    spec = active(trace)
    return spec.to_query() if spec is not None else {}


def active(trace: RunTrace) -> BranchSpec | None:
    """The session's branch of ``trace``; one made from another main run is dropped."""
    ss = st.session_state
    if ss.get(SPEC) is not None and ss.get(FOR) != trace.config.to_json():
        ss[SPEC] = None
    return ss.get(SPEC)


def _target(trace: RunTrace) -> str:
    for spec in trace.config.scenarios:
        if spec.get("group") in trace.groups:
            return str(spec.get("group"))
    return trace.groups[-1]


def _current(trace: RunTrace, name: str, param: str, default: float) -> float:
    for spec in trace.config.scenarios:
        if spec.name == name:
            return float(spec.get(param, default))
    return default


def _make(trace: RunTrace) -> None:
    """Callback of the branch button: the spec from the widgets at the round shown."""
    ss = st.session_state
    r = int(ss.get(W_ROUND, 0) if ss.get(S.REPLAY) else ss.get(S.ROUND, 0))
    r = min(r, trace.last_round)
    kind = ss.get(W_KIND, "strategy")
    group = _target(trace)
    if kind == "strategy":
        spec = BranchSpec(r, Spec(ss[W_STRATEGY]))
    elif kind == "bias":
        spec = BranchSpec(r, None, (Spec("label_bias", (("group", group), ("flip", ss[W_FLIP]))),))
    else:
        change = Spec("annotator_bias", (("group", group), ("rate", ss[W_RATE])))
        spec = BranchSpec(r, None, (change,))
    try:
        spec = spec.validate()
        branch_config(trace.config, spec)
    except Exception as exc:  # noqa: BLE001
        ss[NOTE] = error_text(exc)
        return
    ss[SPEC], ss[FOR] = spec, trace.config.to_json()


def _drop() -> None:
    st.session_state[SPEC] = None


def controls(trace: RunTrace) -> None:
    """The expander under the player: what to change, and the branch button."""
    ss = st.session_state
    group = _target(trace)
    with st.expander("Branch from this round: what if we had changed one thing?"):
        st.caption(
            "Keep everything up to the round shown, change one thing, and run the rest of "
            "the budget again. Both timelines then share the charts below."
        )
        kind = st.radio(
            "What changes",
            list(KINDS),
            format_func=KINDS.get,
            key=W_KIND,
            horizontal=True,
        )
        if kind == "strategy":
            names = [n for n in STRATEGIES if n != trace.config.strategy.name]
            if ss.get(W_STRATEGY) not in names:
                ss[W_STRATEGY] = "bald" if "bald" in names else names[0]
            st.selectbox(
                "Strategy from the next round on",
                names,
                format_func=strategy_label,
                key=W_STRATEGY,
                help="The new strategy picks every batch after the branch round.",
            )
            entry = STRATEGIES[ss[W_STRATEGY]]
            if entry.citation:
                st.caption(md_escape(f"Source: {entry.citation}", limit=600))
        elif kind == "bias":
            ss.setdefault(W_FLIP, _current(trace, "label_bias", "flip", 0.0))
            st.slider(
                f"Share of {md_escape(group)}'s labels recorded wrongly (label bias)",
                0.0,
                1.0,
                step=0.05,
                key=W_FLIP,
                help=(
                    "From the next round on, rows are recorded with this label bias (0 removes "
                    "it). Labels already given stay as they were."
                ),
            )
            st.caption(md_escape(f"Source: {SCENARIOS['label_bias'].citation}", limit=600))
        else:
            ss.setdefault(W_RATE, _current(trace, "annotator_bias", "rate", 0.3))
            st.slider(
                f"How often the annotator mislabels {md_escape(group)}'s rows",
                0.0,
                1.0,
                step=0.05,
                key=W_RATE,
                help=(
                    "From the next round on, a biased annotator answers (Sap et al., 2019, "
                    "'The risk of racial bias in hate speech detection'); 0 is a truthful one."
                ),
            )
        if ss.get(S.REPLAY):  # the browser animates: the server does not know the round shown
            st.number_input(
                "Branch after round",
                min_value=0,
                max_value=max(trace.last_round - 1, 0),
                step=1,
                key=W_ROUND,
            )
        st.button(
            "Branch from the round chosen" if ss.get(S.REPLAY) else "Branch from the round shown",
            icon=":material/call_split:",
            key="branch.go",
            on_click=_make,
            args=(trace,),
            type="primary",
        )


def timelines(trace: RunTrace, style: Style) -> None:
    """The branch's section: what it changes, and the main run and the branch on shared charts."""
    ss = st.session_state
    note = ss.pop(NOTE, None)
    if note:
        st.warning(md_escape(note, limit=600))
    spec = active(trace)
    if spec is None:
        return
    placeholder = st.empty()

    def on_wait(ahead: int) -> None:
        placeholder.info(waiting_text(ahead))

    try:
        with st.spinner("Running the branch…"):
            branch = BRANCHES.get_or_compute(trace, spec, on_wait=on_wait)
    except Exception as exc:  # noqa: BLE001
        placeholder.empty()
        st.error(md_escape(error_text(exc), limit=600))
        ss[SPEC] = None
        return
    placeholder.empty()
    t = BC.Timelines(trace, branch, spec.at_round)
    st.subheader("Two timelines")
    st.markdown(
        md_escape(
            f"Both runs are the same up to round {spec.at_round} (one line on the charts). "
            f"From round {spec.at_round + 1} the branch changes one thing: {t.change}. "
            "The link in the address bar holds the branch."
        )
    )
    st.button("Remove the branch", key="branch.drop", on_click=_drop)
    entries = BC.CHARTS
    per_row = 1 if style.projector else 2
    for i in range(0, len(entries), per_row):
        cells = st.columns(per_row) if per_row > 1 else [st.container()]
        for (key, build, alt), cell in zip(entries[i : i + per_row], cells, strict=False):
            with cell:
                chart = fit(build(t, style), style, width="full" if per_row == 1 else "half")
                show(chart, key=key, alt=alt)
                st.caption(md_escape(BC.caption(t, key)))
