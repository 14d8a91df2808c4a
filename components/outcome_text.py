"""Plain-text words for outcomes and rates, shared by the app's headline and the brief.

Pure functions of strings and numbers: no escaping here (whoever shows the
text escapes it for its medium: Markdown in the app, HTML in the brief).
"""

from __future__ import annotations

import math


def outcome_words(positive_label: str) -> str:
    """The positive label as a short phrase: any trailing note in brackets dropped.

    Examples
    --------
    >>> outcome_words("re-arrested within two years (two_year_recid = 1; unfavourable)")
    're-arrested within two years'
    >>> outcome_words("1")
    'positive (label 1)'
    """
    s = str(positive_label).strip()
    if s in ("", "1", "positive"):
        return "positive (label 1)"
    if s.endswith(")") and " (" in s:
        s = s[: s.rindex(" (")].strip() or s
    return s


def rate_pct(x: float | None) -> str:
    """A rate as a percentage: one decimal below 10%, none above; ``n/a`` when undefined.

    Examples
    --------
    >>> rate_pct(0.147059), rate_pct(0.001941), rate_pct(float("nan"))
    ('15%', '0.2%', 'n/a')
    """
    if x is None or math.isnan(x):
        return "n/a"
    return f"{x:.1%}" if x < 0.1 else f"{x:.0%}"
