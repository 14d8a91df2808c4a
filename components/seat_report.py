"""How did I do? The annotator's seat, per group, against the truth and against random.

For each group: how many of the model's questions were about it, what the
same budget would have shown at random (expected count ``budget x pool
share`` with its binomial 95% range, and an actual ``random`` run from the
same seed set), and how the person's own labels compare with the truth:
agreement, positives missed, negatives wrongly called positive. Rows the
person handed to the simulated annotator are counted apart.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import binom

from components.seat import Seat
from components.why_text import short_label

__all__ = ["GroupReport", "SeatReport", "report_sentences", "seat_report"]


@dataclass(frozen=True)
class GroupReport:
    """One group's line of the report.

    Attributes
    ----------
    group : str
    pool_rows : int
        Rows of the group in the pool.
    pool_share : float
    shown : int
        Rows of the group the model asked the person about.
    labelled : int
        Of those, answered by the person (the rest were handed over).
    revealed : int
        Handed to the simulated annotator.
    agree_truth : int
        The person's answers equal to the truth.
    missed_positives : int
        Truly positive, answered 0.
    false_positives : int
        Truly negative, answered 1.
    simulated_agree_truth : int
        On the rows the person answered, how often the simulated annotator
        (the recorded labels) would have matched the truth.
    expected_random : float
        ``budget x pool_share``: what random would show on average.
    random_low, random_high : int
        The binomial 95% range of that count.
    random_run : int
        What an actual ``random`` run from the same seed set showed.
    """

    group: str
    pool_rows: int
    pool_share: float
    shown: int
    labelled: int
    revealed: int
    agree_truth: int
    missed_positives: int
    false_positives: int
    simulated_agree_truth: int
    expected_random: float
    random_low: int
    random_high: int
    random_run: int


@dataclass(frozen=True)
class SeatReport:
    """The whole report: the budget so far and one line per group."""

    rounds: int
    budget: int
    groups: tuple[GroupReport, ...]
    positive_label: str

    @property
    def never_shown(self) -> tuple[str, ...]:
        """Groups the model never asked about (after at least one round)."""
        return tuple(g.group for g in self.groups if self.budget and g.shown == 0)

    @property
    def random_never_shown(self) -> tuple[str, ...]:
        """Groups the random run from the same seed set never asked about."""
        return tuple(g.group for g in self.groups if self.budget and g.random_run == 0)


def seat_report(seat: Seat) -> SeatReport:
    """The report of ``seat`` after the rounds labelled so far.

    Examples
    --------
    >>> from components.config import RunConfig
    >>> seat = Seat(RunConfig.from_dict({"dataset": "two_groups:n_samples=300",
    ...                                  "batch_size": 4, "rounds": 2}))
    >>> _ = seat.submit({p: "simulated" for p in seat.positions().tolist()})
    >>> r = seat_report(seat)
    >>> r.budget, sum(g.shown for g in r.groups), sum(g.random_run for g in r.groups)
    (4, 4, 4)
    """
    s = seat.sim.split
    k = len(seat.groups)
    answers = seat.answers
    budget = len(answers)
    pool_rows = np.bincount(s.g_pool, minlength=k)
    random_rows = np.bincount(s.g_pool[seat.random_positions()], minlength=k)
    lines = []
    for code, g in enumerate(seat.groups):
        mine = [a for a in answers if a.group == g]
        own = [a for a in mine if a.given is not None]
        share = float(pool_rows[code] / s.n_pool)
        lines.append(
            GroupReport(
                group=g,
                pool_rows=int(pool_rows[code]),
                pool_share=share,
                shown=len(mine),
                labelled=len(own),
                revealed=len(mine) - len(own),
                agree_truth=sum(a.given == a.truth for a in own),
                missed_positives=sum(a.truth == 1 and a.given == 0 for a in own),
                false_positives=sum(a.truth == 0 and a.given == 1 for a in own),
                simulated_agree_truth=sum(a.simulated == a.truth for a in own),
                expected_random=budget * share,
                random_low=int(binom.ppf(0.025, budget, share)) if budget else 0,
                random_high=int(binom.ppf(0.975, budget, share)) if budget else 0,
                random_run=int(random_rows[code]),
            )
        )
    return SeatReport(
        rounds=seat.round,
        budget=budget,
        groups=tuple(lines),
        positive_label=seat.sim.dataset.positive_label,
    )


def _questions(n: int) -> str:
    return "1 question" if n == 1 else f"{n} questions"


def _random_words(g: GroupReport) -> str:
    return (
        f"random would have shown about {g.expected_random:.0f} ({g.random_low} to "
        f"{g.random_high}), and a random run from the same seed set showed {g.random_run}"
    )


def _labels_words(g: GroupReport, pos: str) -> str:
    if not g.labelled:
        return f"You handed all {g.revealed} to the simulated annotator."
    text = f"You agreed with the truth on {g.agree_truth} of {g.labelled}"
    errors = []
    if g.missed_positives:
        errors.append(f"said no to {g.missed_positives} who truly were '{pos}'")
    if g.false_positives:
        errors.append(f"said yes to {g.false_positives} who truly were not")
    if errors:
        text += ": you " + " and ".join(errors)
    text += (
        f" (the simulated annotator's recorded labels matched the truth on "
        f"{g.simulated_agree_truth} of the same {g.labelled})."
    )
    if g.revealed:
        text += f" You handed {g.revealed} to the simulated annotator."
    return text


def report_sentences(report: SeatReport) -> list[str]:
    """The report in plain words: one paragraph per group, never-shown groups first.

    Examples
    --------
    >>> g = GroupReport("Female", 5000, 0.33, 3, 3, 0, 2, 1, 0, 3, 9.9, 5, 15, 11)
    >>> h = GroupReport("Male", 10000, 0.67, 27, 27, 0, 27, 0, 0, 27, 20.1, 15, 25, 19)
    >>> print(report_sentences(SeatReport(3, 30, (g, h), "earns over $50K a year"))[0])
    The model showed you 3 of its 30 questions about Female; random would have shown about \
10 (5 to 15), and a random run from the same seed set showed 11. You agreed with the truth \
on 2 of 3: you said no to 1 who truly were 'earns over $50K a year' (the simulated \
annotator's recorded labels matched the truth on 3 of the same 3).
    """
    if not report.budget:
        return ["You have not labelled a batch yet: the report starts after your first submit."]
    pos = short_label(report.positive_label)
    first = sorted(report.groups, key=lambda g: (g.shown > 0, g.shown))
    out = []
    for g in first:
        if g.shown == 0:
            out.append(
                f"The model never showed you anyone from {g.group} ({g.pool_rows:,} rows, "
                f"{g.pool_share:.0%} of the pool) in its {_questions(report.budget)}; "
                f"{_random_words(g)}."
            )
            continue
        out.append(
            f"The model showed you {g.shown} of its {_questions(report.budget)} about "
            f"{g.group}; {_random_words(g)}. {_labels_words(g, pos)}"
        )
    return out
