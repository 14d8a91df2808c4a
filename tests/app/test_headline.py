"""The Explore headline speaks in outcomes per group, with numbers read from the run."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
from streamlit.testing.v1 import AppTest

from dashboard import headline
from dashboard import state as S
from dashboard.safe import md_escape

APP = str(Path(__file__).resolve().parents[2] / "dashboard_app.py")
SHOWN = re.compile(r"\*\*(\d+(?:\.\d+)?)%\*\* of ([^·.;]+?)(?= ·|\.|;|$)")


def shown_rates(text: str) -> dict[str, float]:
    """``{group: rate}`` from the bold ``**15%** of Female`` parts of one sentence."""
    return {g.strip(): float(v) / 100 for v, g in SHOWN.findall(text)}


def test_headline_quotes_the_runs_rates_and_names_the_worst_group():
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.button(key="btn_end").click().run()
    assert not at.exception, [e.value for e in at.exception]
    trace = at.session_state[S.TRACE]
    r = trace.last_round
    assert at.session_state[S.ROUND] == r
    g = trace.frames["groups"]
    now = g[g["round"] == r].set_index("group")

    head = next(m.value for m in at.markdown if m.value.startswith("**Truly"))
    recognised, flagged = head.split("  \n")
    assert "earns over \\$50K a year" in recognised  # the dataset's own words
    for line, col in ((recognised, "tpr"), (flagged, "fpr")):
        got = shown_rates(line)
        assert set(got) == set(now.index), line
        for group, value in got.items():  # whole percents above 10%, tenths below
            assert abs(value - now.loc[group, col]) <= 0.005 + 1e-9, (group, col, line)

    spread = {m: now[m].max() - now[m].min() for m in ("tpr", "fpr")}
    metric = max(spread, key=spread.get)
    worst = now["tpr"].idxmin() if metric == "tpr" else now["fpr"].idxmax()
    named, other = (recognised, flagged) if metric == "tpr" else (flagged, recognised)
    assert f"Worst group: **{md_escape(worst)}**" in named and "(the larger gap" in named
    assert "Worst group" not in other
    assert f"{spread[metric] * 100:.0f} points apart" in named

    seen = next(c.value for c in at.caption if c.value.startswith("What a practitioner"))
    tpr_obs = shown_rates(seen.split("; wrongly flags")[0])
    assert set(tpr_obs) == set(now.index)
    for group, value in tpr_obs.items():
        assert abs(value - now.loc[group, "tpr_observed"]) <= 0.005 + 1e-9

    under = [c.value for c in at.caption if c.value.startswith("Asked less than its share")]
    shares = now["query_share_cum"] < now["pool_share"]
    assert len(under) <= int(shares.sum())
    for text in under:
        assert "uncertainty bias" in text or "does not show" in text


def test_headline_text_escapes_names_and_label_words():
    name = "[x](http://e.example/p.png) *b*"
    g = pd.DataFrame(
        {
            "round": [1, 1],
            "group": [name, "other"],
            "pool_share": [0.5, 0.5],
            "query_share_cum": [0.1, 0.9],
            "queried_cum": [10, 90],
            "uncertainty_bias": [-0.5, 0.5],
            "test_count": [100.0, 100.0],
            "tpr": [0.2, 0.6],
            "fpr": [0.05, 0.1],
            "accuracy": [0.8, 0.8],
            "selection_rate": [0.08, 0.3],
            "tpr_observed": [0.2, 0.6],
            "fpr_observed": [0.05, 0.1],
            "accuracy_observed": [0.8, 0.8],
            "selection_rate_observed": [0.08, 0.3],
        }
    )
    out = headline.outcome_headline(g, 1, positive_label="paid $5 <b>", strategy="least_confidence")
    for text in out.values():
        assert "](" not in text and "<b>" not in text and "http://" not in text
    assert md_escape(name) in out["truth"] and "\\$5" in out["truth"]
    assert np.isfinite(shown_rates(out["truth"].split("  \n")[0]).get("other", np.nan))


def test_explore_offers_the_brief_of_the_run_at_the_round_shown():
    """One click gives the stakeholder brief; it names the harmed group with the run's numbers."""
    from components.brief import brief_html

    at = AppTest.from_file(APP, default_timeout=120).run()
    at.button(key="btn_end").click().run()
    assert not at.exception, [e.value for e in at.exception]
    buttons = [b for b in at.get("download_button") if "Brief for stakeholders" in str(b.proto)]
    assert len(buttons) == 1
    trace = at.session_state[S.TRACE]
    page = brief_html(trace.config, trace.frames, round=trace.last_round)
    g = trace.frames["groups"]
    female = g[(g["round"] == trace.last_round) & (g["group"] == "Female")].iloc[0]
    assert "Female" in page and f"{female['tpr']:.0%}" in page


def test_with_ten_groups_the_headline_gives_the_range_not_a_wall_of_names():
    from components.config import RunConfig
    from components.trace import trace_run

    cfg = RunConfig.from_dict({"dataset": "adult:group=sex+race", "rounds": 2}).resolve()
    trace = trace_run(cfg)
    g = trace.frames["groups"]
    now = g[g["round"] == 2].set_index("group")
    out = headline.outcome_headline(g, 2, positive_label="1", strategy="least_confidence")
    recognised = out["truth"].split("  \n")[0]
    pairs = re.findall(r"\*\*(\d+(?:\.\d+)?)%\*\* of (.+?)(?= and | down to | \(|$)", recognised)
    shown = {g: float(v) / 100 for v, g in pairs}
    assert len(shown) == 4 and "(10 groups; the error-rate chart below shows each)" in recognised
    tpr = now["tpr"].dropna().sort_values()
    for name, rate in shown.items():  # each number is that group's own rate
        assert abs(rate - tpr[name.replace("\\", "")]) < 0.006
    values = sorted(tpr[n.replace("\\", "")] for n in shown)  # the two lowest, the two highest
    assert values[:2] == list(tpr.iloc[:2]) and values[2:] == list(tpr.iloc[-2:])
