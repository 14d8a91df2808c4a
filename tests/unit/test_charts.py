"""Chart builders and captions are plain functions: tested on small frames."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import plotly.io as pio
import pytest

from dashboard import captions as C
from dashboard import charts as ch


def frames(n_rounds: int = 4, groups=("Male", "Female")):
    rows, grows = [], []
    for r in range(n_rounds):
        rows.append(
            {
                "round": r,
                "n_labeled": 20 + 10 * r,
                "accuracy": 0.7 + 0.01 * r,
                "worst_group_accuracy": 0.6,
                "dp_difference": 0.2,
                "eo_difference": 0.3,
                "pp_difference": np.nan,
            }
        )
        for i, g in enumerate(groups):
            q = 0 if r == 0 else (7 if i == 0 else 3)
            grows.append(
                {
                    "round": r,
                    "group": g,
                    "pool_share": 0.67 if i == 0 else 0.33,
                    "queried": q,
                    "queried_cum": q * r,
                    "query_share_cum": np.nan if r == 0 else (0.7 if i == 0 else 0.3),
                    "accuracy": 0.8 - 0.1 * i,
                    "accuracy_observed": 0.8 - 0.05 * i,
                }
            )
    return pd.DataFrame(grows), pd.DataFrame(rows)


COLORS = ch.group_colors(("Male", "Female"))


def encodes(fig) -> dict:
    """The figure must survive plotly's JSON encoding, as Streamlit sends it."""
    return pio.from_json(pio.to_json(fig.to_dict(), validate=False)).to_dict()


def test_palette_is_colour_blind_safe_and_stable():
    assert ch.PALETTE[:7] == (
        "#0072B2",
        "#D55E00",
        "#009E73",
        "#CC79A7",
        "#E69F00",
        "#56B4E9",
        "#000000",
    )
    a = ch.group_colors(("Male", "Female"))
    assert a == ch.group_colors(["Male", "Female"]) and a["Male"] != a["Female"]
    assert ch.GHOST not in ch.PALETTE


def test_ledger_reveals_only_rounds_up_to_r_with_pool_share_references():
    g, r = frames()
    fig = ch.ledger_figure(g, r, 2, colors=COLORS)
    solid = [t for t in fig.data if t.name in ("Male", "Female")]
    assert [len(t.x) for t in solid] == [2, 2]  # rounds 1 and 2; round 0 has no queries
    refs = [t for t in fig.data if t.name.endswith("pool share")]
    assert sorted(float(t.y[0]) for t in refs) == [0.33, 0.67]
    assert {t.line.color for t in solid} == set(COLORS.values())
    assert list(fig.layout.xaxis.range)[1] >= 50  # fixed to the whole budget: no jumping axes
    encodes(fig)


def test_ledger_ghost_is_grey():
    g, r = frames()
    fig = ch.ledger_figure(g, r, 3, colors=COLORS, ghost=g)
    ghosts = [t for t in fig.data if t.name.startswith("random")]
    assert ghosts and all(t.line.color == ch.GHOST for t in ghosts)


def test_composition_stacks_each_rounds_batch():
    g, r = frames()
    fig = ch.composition_figure(g, r, 3, colors=COLORS)
    assert fig.layout.barmode == "stack"
    assert [list(t.y) for t in fig.data] == [[7, 7, 7], [3, 3, 3]]
    encodes(fig)


def test_accuracy_draws_truth_solid_and_recorded_dashed_per_group():
    g, r = frames()
    fig = ch.accuracy_figure(g, r, 3, colors=COLORS)
    dashes = {t.name: t.line.dash for t in fig.data}
    assert dashes["Female vs truth"] == "solid" and dashes["Female vs recorded labels"] == "dash"
    assert len(fig.data) == 4


def test_fairness_handles_undefined_gaps():
    g, r = frames()
    fig = ch.fairness_figure(r, 3)
    names = [t.name for t in fig.data]
    assert "worst-group accuracy" in names and "predictive parity gap" in names
    encodes(fig)


def test_map_marks_labelled_rows_and_downsamples_big_pools():
    rng = np.random.default_rng(0)
    n = 30_000
    xy = rng.normal(size=(n, 2)).astype(np.float32)
    g = (rng.random(n) < 0.3).astype(np.int8)
    qr = np.full(n, -1, np.int16)
    qr[:20] = 0
    qr[20:30] = 1
    qr[30:40] = 2
    fig = ch.map_figure(xy, g, qr, 1, groups=("Male", "Female"), colors=COLORS)
    drawn = sum(len(t.x) for t in fig.data)
    assert drawn <= ch.MAX_MAP_POINTS + 40
    labelled = [t for t in fig.data if t.name.endswith("labelled")]
    assert sum(len(t.x) for t in labelled) == 30  # rounds 0 and 1 only
    assert all(t.type == "scattergl" for t in fig.data)
    light = ch.map_figure(
        xy, g, qr, 1, groups=("Male", "Female"), colors=COLORS, limit=ch.PLAY_MAP_POINTS
    )
    assert sum(len(t.x) for t in light.data) <= ch.PLAY_MAP_POINTS + 40
    for lim in (ch.PLAY_MAP_POINTS, ch.MAX_MAP_POINTS, 10):
        assert ch.map_drawn(n, qr, limit=lim) == len(ch.map_sample(n, qr, limit=lim))
    encodes(light)


def test_map_draws_the_boundary_and_the_ghost():
    xy = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 0.5]], dtype=np.float32)
    grid = (np.linspace(0, 2, 3), np.linspace(0, 1, 3), np.full((3, 3), 0.4))
    fig = ch.map_figure(
        xy,
        np.array([0, 1, 0]),
        np.array([0, 1, -1]),
        1,
        groups=("Male", "Female"),
        colors=COLORS,
        grid=grid,
        ghost_round=np.array([-1, -1, 1]),
    )
    types = [t.type for t in fig.data]
    assert "contour" in types
    ghost = next(t for t in fig.data if t.name == "random would have asked")
    assert ghost.marker.color == ch.GHOST and len(ghost.x) == 1


def test_scores_histograms_are_normalised_per_group():
    rng = np.random.default_rng(1)
    scores = rng.random(1000)
    grp = (rng.random(1000) < 0.1).astype(int)
    fig = ch.scores_figure(
        scores, grp, np.ones(1000, bool), groups=("Male", "Female"), colors=COLORS
    )
    for t in fig.data:
        assert float(np.sum(t.y)) == pytest.approx(1.0)
    empty = ch.scores_figure(
        np.full(5, np.nan),
        np.zeros(5, int),
        np.ones(5, bool),
        groups=("Male", "Female"),
        colors=COLORS,
    )
    assert len(empty.data) == 0


def test_presenter_style_is_bigger():
    p, s = ch.Style.presenter(), ch.Style()
    assert p.font >= 20 and p.font > s.font and p.line > s.line
    g, r = frames()
    fig = ch.ledger_figure(g, r, 2, colors=COLORS, style=p)
    assert fig.layout.font.size == p.font


def test_compare_panels_one_per_strategy_with_ghost():
    g, r = frames()
    g = g.assign(n_labeled=g["round"] * 10 + 20)
    fig = ch.compare_lines_figure(
        {"random": g, "least_confidence": g},
        "query_share_cum",
        colors=COLORS,
        title="t",
        y_title="y",
        reference="pool_share",
    )
    assert {a.text for a in fig.layout.annotations} == {"<b>random</b>", "<b>least_confidence</b>"}
    assert any(t.name == "random: Male" for t in fig.data)
    encodes(fig)


def test_captions_say_what_the_run_shows():
    g, r = frames()
    text = C.ledger_caption(g, 3)
    assert "**Male**: 70% of queries vs 67% of the pool" in text
    assert "**Female**: 30% of queries vs 33% of the pool" in text and "about even" in text
    assert "Round 0" in C.ledger_caption(g, 0)
    acc = C.accuracy_caption(g, 3)
    assert "look 5 points better than it is" in acc  # Female: 70% truth vs 75% recorded
    assert "hide part of the harm" in acc
    assert "7 Male, 3 Female" in C.composition_caption(g, 2)
    assert "demographic parity gap 0.20" in C.fairness_caption(r, 2)


def test_accuracy_caption_adds_up_as_printed_and_names_the_direction():
    g, _ = frames()
    female = g["group"] == "Female"
    g.loc[female, ["accuracy", "accuracy_observed"]] = [0.9060, 0.9320]  # prints 91% and 93%
    acc = C.accuracy_caption(g, 3)
    assert "91% vs truth, 93% vs recorded labels — the recorded labels make it look 2 points" in acc
    g.loc[female, ["accuracy", "accuracy_observed"]] = [0.80, 0.70]
    acc = C.accuracy_caption(g, 3)
    assert "look 10 points worse than it is" in acc and "hide" not in acc
    g.loc[female, ["accuracy", "accuracy_observed"]] = [0.80, 0.806]
    acc = C.accuracy_caption(g, 3)
    assert "make it look" not in acc and "agree within a point" in acc
    g["accuracy_observed"] = g["accuracy"]  # no bias reaches the test labels
    acc = C.accuracy_caption(g, 3)
    assert "lines coincide" in acc and "bias" not in acc.split("recorded labels.")[-1]


def test_batch_key_says_what_label_1_means():
    from dashboard.record_views import label_meaning

    assert label_meaning("earns over $50K a year") == " (1 = earns over \\$50K a year, 0 = not)"
    assert label_meaning("1") == label_meaning("positive") == ""
    assert "<b>" not in label_meaning("<b>yes</b>")


def test_untrusted_group_names_cannot_inject_markup():
    evil = "![x](https://example.org/p.png)<a href='https://example.org'>x</a>%{x}"
    g, r = frames(groups=("Male", evil))
    colors = ch.group_colors(("Male", evil))
    for text in (C.ledger_caption(g, 2), C.accuracy_caption(g, 2), C.composition_caption(g, 2)):
        # every Markdown/HTML opener from the data is backslash-escaped, so it renders as text
        assert not re.search(r"(?<!\\)(!\[|<a|\]\()", text), text
    for fig in (
        ch.ledger_figure(g, r, 2, colors=colors),
        ch.composition_figure(g, r, 2, colors=colors),
        ch.accuracy_figure(g, r, 2, colors=colors),
    ):
        for t in fig.data:
            assert "<a href" not in t.name and "%{x}" not in (t.name or "")
            assert "<a href" not in (t.hovertemplate or "")


def test_every_builder_passes_plotly_validation_and_sends_no_template():
    """Builders skip plotly's object model on the hot path: check them against
    plotly's schema here, and that what is sent stays small and unchanged by sending."""
    g, r = frames()
    figs = [
        ch.ledger_figure(g, r, 3, colors=COLORS, ghost=g),
        ch.composition_figure(g, r, 3, colors=COLORS),
        ch.accuracy_figure(g, r, 3, colors=COLORS),
        ch.fairness_figure(r, 3),
        ch.map_figure(
            np.zeros((4, 2), np.float32),
            np.array([0, 1, 0, 1]),
            np.array([0, 1, -1, 2]),
            2,
            groups=("Male", "Female"),
            colors=COLORS,
        ),
    ]
    for fig in figs:
        sent = fig.to_dict()
        assert sent["layout"]["template"] == {}
        text = pio.to_json(sent, validate=False)
        assert text == pio.to_json(fig.to_dict(), validate=False), "sending changed the figure"
        assert len(text) < 6000
        fig.checked()  # raises on any property plotly.js does not know
        assert not any(isinstance(t.x, dict) for t in fig.data), "sending encoded our arrays"
    with pytest.raises(ValueError):
        ch.figure(
            [{"type": "scatter", "colour": "red"}], ch.Style(), title="t", xaxis={}, yaxis={}
        ).checked()


def test_charts_reveal_the_same_rows_whatever_the_frame_order_of_groups():
    """Rows are picked by numpy masks: a frame sorted by group, not round, gives
    the same figure as one sorted by round."""
    g, r = frames()
    shuffled = g.sort_values(["group", "round"], ascending=[False, False]).reset_index(drop=True)
    for build in (ch.ledger_figure, ch.accuracy_figure, ch.composition_figure):
        a, b = build(g, r, 2, colors=COLORS), build(shuffled, r, 2, colors=COLORS)
        for ta, tb in zip(a.data, b.data, strict=True):
            order_a, order_b = np.argsort(ta.x, kind="stable"), np.argsort(tb.x, kind="stable")
            assert list(np.asarray(ta.x)[order_a]) == list(np.asarray(tb.x)[order_b])
            assert list(np.asarray(ta.y)[order_a]) == list(np.asarray(tb.y)[order_b])


def test_typed_arrays_match_what_plotly_itself_would_send():
    """Chart encodes arrays itself, not through plotly's walker: the browser must
    get the same numbers plotly.py would have sent."""
    from _plotly_utils.utils import convert_to_base64

    g, r = frames()
    rng = np.random.default_rng(3)
    figs = [
        ch.ledger_figure(g, r, 3, colors=COLORS),
        ch.map_figure(
            rng.normal(size=(50, 2)).astype(np.float32),
            rng.integers(0, 2, 50),
            rng.integers(-1, 3, 50).astype(np.int16),
            2,
            groups=("Male", "Female"),
            colors=COLORS,
            grid=(np.linspace(0, 1, 4), np.linspace(0, 1, 3), rng.random((3, 4))),
        ),
        ch.figure(
            [{"type": "bar", "x": np.array([1, 2**40]), "y": np.array([], float)}],
            ch.Style(),
            title="big ints, empty",
            xaxis={"range": np.array([0.0, 1.0])},
            yaxis={},
        ),
    ]
    for fig in figs:
        theirs = ch.copy_containers(fig._spec)
        convert_to_base64(theirs)
        assert pio.from_json(pio.to_json(fig.to_dict(), validate=False)).to_dict() == (
            pio.from_json(pio.to_json(theirs, validate=False)).to_dict()
        )


def test_strategy_lines_tell_every_strategy_apart_without_colour():
    """Compare's worst-group and gap charts: random is the grey ghost, and each other
    strategy differs from every other in dash and marker shape, not only in grey."""
    _, r = frames()
    per_seed = pd.concat([r.assign(seed=0), r.assign(seed=1, accuracy=r["accuracy"] + 0.02)])
    labels = ("random", "least_confidence", "margin", "fair_uncertainty")
    fig = ch.strategy_lines_figure(
        {k: per_seed for k in labels}, "accuracy", title="t", y_title="accuracy"
    )
    fig.checked()
    lines = {t.name: t for t in fig.data if t.name in labels}
    assert set(lines) == set(labels)
    assert lines["random"].line.color == ch.GHOST
    assert ch.GHOST not in {lines[k].line.color for k in labels[1:]}
    looks = {(t.line.dash, t.marker.symbol) for t in lines.values()}
    assert len(looks) == len(labels)
    assert list(lines["margin"].y) == pytest.approx(list(r["accuracy"] + 0.01))  # mean of seeds
    # each strategy has its own colour, none of them a group colour or grey
    from dashboard.figures import PALETTE

    colours = [lines[k].line.color for k in labels[1:]]
    assert len(set(colours)) == len(colours) and not set(colours) & set(PALETTE)


def test_long_titles_wrap_for_the_width_they_are_drawn_at():
    """figure_fit.fit: a title too long for half a row breaks onto two lines, pinned to
    the top with room under it; the same title on a whole row stays on one line."""
    from dashboard.figure_fit import fit, wrap_title
    from dashboard.figures import Style, axis, figure

    long = "Who gets labelled: share of queries vs pool share (dotted)"
    fig = figure([], Style(), title=long, xaxis=axis("x"), yaxis=axis("y"))
    half = fit(fig, Style(), width="half")
    full = fit(fig, Style(), width="full")
    assert half.title.count("<br>") == 1 and half.title.replace("<br>", " ") == long
    assert full.title == long
    assert half.spec["layout"]["margin"]["t"] > fig.spec["layout"]["margin"]["t"]
    assert half.spec["layout"]["height"] > full.spec["layout"]["height"]
    assert half.spec["layout"]["title"]["yref"] == "container"
    assert fig.title == long  # fit leaves its argument alone
    # projector sizes wrap sooner; markup is never broken inside a tag
    assert fit(fig, Style.presenter(), width="full").title.count("<br>") == 1
    text, lines = wrap_title('<span style="x: y">a b c d e f g h</span>', 5)
    assert lines > 1 and '<span style="x: y">' in text
    half.checked()


def test_many_groups_put_the_legend_under_the_axis_title_with_room():
    """12 groups: the legend sits at the figure's bottom edge (container), in a
    bottom margin tall enough for its rows plus the x axis's ticks and title."""
    from dashboard.figure_fit import fit, legend_row_px, legend_rows
    from dashboard.figures import Style, axis, figure, line_trace

    def chart(n):
        traces = [
            line_trace([0, 1], [0, 1], color="#000", width=2.0, name=f"Group number {k}")
            for k in range(n)
        ]
        return fit(figure(traces, Style(), title="t", xaxis=axis("x"), yaxis=axis("y")), Style())

    two, twelve = chart(2), chart(12)
    names = [f"Group number {k}" for k in range(12)]
    assert legend_rows(names, Style(), "half") > legend_rows(names, Style(), "full") >= 2
    for c in (two, twelve):
        legend = c.spec["layout"]["legend"]
        assert legend["yref"] == "container" and legend["y"] == 0 and legend["yanchor"] == "bottom"
        c.checked()
    rows = legend_rows(names, Style(), "half")
    assert twelve.spec["layout"]["margin"]["b"] >= rows * legend_row_px(Style()) + 3 * 14
    assert twelve.spec["layout"]["height"] > two.spec["layout"]["height"]


def test_long_panel_titles_break_at_an_underscore_when_three_panels_share_the_width():
    assert ch.panel_title("least_confidence", 3) == "least_<br>confidence"
    assert ch.panel_title("qbc_vote_entropy", 4) == "qbc_vote_<br>entropy"
    assert ch.panel_title("least_confidence", 2) == "least_confidence"
    assert ch.panel_title("random", 4) == "random"
    assert ch.panel_title("<b>x_y_z_long</b>", 3).count("<b>") == 0  # escaped
    g, _ = frames()
    g = g.assign(n_labeled=g["round"] * 10 + 20)
    three = {k: g for k in ("random", "least_confidence", "fair_uncertainty")}
    fig = ch.compare_lines_figure(three, "accuracy", colors=COLORS, title="t", y_title="y")
    fig.checked()
    assert "<b>least_<br>confidence</b>" in {a.text for a in fig.layout.annotations}
    # the chart's title sits at the top of the figure, above the two-line panel titles
    assert fig.layout.title.yref == "container" and fig.layout.title.yanchor == "top"
    two = ch.compare_lines_figure(
        dict(list(three.items())[:2]), "accuracy", colors=COLORS, title="t", y_title="y"
    )
    assert fig.layout.margin.t > two.layout.margin.t and fig.layout.height > two.layout.height
