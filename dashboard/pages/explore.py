"""Explore: one dataset, one bias, one strategy, stepped round by round."""

import streamlit as st

from dashboard import branch_view, record_views, session, views
from dashboard import captions as C
from dashboard import state as S
from dashboard.player import SPEEDS, player

style = session.presenter_toggle()
st.title("Who gets labelled?")
st.markdown(
    "When a model chooses which rows a human labels next, some groups get asked about far "
    "more than others. Pick data, a bias and a strategy on the left, then press **Play**."
)
cfg = session.settings()
trace = session.get_trace(cfg) if cfg is not None else None
if S.REPLAY not in st.session_state:  # first run of the session: the link decides
    st.session_state[S.REPLAY] = st.query_params.get("replay") == "1"
if trace is not None:
    ss = st.session_state
    branch_view.load_url(trace)
    st.query_params.from_dict(
        S.config_to_query(trace.config)
        | ({"replay": "1"} if ss[S.REPLAY] else {})
        | S.view_to_query(min(ss.get(S.ROUND, 0), trace.last_round), bool(ss.get(S.PRESENTER)))
        | branch_view.to_query(trace)
    )
    st.caption(
        C.describe_run(trace.config)
        + "Effects depend on the model, the data's geometry, the seed set and whether the "
        "group can be inferred from the features. The URL replays this exact run."
    )

    def body(r: int) -> None:
        st.query_params["round"] = str(r)  # a shared link opens at this round
        views.headline(trace, r)
        record_views.brief_button(trace, r)
        views.charts(trace, r, style)
        record_views.batch_cards(trace, r)

    st.toggle(
        "Classroom mode (animate in the browser)",
        key=S.REPLAY,
        help=(
            "Sends the whole run once as one animated figure that your browser plays with no "
            "further requests to the server. Use it when many people press Play on one server "
            "at once. Turn off to step round by round with every chart."
        ),
    )
    if st.session_state[S.REPLAY]:
        speed = st.segmented_control(
            "Speed",
            list(SPEEDS),
            default="normal",
            key="replay.speed",
            help="How fast the browser steps through the rounds.",
        )
        views.classroom(trace, style, speed or "normal")
        st.caption(
            "Press ▶ Play under the chart; the slider scrubs. Everything moves in your "
            "browser: the server is not asked again. The numbers are those of the run above."
        )
    else:
        player(trace.last_round, body)
    branch_view.controls(trace)
    branch_view.timelines(trace, style)
    with st.expander("Download this run"):
        record_views.downloads(trace)
