"""Captions of the pool charts: how to read the map, the ghost map and the strategy's scores.

Plain functions, no streamlit; Markdown with every name escaped.
"""

from __future__ import annotations

from components.strategies import STRATEGIES
from dashboard.safe import md_escape


def map_caption(two_d: bool, n_pool: int, drawn: int) -> str:
    """How to read the pool map.

    Parameters
    ----------
    two_d : bool
        The data has two features (the map shows them and the decision
        boundary), rather than a PCA projection.
    n_pool : int
        Rows in the pool.
    drawn : int
        Rows on the map.

    Returns
    -------
    str

    Examples
    --------
    >>> "Showing 10 of 50 rows" in map_caption(False, 50, 10)
    True
    """
    text = (
        "Each dot is a row of the pool, coloured by group. Solid marks were labelled "
        "(bigger = this round); faded dots have not been asked about."
    )
    if two_d:
        text += " The dashed line is the model's decision boundary."
    else:
        text += (
            " The layout is a 2D PCA projection of the features: nearby dots are similar, "
            "but distances are only approximate."
        )
    if drawn < n_pool:
        text += (
            f" Showing {drawn:,} of {n_pool:,} rows (every labelled row, plus a fixed sample; "
            "fewer while playing, to keep the page light)."
        )
    return text


def ghost_map_caption(strategy: str, seed: int) -> str:
    """The map on Compare: one strategy's picks against random's from the same seed set.

    Parameters
    ----------
    strategy : str
        The strategy drawn in colour.
    seed : int
        Its run's seed.

    Returns
    -------
    str
        Markdown.

    Examples
    --------
    >>> ghost_map_caption("margin", 3)[:38]
    'Coloured: what margin labelled (seed 3'
    """
    return (
        f"Coloured: what {md_escape(strategy)} labelled (seed {seed}); grey crosses: what "
        "random labelled from the same seed set."
    )


def scores_caption(score_name: str, has_scores: bool) -> str:
    """How the strategy's score decides who is asked.

    Parameters
    ----------
    score_name : str
        What the score means (see ``score_label``).
    has_scores : bool
        False for a strategy with no score (``random``).

    Returns
    -------
    str
    """
    if not has_scores:
        return "This strategy has no per-row score: it picks at random."
    return (
        f"The strategy asks about rows with the highest {score_name} first (right side). "
        "If one group's curve sits further right, that group will be asked about more: "
        "that is where the ledger's over-querying comes from. The model's uncertainty can "
        "come from the group being hard, noisy or mislabelled, not just from being informative."
    )


def score_label(strategy: str) -> str:
    """What ``strategy``'s score means, in words (its registry entry's), or "score".

    Examples
    --------
    >>> score_label("margin")
    'margin score (1 - gap between the top two)'
    """
    if strategy not in STRATEGIES:
        return "score"
    entry = STRATEGIES[strategy]
    return entry.score_label or entry.formula or "score"


#: How each metric of ``components.harm.Gap`` reads, and what its worst group suffers.
#: Captions of the Compare page's charts (the same whatever the runs).
