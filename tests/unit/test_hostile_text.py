"""Visitor text (group names, column names, values) never becomes markup.

Streamlit renders Markdown (GitHub-flavoured, with autolinks) and plotly.js a
subset of HTML. Every string from an upload passes ``dashboard.safe`` before it
reaches either; these tests feed hostile names to the escaping functions, to
every chart builder and to the captions.
"""

from __future__ import annotations

import json
import re
from types import SimpleNamespace

import numpy as np
import pandas as pd
import plotly.io as pio
import pytest
from hypothesis import given
from hypothesis import strategies as hs

from dashboard import captions as C
from dashboard import charts as ch
from dashboard import replay
from dashboard.comparing import summary_table
from dashboard.safe import WORD_JOINER, md_escape, plotly_escape
from specs import Spec

IMAGE = "![g](http://evil.example/g.png)"
LINK = '<a href="http://evil.example">x</a>'
HOSTILE = (
    IMAGE,
    "[click](http://evil.example/c)",
    "http://evil.example/x",
    "HTTPS://EVIL.EXAMPLE/Y",
    "www.evil.example",
    "see a.www.evil.example",
    "mail x@evil.example",
    LINK,
    "<img src=http://evil.example/i.png>",
    "[j](javascript:alert(1))",
    "<http://evil.example/auto>",
    ":material/home: :red[red]",
    "&#60;b&#62; `code` *em* $x$ | ~~s~~",
    "# heading\n- item",
)

# GitHub-flavoured autolink literals as remark-gfm finds them (in mdast-util-gfm-
# autolink-literal), run on the text *after* escapes are resolved; plus
# Streamlit's icon shortcode.
_GFM_URL = re.compile(r"(https?://|www(?=\.))([-.\w]+)", re.IGNORECASE | re.ASCII)
_GFM_EMAIL = re.compile(r"([-.\w+]+)@([-\w]+(?:\.[-\w]+)+)", re.ASCII)
_ICON = re.compile(r":material/\w+:")
_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")  # CommonMark: backslash + ASCII punctuation


def shown(md: str) -> str:
    """The text a Markdown renderer shows for escaped text (escapes resolved)."""
    return _ESCAPED.sub(r"\1", md)


def unescaped_markup(md: str) -> str:
    """``md`` with every backslash-escaped character removed: what could still act."""
    return _ESCAPED.sub("", md)


def assert_inert_markdown(md: str) -> None:
    live = unescaped_markup(md)
    for opener in ("![", "](", "<", "&#"):
        assert opener not in live, (opener, md)
    text = shown(md)
    for pattern in (_GFM_URL, _GFM_EMAIL, _ICON):
        assert not pattern.search(text), (pattern.pattern, md)


@pytest.mark.parametrize("evil", HOSTILE)
def test_md_escape_leaves_no_link_image_html_or_autolink(evil):
    out = md_escape(evil)
    assert_inert_markdown(out)
    # every Markdown-active character is escaped, not just the link openers
    assert not re.search(r"[\\`*_{}\[\]()<>#+\-.!|~$:=&]", unescaped_markup(out)), out
    # and it still reads as the visitor wrote it (newlines folded)
    assert shown(out).replace(WORD_JOINER, "") == evil.replace("\n", " ")


@given(hs.text(max_size=80))
def test_md_escape_shows_any_text_as_itself(text):
    out = md_escape(text)
    assert "\n" not in out and "\r" not in out
    assert shown(out).replace(WORD_JOINER, "") == text.replace("\r", " ").replace("\n", " ")
    assert not _GFM_URL.search(shown(out)) and not _GFM_EMAIL.search(shown(out))


def test_md_escape_caps_long_text():
    assert md_escape("a" * 1000, limit=10) == "a" * 10 + "…"


@pytest.mark.parametrize("evil", HOSTILE)
def test_plotly_escape_leaves_no_tag_or_template_field(evil):
    out = plotly_escape(evil + " %{x}")
    assert "<" not in out and ">" not in out
    assert "%{" not in out
    assert re.sub("&(lt|gt|amp);", "", out).count("&") == 0  # visitor entities stay text


# ---------------------------------------------------------------- the figures

GROUPS = (LINK, "<img src=http://evil.example/i.png>", IMAGE + " %{meta}")
STRATEGY = "<a href='http://evil.example/s'>s</a>"
#: Tags our own figure text uses; anything else starting with '<' came from data.
OWN_TAGS = re.compile(r"<br>|</?b>|<extra></extra>")


def group_frames(groups=GROUPS, n_rounds: int = 4) -> tuple[pd.DataFrame, pd.DataFrame]:
    rounds, rows = [], []
    for r in range(n_rounds):
        rounds.append(
            {
                "round": r,
                "n_labeled": 20 + 10 * r,
                "accuracy": 0.7,
                "accuracy_observed": 0.7,
                "worst_group_accuracy": 0.6,
                "dp_difference": 0.2,
                "eo_difference": 0.3,
                "pp_difference": 0.1,
            }
        )
        for i, g in enumerate(groups):
            rows.append(
                {
                    "round": r,
                    "group": g,
                    "pool_share": 1 / len(groups),
                    "queried": 0 if r == 0 else i + 1,
                    "queried_cum": r * (i + 1),
                    "query_share_cum": np.nan if r == 0 else (i + 1) / 6,
                    "accuracy": 0.8 - 0.1 * i,
                    "accuracy_observed": 0.75 - 0.1 * i,
                }
            )
    return pd.DataFrame(rows), pd.DataFrame(rounds)


def fake_trace(groups=GROUPS, *, seed: int = 0) -> SimpleNamespace:
    """What the builders and captions read from a ``RunTrace``."""
    g, r = group_frames(groups)
    n = 12
    qr = np.array([0, 0, 0, 1, 1, 2, 2, 3, 3, -1, -1, -1], dtype=np.int16)
    return SimpleNamespace(
        groups=tuple(groups),
        frames={"groups": g, "rounds": r},
        xy=np.arange(2 * n, dtype=np.float32).reshape(n, 2),
        g_pool=np.arange(n, dtype=np.int8) % len(groups),
        query_round=qr,
        grid=(np.linspace(0, 1, 3), np.linspace(0, 1, 3), np.full((4, 3, 3), 0.5)),
        last_round=3,
        config=SimpleNamespace(seed=seed),
    )


def with_budget(frame: pd.DataFrame, rounds: pd.DataFrame, seed: int = 0) -> pd.DataFrame:
    out = frame.merge(rounds[["round", "n_labeled"]], on="round")
    out["seed"] = seed
    return out


def figure_strings(fig) -> list[str]:
    """Every string value of the figure as sent to the browser."""
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

    walk(json.loads(pio.to_json(fig.to_dict(), validate=False)))
    return out


def built_figures() -> dict[str, object]:
    g, r = group_frames()
    colors = ch.group_colors(GROUPS)
    t = fake_trace()
    rng = np.random.default_rng(0)
    per_strategy = {"random": with_budget(g, r), STRATEGY: with_budget(g, r, seed=1)}
    rounds_per = {"random": r.assign(seed=0), STRATEGY: r.assign(seed=1)}
    return {
        "ledger_figure": ch.ledger_figure(g, r, 2, colors=colors, ghost=g),
        "composition_figure": ch.composition_figure(g, r, 2, colors=colors),
        "accuracy_figure": ch.accuracy_figure(g, r, 2, colors=colors),
        "fairness_figure": ch.fairness_figure(r, 2),
        "map_figure": ch.map_figure(
            t.xy,
            t.g_pool,
            t.query_round,
            2,
            groups=GROUPS,
            colors=colors,
            grid=(t.grid[0], t.grid[1], t.grid[2][2]),
            ghost_round=t.query_round,
        ),
        "scores_figure": ch.scores_figure(
            rng.random(12), t.g_pool, t.query_round < 0, groups=GROUPS, colors=colors
        ),
        "trace_map_figure": ch.trace_map_figure(t, 2, ghost_round=t.query_round),
        "compare_lines_figure": ch.compare_lines_figure(
            per_strategy,
            "query_share_cum",
            colors=colors,
            title="t",
            y_title="y",
            reference="pool_share",
        ),
        "strategy_lines_figure": ch.strategy_lines_figure(
            rounds_per, "worst_group_accuracy", title="t", y_title="y"
        ),
        "replay_figure": replay.replay_figure(t),
    }


@pytest.fixture(scope="module")
def figures() -> dict[str, object]:
    return built_figures()


def test_every_chart_builder_is_checked_here(figures):
    builders = {n for n in dir(ch) if n.endswith("_figure") and callable(getattr(ch, n))}
    builders |= {n for n in dir(replay) if n.endswith("_figure")}
    assert builders == set(figures) == set(BUILDERS)


BUILDERS = (
    "accuracy_figure",
    "compare_lines_figure",
    "composition_figure",
    "fairness_figure",
    "ledger_figure",
    "map_figure",
    "replay_figure",
    "scores_figure",
    "strategy_lines_figure",
    "trace_map_figure",
)


@pytest.mark.parametrize("name", BUILDERS)
def test_hostile_names_reach_figures_only_as_text(figures, name):
    fig = figures[name]
    strings = figure_strings(fig)
    for s in strings:
        assert "<a" not in s and "<img" not in s, (name, s)
        assert "<" not in OWN_TAGS.sub("", s), (name, s)
        assert "%{meta}" not in s, (name, s)
    if name not in ("fairness_figure", "strategy_lines_figure"):  # these draw no groups
        assert any("&lt;a href=" in s for s in strings), f"{name} should name the groups"
    fig.checked()  # still a valid figure


# --------------------------------------------------------------- the captions


def test_round_captions_show_hostile_group_names_as_text():
    g, _ = group_frames(HOSTILE[:4] + (LINK, "www.evil.example"))
    for r in (1, 2):
        for text in (
            C.ledger_caption(g, r),
            C.composition_caption(g, r),
            C.accuracy_caption(g, r),
        ):
            assert_inert_markdown(text)
            assert "evil" in text


def test_run_description_shows_hostile_columns_and_targets_as_text():
    cfg = SimpleNamespace(
        dataset=Spec("csv", (("group", "www.evil.example+" + IMAGE), ("sha256", "ab" * 32))),
        scenarios=(
            Spec("label_bias", (("group", "http://evil.example/x"), ("flip", 0.5))),
            Spec("annotator_bias", (("group", LINK), ("note", "x@evil.example"))),
        ),
        strategy=Spec("least_confidence"),
        model="logistic",
        use_group_feature=False,
        seed=0,
        initial_size=20,
        rounds=30,
        batch_size=10,
    )
    text = C.describe_run(cfg)
    assert_inert_markdown(text)
    assert "evil" in text


def test_round_text_escapes_metric_labels_and_help():
    from dashboard.views import round_text

    t = fake_trace(("http://evil.example/x", "www.evil.example", IMAGE))
    out = round_text(t, 2)
    for m in out["metrics"]:
        assert_inert_markdown(m["label"])
        assert_inert_markdown(m["help"])
    for key in ("ledger", "composition", "accuracy", "fairness"):
        assert_inert_markdown(out[key])


def test_compare_summary_headers_are_escaped_markdown():
    """``st.table`` renders its headers (and cells) as Markdown."""
    runs = {
        "random": [fake_trace(seed=0), fake_trace(seed=1)],
        "least_confidence": [fake_trace(seed=0)],
    }
    table = summary_table(runs)
    shares = [c for c in table.columns if "share of queries" in c]
    assert len(shares) == len(GROUPS)
    for header in table.columns:
        assert_inert_markdown(header)
    for cell in table.astype(str).to_numpy().ravel():
        assert_inert_markdown(cell)
