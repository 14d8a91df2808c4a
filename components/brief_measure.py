"""The brief's Measure sections: the query ledger, outcomes by group, the gaps, who was asked less.

Numbers come from the record frames through :mod:`components.harm` and
:mod:`components.intervals`; every text from the run passes :func:`e`
(``html.escape``). :mod:`components.brief` puts the sections on the page.
"""

from __future__ import annotations

import math
from html import escape
from typing import Any

import numpy as np
import pandas as pd

from components import brief_text as T
from components import harm
from components.brief_chart import rates_svg
from components.intervals import newcombe
from components.outcome_text import rate_pct


def e(x: Any) -> str:
    """HTML-escaped text of anything (quotes included)."""
    return escape(str(x), quote=True)


def _counts(row: pd.Series, metric: str, sfx: str) -> tuple[float, float]:
    """(successes, trials) behind one group's rate, from its rates and recovered counts."""
    n_test = float(row["test_count"])
    value = float(row[f"{metric}{sfx}"])
    if metric == "selection_rate":
        n = n_test
    elif metric == "tpr":
        n = float(row[f"positives{sfx}"])
    elif metric == "fpr":
        n = float(row[f"negatives{sfx}"])
    else:  # ppv: among the rows predicted positive
        n = float(round(float(row[f"selection_rate{sfx}"]) * n_test))
    if math.isnan(value) or math.isnan(n):
        return (math.nan, math.nan)
    return (float(round(value * n)), n)


def gap_table(groups: pd.DataFrame, r: int) -> pd.DataFrame:
    """The fairness gaps at round ``r`` against the truth and the recorded labels, with intervals.

    Returns
    -------
    DataFrame, one row per ``brief_text.GAPS`` entry
        ``key``, ``name``, ``meaning``, and for ``sfx`` in ``""`` and
        ``"_observed"``: ``gap{sfx}``, ``low{sfx}``, ``high{sfx}`` (Newcombe
        95% interval of the difference between the two extreme groups),
        ``top{sfx}`` and ``bottom{sfx}`` (the groups with the highest and the
        lowest rate).
    """
    t = harm.rates(groups, r)
    now = groups[groups["round"] == r].reset_index(drop=True)
    for col in ("selection_rate", "ppv"):
        t[col] = now[col].to_numpy(dtype=float)
        t[f"{col}_observed"] = now[f"{col}_observed"].to_numpy(dtype=float)
    rows: dict[str, dict[str, Any]] = {}
    for key, name, metric, meaning in T.GAPS:
        row: dict[str, Any] = {"key": key, "name": name, "meaning": meaning}
        for sfx in ("", "_observed"):
            if key == "eo":
                a, b = rows["tpr"], rows["fpr"]
                pick = a if not (b[f"gap{sfx}"] > a[f"gap{sfx}"]) else b
                for col in ("gap", "low", "high", "top", "bottom"):
                    row[f"{col}{sfx}"] = pick[f"{col}{sfx}"]
                continue
            v = t[f"{metric}{sfx}"].to_numpy(dtype=float)
            ok = np.flatnonzero(~np.isnan(v))
            if len(ok) < 2:
                row.update({f"{c}{sfx}": math.nan for c in ("gap", "low", "high")})
                row.update({f"top{sfx}": "", f"bottom{sfx}": ""})
                continue
            hi, lo = ok[np.argmax(v[ok])], ok[np.argmin(v[ok])]
            k1, n1 = _counts(t.iloc[hi], metric, sfx)
            k2, n2 = _counts(t.iloc[lo], metric, sfx)
            low, high = newcombe(k1, n1, k2, n2)
            row.update(
                {
                    f"gap{sfx}": float(v[hi] - v[lo]),
                    f"low{sfx}": low,
                    f"high{sfx}": high,
                    f"top{sfx}": str(t["group"].iloc[hi]),
                    f"bottom{sfx}": str(t["group"].iloc[lo]),
                }
            )
        rows[key] = row
    return pd.DataFrame(list(rows.values()))


def ledger_section(groups: pd.DataFrame, r: int) -> str:
    bal = harm.query_balance(groups, r)
    n = bal["n_queries"].iloc[0] if len(bal) else 0
    if not n:
        return '<p class="note">No queries yet at this round: only the seed set is labelled.</p>'
    now = groups[groups["round"] == r].reset_index(drop=True)
    rows = []
    for i, row in bal.iterrows():
        word = row["word"] or ""
        cls = f' class="word {word}"' if word in (harm.UNDER, harm.OVER) else ' class="word"'
        pool, query = float(row["pool_share"]), float(row["query_share"])
        bar = (
            '<div class="bar" aria-hidden="true">'
            f'<span class="pool" style="width:{min(pool, 1) * 100:.1f}%"></span>'
            f'<span class="query" style="width:{min(query, 1) * 100:.1f}%"></span></div>'
        )
        rows.append(
            f'<tr><td class="group">{e(row["group"])}</td>'
            f'<td class="num">{e(rate_pct(pool))}</td>'
            f'<td class="num">{e(rate_pct(query))}</td>'
            f'<td class="num">{int(now["queried_cum"].iloc[i])}</td>'
            f"<td>{bar}</td><td{cls}>{e(harm.SHARE_WORDS.get(word, 'n/a'))}</td></tr>"
        )
    head = (
        '<tr><th>Group</th><th class="num">Share of pool</th>'
        '<th class="num">Share of queries</th><th class="num">Queries</th>'
        "<th>Pool (grey) and queries (blue)</th><th>Verdict</th></tr>"
    )
    return (
        f"<p>After round {r}, the strategy had asked for {int(n)} labels "
        "beyond the seed set.</p>"
        f'<table>{head}{"".join(rows)}</table><p class="note">{e(T.LEDGER_NOTE)}</p>'
    )


def _by_group(t: pd.DataFrame, col: str) -> str:
    return ", ".join(
        f"<b>{e(rate_pct(v))}</b> of {e(g)}" for g, v in zip(t["group"], t[col], strict=True)
    )


def outcome_section(
    groups: pd.DataFrame, rounds: pd.DataFrame, r: int, what: str, *, favourable: bool = True
) -> str:
    """Per-group outcomes against the truth beside the recorded labels, in outcome words."""
    t = harm.rates(groups, r)
    gap = harm.largest_gap(t)
    gap_obs = harm.largest_gap(t, suffix="_observed")
    lines = [
        f"<p><b>Truly {e(what)}:</b> the model recognises {_by_group(t, 'tpr')}.</p>",
        f"<p><b>Truly not:</b> it wrongly flags {_by_group(t, 'fpr')}.</p>",
    ]
    if not favourable:
        lines.append(f"<p>{e(T.UNFAVOURABLE.format(what=what))}</p>")
    if gap is not None:
        verb = "recognised least often" if gap.metric == "tpr" else "wrongly flagged most often"
        chance = (
            " The two groups' 95% intervals overlap, so this test set cannot rule out chance."
            if harm.intervals_overlap(t, gap)
            else " The two groups' 95% intervals do not overlap."
        )
        lines.append(
            f"<p>Against the truth, the larger gap is on {e(_metric_words(gap.metric))}: "
            f"<b>{e(gap.worst)}</b> is {verb}, {gap.size * 100:.0f} points from "
            f"{e(gap.best)}.{chance}</p>"
        )
    obs = (
        '<p><span class="rec">What the recorded labels would show</span> (how a practitioner '
        f"without the truth grades the model): it recognises {_by_group(t, 'tpr_observed')}; "
        f"it wrongly flags {_by_group(t, 'fpr_observed')}."
    )
    if gap_obs is not None:
        obs += (
            f" Read that way, the larger gap is on {e(_metric_words(gap_obs.metric))}, worst "
            f"group {e(gap_obs.worst)}, {gap_obs.size * 100:.0f} points."
        )
    lines.append(obs + "</p>")
    now = rounds[rounds["round"] == r]
    if len(now):
        acc, acc_obs = float(now["accuracy"].iloc[0]), float(now["accuracy_observed"].iloc[0])
        lines.append(
            f"<p>Overall accuracy is {acc:.1%} against the truth and {acc_obs:.1%} against the "
            "recorded labels"
            + (
                ": the recorded labels make the model look better than it is."
                if acc_obs > acc + 5e-4
                else "."
            )
            + "</p>"
        )
    lines.append(rates_svg(t, what))
    return "".join(lines)


def _metric_words(metric: str) -> str:
    return "recognising true positives" if metric == "tpr" else "wrongly flagging true negatives"


def _gap_cell(row: pd.Series, sfx: str) -> str:
    gap = row[f"gap{sfx}"]
    if isinstance(gap, float) and math.isnan(gap):
        return '<td class="num">n/a</td>'
    low, high = row[f"low{sfx}"], row[f"high{sfx}"]
    ci = "" if math.isnan(low) else f" ({low * 100:+.0f} to {high * 100:+.0f})"
    return f'<td class="num">{gap * 100:.0f}{e(ci)}</td>'


def gap_section(groups: pd.DataFrame, r: int, what: str) -> str:
    g = gap_table(groups, r)
    rows = []
    for _, row in g.iterrows():
        between = f"{row['top']} vs {row['bottom']}" if row["top"] and row["bottom"] else "n/a"
        rows.append(
            f'<tr><td><b>{e(row["name"])}</b>: <span class="cite">'
            f"{e(row['meaning'].format(what=what))}</span></td>"
            f"{_gap_cell(row, '')}{_gap_cell(row, '_observed')}"
            f'<td class="group">{e(between)}</td></tr>'
        )
    head = (
        '<tr><th class="wide">Gap, in percentage points</th>'
        '<th class="num truth">Truth (95%)</th><th class="num rec">Recorded (95%)</th>'
        '<th class="pair">Highest vs lowest</th></tr>'
    )
    return f'<table>{head}{"".join(rows)}</table><p class="note">{e(T.GAP_NOTE)}</p>'


def against_section(groups: pd.DataFrame, r: int, strategy: str) -> str:
    found = harm.selected_against(groups, r, strategy=strategy)
    if not found:
        if r == 0 or not float(np.nansum(groups[groups["round"] == r]["queried_cum"])):
            body = "<p>No queries yet, so no group has been asked about less than its share.</p>"
        else:
            body = (
                "<p>No group was asked about less than its share of the pool (by the 95% "
                "range of random picks).</p>"
            )
    else:
        body = "".join(f"<p><b>{e(g)}</b>: {e(s.split(': ', 1)[1])}</p>" for g, s in found)
    return f'<div class="callout"><div class="label">Selected against</div>{body}</div>'
