"""Sweeps: many runs of strategies x conditions x seeds, with intervals, a heatmap and a Pareto view."""

import streamlit as st

from dashboard import session
from dashboard import sweep_form as F
from dashboard import sweep_view as V

style = session.presenter_toggle()
st.title("Sweeps")
st.markdown(
    "One run is an anecdote. A sweep runs every strategy under every condition with several "
    "seeds, and shows each result as a mean with a 95% interval over the seeds: which "
    "strategies help the worst-off group, and at what strength of bias they stop helping."
)
F.running_elsewhere(st.session_state.get(V.PICKED))
with st.expander("Run a small sweep on this server", expanded=False):
    small = F.editor()
    if small is not None:
        name = F.start(small)
        if name is not None:
            st.session_state[V.PICKED] = name
            st.rerun()

name = V.choose()
if name is None:
    st.stop()
V.sweep_query(name)
if F.wants_progress(name):
    F.progress(name)
F.outcome(name)
try:
    V.show(name, style)
except Exception as exc:  # noqa: BLE001 -- bad input is said, a bug is said as one
    session.show_error(exc)
