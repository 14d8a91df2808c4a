"""The brief's one chart: per-group rates against the truth and the recorded labels, inline SVG.

Drawn by hand as SVG text, so the page needs no script and fetches nothing.
Group names are cut to fit and HTML-escaped.
"""

from __future__ import annotations

import math
from html import escape

import pandas as pd

from components.outcome_text import rate_pct

TRUTH, RECORDED, AXIS = "#1f4e79", "#9a6700", "#777"
WIDTH, LABEL_W, PANEL_GAP, ROW_H, TOP = 700, 150, 40, 19, 32
MAX_NAME = 24


def short(name: str, limit: int = MAX_NAME) -> str:
    """``name`` cut to ``limit`` characters with an ellipsis.

    >>> short("Asian-Pac-Islander+Female", 12)
    'Asian-Pac-I\u2026'
    """
    return name if len(name) <= limit else name[: limit - 1] + "\u2026"


def _x(v: float, x0: float, w: float) -> float:
    return x0 + max(0.0, min(1.0, v)) * w


def _panel(t: pd.DataFrame, metric: str, x0: float, w: float, title: str) -> list[str]:
    out = [
        f'<text x="{x0:.1f}" y="13" font-weight="bold">{escape(title)}</text>',
    ]
    bottom = TOP + ROW_H * len(t)
    for tick in (0, 0.25, 0.5, 0.75, 1.0):
        x = _x(tick, x0, w)
        out.append(
            f'<line x1="{x:.1f}" y1="{TOP - 6}" x2="{x:.1f}" y2="{bottom - 4}" '
            f'stroke="#e3e3e3" stroke-width="1"/>'
            f'<text x="{x:.1f}" y="{bottom + 8}" text-anchor="middle" fill="{AXIS}" '
            f'font-size="9">{tick:.0%}</text>'
        )
    for i, (_, row) in enumerate(t.iterrows()):
        y = TOP + ROW_H * i + 4
        v, lo, hi = (float(row[c]) for c in (metric, f"{metric}_low", f"{metric}_high"))
        obs = float(row[f"{metric}_observed"])
        if not (math.isnan(lo) or math.isnan(hi)):
            out.append(
                f'<line x1="{_x(lo, x0, w):.1f}" y1="{y}" x2="{_x(hi, x0, w):.1f}" y2="{y}" '
                f'stroke="{TRUTH}" stroke-width="2"/>'
            )
        if not math.isnan(obs):
            out.append(
                f'<circle cx="{_x(obs, x0, w):.1f}" cy="{y}" r="4.2" fill="#fff" '
                f'stroke="{RECORDED}" stroke-width="1.8"/>'
            )
        if not math.isnan(v):
            out.append(f'<circle cx="{_x(v, x0, w):.1f}" cy="{y}" r="3.6" fill="{TRUTH}"/>')
            anchor, dx = ("end", -8) if v > 0.82 else ("start", 8)
            x_text = _x(max(v, hi if not math.isnan(hi) else v), x0, w) + dx
            if anchor == "end":
                x_text = _x(min(v, lo if not math.isnan(lo) else v), x0, w) + dx
            out.append(
                f'<text x="{x_text:.1f}" y="{y + 3.5}" text-anchor="{anchor}" font-size="9" '
                f'fill="{TRUTH}">{escape(rate_pct(v))}</text>'
            )
    return out


def rates_svg(t: pd.DataFrame, what: str) -> str:
    """An inline SVG of each group's TPR and FPR: truth (dot, 95% interval) and recorded (ring).

    Parameters
    ----------
    t : DataFrame
        ``components.harm.rates`` output.
    what : str
        The positive label in words (``outcome_words``).

    Examples
    --------
    >>> t = pd.DataFrame({"group": ["<b>"], "tpr": [0.5], "tpr_low": [0.4], "tpr_high": [0.6],
    ...     "tpr_observed": [0.4], "fpr": [0.1], "fpr_low": [0.05], "fpr_high": [0.2],
    ...     "fpr_observed": [0.1]})
    >>> svg = rates_svg(t, "paid")
    >>> svg.startswith("<svg") and "&lt;b&gt;" in svg and "<b>" not in svg
    True
    """
    panel_w = (WIDTH - LABEL_W - PANEL_GAP - 20) / 2
    x1 = LABEL_W
    x2 = LABEL_W + panel_w + PANEL_GAP
    height = TOP + ROW_H * len(t) + 30
    parts = [
        f'<svg viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" role="img" font-family="DejaVu Sans, Arial, '
        f'sans-serif" font-size="10" aria-label="{escape("Per-group rates: " + what)}">'
    ]
    parts += _panel(t, "tpr", x1, panel_w, short(f"Truly {what}: recognised", 60))
    parts += _panel(t, "fpr", x2, panel_w, "Truly not: wrongly flagged")
    for i, g in enumerate(t["group"].astype(str)):
        y = TOP + ROW_H * i + 4
        parts.append(
            f'<text x="{LABEL_W - 8}" y="{y + 3.5}" text-anchor="end" font-size="9">'
            f"{escape(short(g))}</text>"
        )
    ly = height - 8
    parts.append(
        f'<circle cx="{LABEL_W + 4}" cy="{ly - 3}" r="3.6" fill="{TRUTH}"/>'
        f'<line x1="{LABEL_W - 6}" y1="{ly - 3}" x2="{LABEL_W + 14}" y2="{ly - 3}" '
        f'stroke="{TRUTH}" stroke-width="2"/>'
        f'<text x="{LABEL_W + 20}" y="{ly}" font-size="9">against the truth, with 95% '
        "interval</text>"
        f'<circle cx="{LABEL_W + 230}" cy="{ly - 3}" r="4.2" fill="#fff" stroke="{RECORDED}" '
        'stroke-width="1.8"/>'
        f'<text x="{LABEL_W + 240}" y="{ly}" font-size="9">what the recorded labels show</text>'
    )
    parts.append("</svg>")
    return "".join(parts)
