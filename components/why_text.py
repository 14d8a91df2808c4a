"""``sentence(why)``: why a row was queried, in one plain sentence.

Every number in the sentence comes from the ``Why`` it is given
(``components.why``); nothing is typed in.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from components.why import Why

__all__ = ["ordinal", "sentence", "short_label"]


def ordinal(n: int) -> str:
    """``1st``, ``2nd``, ``3rd``, ``11th``, ``1,204th``.

    >>> [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 1204)]
    ['1st', '2nd', '3rd', '4th', '11th', '12th', '13th', '21st', '1,204th']
    """
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n:,}{suffix}"


def short_label(positive_label: str) -> str:
    """What label 1 means, cut before any parenthesis, for a sentence.

    >>> short_label("re-arrested within two years (two_year_recid = 1; unfavourable)")
    're-arrested within two years'
    """
    return positive_label.split(" (")[0].strip() or "1"


def _p(w: Why) -> str:
    return f"the model gave it {w.p_positive:.0%} for '{short_label(w.positive_label)}'"


def _unsure(lc: float) -> str:
    if lc >= 0.45:
        return "about as unsure as it gets"
    if lc >= 0.3:
        return "unsure"
    return "fairly sure"


def _uncertainty(w: Why) -> str:
    if w.strategy == "least_confidence":
        lc = w.part("least_confidence")
        return f"{_p(w)}, {_unsure(lc)} (least confidence {lc:.2f}; 0.50 is a coin toss)"
    if w.strategy == "margin":
        return (
            f"{_p(w)}, a gap of {w.part('gap'):.2f} between its two answers "
            f"(margin score {w.score:.2f}; 1.00 is a coin toss)"
        )
    return f"{_p(w)} (entropy {w.part('entropy'):.2f}; 0.69 is a coin toss)"


def _density(w: Why) -> str:
    return (
        f"{_p(w)} (entropy {w.part('entropy'):.2f}), and it is typical of the unlabelled rows "
        f"(density {w.part('density'):.2f}), so its score is {w.part('entropy'):.2f} x "
        f"{w.part('density'):.2f}^{w.part('beta'):g} = {w.score:.3f}"
    )


def _committee(w: Why) -> str:
    m, v = int(w.part("members")), int(w.part("votes_positive"))
    lo, hi = w.part("low_p"), w.part("high_p")
    pos = short_label(w.positive_label)
    if w.strategy == "qbc_vote_entropy":
        return f"{v} of its {m} committee models voted '{pos}' (vote entropy {w.score:.2f})"
    if w.strategy == "qbc_kl":
        return (
            f"its {m} committee models gave it from {lo:.0%} to {hi:.0%} for '{pos}' "
            f"(mean KL to their average {w.score:.3f})"
        )
    return (
        f"its {m} committee models gave it from {lo:.0%} to {hi:.0%} for '{pos}': their "
        f"average is unsure (entropy {w.part('entropy_of_mean'):.2f}) while each is surer "
        f"({w.part('mean_member_entropy'):.2f}), so BALD = {w.score:.3f}"
    )


def _coreset(w: Why) -> str:
    return (
        f"it lies {w.part('distance'):.2f} from the nearest labelled row, one of the farthest "
        "(core-set covers the space and ignores what the model is unsure about)"
    )


def _shares(w: Why) -> str:
    return (
        f"{w.group} had {w.part('group_labelled_share'):.0%} of the labelled rows against a "
        f"target of {w.part('target_share'):.0%}"
    )


def _balanced(w: Why) -> str:
    if w.part("random_within"):
        return (
            f"each pick goes to the group furthest below its target share, and {_shares(w)}; "
            f"inside {w.group} the row was drawn at random ({_p(w)})"
        )
    return (
        f"each pick goes to the group furthest below its target share, and {_shares(w)}; "
        f"inside {w.group} it ranked {ordinal(int(w.part('rank_in_group')))} by least "
        f"confidence ({w.part('least_confidence'):.2f}; {_p(w)})"
    )


def _fair(w: Why) -> str:
    return (
        f"its least confidence {w.part('least_confidence'):.2f} was multiplied by "
        f"{w.part('boost'):.2f} because {_shares(w)}, giving {w.score:.3f} ({_p(w)})"
    )


def _fal(w: Why) -> str:
    text = f"its entropy was {w.part('entropy_bits'):.2f} bits ({_p(w)})"
    try:
        gap = w.part("unfairness")
    except KeyError:
        return text
    return (
        f"{text}, and adding its label would leave the labels' parity gap at {gap:.3f} "
        f"expected; trading the two (alpha {w.part('alpha'):g}) ranked it "
        f"{ordinal(int(w.part('fal_rank')))} of {int(w.part('candidates'))} candidates"
    )


def _minmax(w: Why) -> str:
    loss, worst = w.part("group_loss"), w.part("worst_group_loss")
    if loss >= worst:
        return (
            f"{w.group} had the largest estimated loss ({loss:.2f}, on held-out labelled rows), "
            "and rows of the worst group are drawn at random"
        )
    return (
        f"{w.group}'s estimated loss ({loss:.2f}) was not the largest ({worst:.2f}), so it was "
        f"one of the picks drawn from the whole pool (chance {w.part('p'):.0%} each)"
    )


_CLAUSES: dict[str, Callable[[Why], str]] = {
    "least_confidence": _uncertainty,
    "margin": _uncertainty,
    "entropy": _uncertainty,
    "density_weighted": _density,
    "qbc_vote_entropy": _committee,
    "qbc_kl": _committee,
    "bald": _committee,
    "coreset": _coreset,
    "group_balanced": _balanced,
    "fair_uncertainty": _fair,
    "fal": _fal,
    "minmax_group": _minmax,
}


def _neighbours(w: Why) -> str:
    if not w.neighbours:
        return ""
    n = len(w.neighbours)
    groups = Counter(nb.group for nb in w.neighbours)
    who = ", ".join(f"{c} {g}" for g, c in groups.most_common())
    pos = short_label(w.positive_label)
    yes = sum(nb.label == 1 for nb in w.neighbours)
    if yes == n:
        said = f"all labelled '{pos}'" if n > 1 else f"labelled '{pos}'"
    elif yes == 0:
        said = f"none labelled '{pos}'" if n > 1 else f"not labelled '{pos}'"
    else:
        said = f"{yes} labelled '{pos}', {n - yes} not"
    head = "its nearest labelled row is" if n == 1 else f"its {n} nearest labelled rows are"
    return f"{head} {who}, {said}"


#: Strategies that take the top of their score: the pick order is the rank.
TOP_N = frozenset(
    {
        "least_confidence",
        "margin",
        "entropy",
        "density_weighted",
        "qbc_vote_entropy",
        "qbc_kl",
        "bald",
    }
)


def _lead(w: Why) -> str:
    if w.rank is None:
        return f"Picked at random from {w.n_unlabeled:,} unlabelled rows, each equally likely"
    ranked = f"{ordinal(w.rank)} of {w.n_unlabeled:,} unlabelled rows"
    if w.ties:
        other = "other" if w.ties == 1 else "others"
        ranked += f" (tied with {w.ties:,} {other})"
    if w.strategy in TOP_N and w.pick is not None and w.pick == w.rank:
        return f"Picked {ranked}"
    place = f", picked {ordinal(w.pick)} of the batch of {w.batch_size}" if w.pick else ""
    return f"Ranked {ranked} by {w.score_label}{place}"


def sentence(w: Why) -> str:
    """Why ``w``'s row was queried, in one sentence quoting its numbers.

    Examples
    --------
    >>> from components.why import Neighbour, Part
    >>> w = Why(position=7, round=3, strategy="least_confidence", group="Female", score=0.48,
    ...         score_label="least confidence", parts=(Part("least_confidence", "", 0.48),),
    ...         rank=3, ties=0, n_unlabeled=4210, pick=3, batch_size=10,
    ...         neighbours=(Neighbour(1, 0.2, 0, "Male"), Neighbour(2, 0.3, 0, "Female"),
    ...                     Neighbour(3, 0.4, 0, "Male")),
    ...         p_positive=0.52, positive_label="earns over $50K a year")
    >>> print(sentence(w))  # doctest: +NORMALIZE_WHITESPACE
    Picked 3rd of 4,210 unlabelled rows: the model gave it 52% for 'earns over $50K a year',
    about as unsure as it gets (least confidence 0.48; 0.50 is a coin toss); its 3 nearest
    labelled rows are 2 Male, 1 Female, none labelled 'earns over $50K a year'.
    """
    if w.round == 0:
        body = f"Not chosen by the model: {w.caveat}"
        near = _neighbours(w)
        return body + (f"; {near}." if near else ".")
    clause = _CLAUSES.get(w.strategy)
    text = _lead(w)
    if clause is not None:
        text += f": {clause(w)}"
    elif w.rank is not None:
        text += f" ({w.score_label} {w.score:.3f})"
    near = _neighbours(w)
    if near:
        text += f"; {near}"
    if w.caveat:
        text += f"; {w.caveat}"
    return text + "."
