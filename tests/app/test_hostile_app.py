"""AppTest: an upload whose names are Markdown, HTML and bare URLs shows them as text.

The CSV goes in through the Your data page, as a visitor's would. Then every
surface Streamlit renders as Markdown (text, captions, alerts, metric labels
and help, widget and expander labels, ``st.table``) and every plotly figure
on Explore and Compare is checked for live markup.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import state as S
from dashboard.safe import md_escape
from dashboard.uploads import UPLOAD_SPEC
from tests.unit.test_hostile_text import assert_inert_markdown

APP = str(Path(__file__).resolve().parents[2] / "dashboard_app.py")

IMAGE = "![g](http://evil.example/g.png)"
LINK = '<a href="http://evil.example">x</a>'
#: (group value, rows), largest first: the smallest is the default bias target.
GROUPS = (("http://evil.example/x", 160), ("www.evil.example", 100), (LINK, 80), (IMAGE, 60))
GROUP_COLUMN = "![c](http://evil.example/c.png)"
POSITIVE = "[yes](http://evil.example/y)"


def hostile_csv() -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["age", "score", GROUP_COLUMN, "outcome"])
    i = 0
    for g, n in GROUPS:
        for _ in range(n):
            i += 1
            yes = (i * 7) % 10 < (3 if g == IMAGE else 5)
            score = round((i * 37 % 100) / 10 + (2 if yes else 0), 1)
            w.writerow([18 + i % 50, score, g, POSITIVE if yes else "no"])
    return buf.getvalue().encode("utf-8")


def no_failures(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


WIDGETS = (
    "selectbox",
    "multiselect",
    "slider",
    "toggle",
    "number_input",
    "segmented_control",
    "button",
)


def markdown_surfaces(at: AppTest) -> list[str]:
    """Every string of the current page that Streamlit renders as Markdown."""
    out: list[str] = []
    for kind in ("markdown", "caption", "title", "header", "subheader"):
        out += [e.value for e in at.get(kind)]
    for kind in ("info", "warning", "error", "success"):
        out += [e.value for e in at.get(kind)]
    for m in at.metric:
        out += [m.label, m.proto.help]
    out += [e.label for e in at.expander] + [t.label for t in at.tabs]
    for kind in WIDGETS:  # labels and help; options are shown as text
        for w in at.get(kind):
            out += [w.label, w.help or ""]
    for t in at.table:  # headers and cells are Markdown
        out += [str(c) for c in t.value.columns]
        out += [str(v) for v in t.value.astype(str).to_numpy().ravel()]
    return out


def figure_strings(at: AppTest) -> list[str]:
    out: list[str] = []

    def walk(v: object) -> None:
        if isinstance(v, str):
            out.append(v)
        elif isinstance(v, dict):
            for x in v.values():
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)

    for chart in at.get("plotly_chart"):
        walk(json.loads(chart.proto.spec))
    return out


def assert_page_inert(at: AppTest) -> list[str]:
    texts = markdown_surfaces(at)
    for text in texts:
        assert "![" not in text and "](http" not in text, text
        assert_inert_markdown(text)
    for s in figure_strings(at):
        assert "<a" not in s and "<img" not in s, s
    return texts


@pytest.fixture(scope="module")
def uploaded() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["dataset"] = "two_groups:n_samples=400"
    at.query_params["rounds"] = "4"
    at.run()
    at.switch_page("dashboard/pages/data.py").run()
    at.get("file_uploader")[0].set_value(("hostile.csv", hostile_csv(), "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    at.selectbox(key="upload.label").set_value("outcome").run()
    at.selectbox(key="upload.positive").set_value(POSITIVE).run()
    at.multiselect(key="upload.group").set_value([GROUP_COLUMN]).run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert_page_inert(at)
    at.button(key="upload.use").click().run()
    no_failures(at)
    return at


def test_explore_shows_hostile_names_escaped(uploaded):
    at = uploaded
    at.switch_page("dashboard/pages/explore.py").run()
    no_failures(at)
    assert at.session_state[UPLOAD_SPEC] is not None
    at.button(key="btn_step").click().run()
    no_failures(at)
    texts = assert_page_inert(at)
    labels = {m.label for m in at.metric}
    for g, _ in GROUPS:  # a metric per group, under its escaped name
        assert md_escape(g) in labels, labels
    assert any(md_escape(GROUP_COLUMN) in t for t in texts)  # the run's description
    assert any(md_escape(POSITIVE, limit=120) in t for t in texts)  # the batch key
    assert any("&lt;a href=" in s for s in figure_strings(at))  # legends name the groups


def test_classroom_replay_shows_hostile_names_escaped(uploaded):
    at = uploaded
    at.switch_page("dashboard/pages/explore.py").run()
    at.toggle(key=S.REPLAY).set_value(True).run()
    no_failures(at)
    assert len(at.get("plotly_chart")) == 1
    assert_page_inert(at)
    at.toggle(key=S.REPLAY).set_value(False).run()


def test_compare_shows_hostile_names_escaped(uploaded):
    at = uploaded
    at.switch_page("dashboard/pages/compare.py").run()
    no_failures(at)
    texts = assert_page_inert(at)
    headers = [str(c) for c in at.table[0].value.columns]
    for g, _ in GROUPS:
        assert any(h.startswith(md_escape(g) + ": share of queries") for h in headers), headers
    assert any(md_escape(IMAGE) in t for t in texts)
    assert any("&lt;a href=" in s for s in figure_strings(at))
