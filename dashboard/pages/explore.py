"""Explore: one dataset, one bias, one strategy, stepped round by round."""

import streamlit as st

from dashboard import captions as C
from dashboard import session, views
from dashboard import state as S
from dashboard.player import player

style = session.presenter_toggle()
st.title("Who gets labelled?")
st.markdown(
    "When a model chooses which rows a human labels next, some groups get asked about far "
    "more than others. Pick data, a bias and a strategy on the left, then press **Play**."
)
cfg = session.settings()
trace = session.get_trace(cfg) if cfg is not None else None
if trace is not None:
    st.query_params.from_dict(S.config_to_query(trace.config))
    st.caption(
        C.describe_run(trace.config)
        + "Effects depend on the model, the data's geometry, the seed set and whether the "
        "group can be inferred from the features. The URL replays this exact run."
    )

    def body(r: int) -> None:
        views.headline(trace, r)
        views.charts(trace, r, style)
        views.batch_cards(trace, r)

    player(trace.last_round, body)
    with st.expander("Download this run"):
        views.downloads(trace)
