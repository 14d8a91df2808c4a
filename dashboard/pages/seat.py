"""Label it yourself: sit in the annotator's seat of a run."""

import streamlit as st

from dashboard import seat_link, seat_view, session
from dashboard import seat_state as SS

style = session.presenter_toggle()
ss = st.session_state
st.title("Label it yourself")
st.markdown(
    "You are the annotator. The model picks which rows you see; you label them, and it "
    "learns from your answers. At the end, see which groups it showed you, and which it never did."
)


seat_link.load_once()  # a link may hold the preset, the run and the answers so far

with st.container(horizontal=True, vertical_alignment="bottom"):
    st.selectbox(
        "Run to label",
        list(SS.PRESETS),
        format_func=lambda k: SS.PRESETS[k][0],
        key=SS.PRESET,
        help="Explore's settings are those on the Explore page (its defaults if not opened).",
    )
    st.button("Start again with this run", key="seat.start", on_click=seat_link.start)
message = ss.pop(SS.MESSAGE, None)
if message:
    st.error(message)

config_json, history = ss.get(SS.CONFIG), ss.get(SS.HISTORY, [])
try:
    seat = SS.SEATS.get(config_json, history) if config_json else None
except Exception as exc:  # noqa: BLE001 -- a bad setting is said in one line, a bug as one
    session.show_error(exc)
    seat = None

if seat is not None:
    from dashboard import captions as C

    seat_link.write(seat.config)
    st.caption(C.describe_run(seat.config))
    if seat.done:
        st.success(
            f"You labelled all {seat.config.rounds} rounds. Below: what the model learnt, "
            "and who it showed you."
        )
    else:
        seat_view.batch(seat, config_json, style)
    st.subheader(f"What the model has learnt after {seat.round} round(s) of your labels")
    seat_view.charts(seat, style)
    st.subheader("How did I do?")
    seat_view.report(seat)
    st.caption(
        "Each strategy's rule and its source (author, year, title) are on the Method and "
        "sources page. Active learning lets the model choose the questions: Settles, B. (2009). "
        "Active Learning Literature Survey. UW-Madison TR 1648."
    )
