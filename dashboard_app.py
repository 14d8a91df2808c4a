"""The app's pages and their navigation (``streamlit_app.py`` serves this script).

Tests run it directly: ``AppTest.from_file("dashboard_app.py")``.
"""

import streamlit as st

from dashboard import hosting, session
from dashboard.cache import warm
from dashboard.safe import md_escape
from dashboard.state import DEFAULT_CONFIG

st.set_page_config(page_title="Who Gets Labeled?", page_icon="🏷️", layout="wide")

warm(DEFAULT_CONFIG)  # once per process, in the background (already done by the server's start)
if hosting.problem():
    st.warning(f"Hosting settings: {md_escape(hosting.problem())}", icon=":material/settings:")

#: The navigation, in sections a class meets in this order.
pages = {
    "Teach": [
        st.Page(
            "dashboard/pages/lessons.py",
            title="Lessons",
            icon=":material/school:",
            url_path="lessons",
        ),
        st.Page(
            "dashboard/pages/explore.py", title="Explore", icon=":material/search:", default=True
        ),
        st.Page(
            "dashboard/pages/compare.py",
            title="Compare strategies",
            icon=":material/compare_arrows:",
            url_path="compare",
        ),
    ],
    "Take part": [
        st.Page(
            "dashboard/pages/seat.py",
            title="Label it yourself",
            icon=":material/edit_note:",
            url_path="seat",
        ),
        st.Page(
            "dashboard/pages/race.py",
            title="You vs the model",
            icon=":material/sports_score:",
            url_path="race",
        ),
        st.Page(
            "dashboard/pages/room.py",
            title="Class labelling",
            icon=":material/groups:",
            url_path="room",
        ),
        st.Page(
            "dashboard/pages/join.py",
            title="Join a class",
            icon=":material/login:",
            url_path="join",
        ),
    ],
    "Go further": [
        st.Page(
            "dashboard/pages/sweeps.py",
            title="Sweeps",
            icon=":material/grid_on:",
            url_path="sweeps",
        ),
        st.Page(
            "dashboard/pages/data.py",
            title="Your data",
            icon=":material/upload_file:",
            url_path="data",
        ),
        st.Page(
            "dashboard/pages/method.py",
            title="Method and sources",
            icon=":material/menu_book:",
            url_path="method",
        ),
    ],
}
page = st.navigation(pages)
session.enter_page(page.url_path)
try:
    page.run()
finally:  # st.stop() and st.switch_page() end a run by raising
    session.keep_settings()
