"""Lesson 3: when uncertainty helps. The same family of methods can pull attention
toward an under-represented group or away from it.

Sources: Branchaud-Charron, F., Atighehchian, P., Rodriguez, P., Abuhamad, G. &
Lacoste, A. (2021). Can active learning preemptively mitigate fairness issues?
ICLR 2021 Workshop on Responsible AI. Houlsby, N. et al. (2011). Bayesian active
learning for classification and preference learning (BALD). Sener, O. &
Savarese, S. (2018). Active learning for convolutional neural networks: a
core-set approach. Settles, B. & Craven, M. (2008). An analysis of active
learning strategies for sequence labeling tasks (information density).
"""

from __future__ import annotations

import numpy as np

from components.lessons.base import (
    Choice,
    Claim,
    Facilitator,
    Lesson,
    Question,
    Results,
    TryThis,
    WatchStep,
)
from components.lessons.measures import final_group, stats, total_queries

WOMEN = "Female"
STRATEGIES = ("random", "least_confidence", "bald", "coreset", "density_weighted")
_BASE = {
    "dataset": "adult",
    "scenarios": [{"name": "underrepresentation", "params": {"group": WOMEN, "keep": 0.2}}],
    "model": "logistic",
    "initial_size": 20,
    "batch_size": 10,
    "rounds": 20,
    "test_size": 0.8,
}
RUNS = {s: {**_BASE, "strategy": s} for s in STRATEGIES}


def ratio(r: Results, run: str) -> np.ndarray:
    """Women's share of the queries over their share of the pool, per seed."""
    runs = r.of(run)
    return final_group(runs, WOMEN, "query_share_cum") / final_group(runs, WOMEN, "pool_share")


def _pool(r: Results) -> dict[str, float]:
    share = final_group(r.of("random"), WOMEN, "pool_share")
    return {
        "n": len(r.seeds),
        "pool_pct": 100 * float(share.mean()),
        **stats("rnd", ratio(r, "random")),
    }


def _below(r: Results) -> dict[str, float]:
    x = ratio(r, "least_confidence")
    return {**_pool(r), **stats("lc", x), "lc_below": float(np.sum(x < 1))}


def _coreset(r: Results) -> dict[str, float]:
    x = ratio(r, "coreset")
    return {**_pool(r), **stats("cs", x), "cs_above": float(np.sum(x > 1))}


def _density(r: Results) -> dict[str, float]:
    q = final_group(r.of("density_weighted"), WOMEN, "queried_cum")
    asked = total_queries(r.of("density_weighted"))
    return {
        **_pool(r),
        **stats("dw", ratio(r, "density_weighted")),
        **stats("dw_q", q),
        "queries": float(asked.max()),
    }


def _bald(r: Results) -> dict[str, float]:
    b, lc = ratio(r, "bald"), ratio(r, "least_confidence")
    return {
        **_pool(r),
        **stats("bald", b),
        "bald_over_lc": float(np.sum(b > lc)),
        "bald_above": float(np.sum(b > 1)),
    }


CLAIMS = (
    Claim(
        "least_confidence_below",
        "Least confidence gave women {lc_mean:.2f}x their pool share of the questions "
        "({lc_min:.2f}x to {lc_max:.2f}x), below their share in {lc_below:.0f} of {n:.0f} seeds.",
        _below,
        lambda x: x["lc_below"] == x["n"],
    ),
    Claim(
        "coreset_above",
        "Core-set gave women {cs_mean:.2f}x their pool share ({cs_min:.2f}x to {cs_max:.2f}x), "
        "above their share in {cs_above:.0f} of {n:.0f} seeds.",
        _coreset,
        lambda x: x["cs_above"] == x["n"],
    ),
    Claim(
        "density_none",
        "Density-weighted entropy gave women {dw_mean:.2f}x their pool share: at most "
        "{dw_q_max:.0f} of {queries:.0f} questions in any seed.",
        _density,
        lambda x: x["dw_max"] < 0.25,
    ),
    Claim(
        "bald_over_least_confidence",
        "BALD gave women {bald_mean:.2f}x their pool share ({bald_min:.2f}x to {bald_max:.2f}x): "
        "more than least confidence in {bald_over_lc:.0f} of {n:.0f} seeds, and more than "
        "their pool share in {bald_above:.0f} of them.",
        _bald,
        lambda x: x["bald_over_lc"] == x["n"],
    ),
)

LESSON = Lesson(
    slug="when-uncertainty-helps",
    title="When uncertainty helps, and when it does not",
    sources=(
        "Branchaud-Charron, F., Atighehchian, P., Rodriguez, P., Abuhamad, G. & Lacoste, A. "
        "(2021). Can active learning preemptively mitigate fairness issues? ICLR 2021 "
        "Workshop on Responsible AI.",
        "Houlsby, N., Huszar, F., Ghahramani, Z. & Lengyel, M. (2011). Bayesian active "
        "learning for classification and preference learning. arXiv:1112.5745.",
        "Sener, O. & Savarese, S. (2018). Active learning for convolutional neural networks: "
        "a core-set approach. ICLR.",
        "Settles, B. & Craven, M. (2008). An analysis of active learning strategies for "
        "sequence labeling tasks. EMNLP.",
    ),
    story=(
        "A lender's records (UCI Adult) under-represent women: only one in five of the women "
        "made it into the pool of applicants waiting to be labelled. Five teams each label "
        "200 applicants, 10 at a time, with a different way of choosing whom to ask about."
    ),
    runs=RUNS,
    seeds=(0, 1, 2, 3, 4, 5),
    quick_seeds=(0,),
    predict=Question(
        "Women are under-represented in the pool. What will active learning do to their "
        "share of the questions?",
        (
            Choice("a", "Every method raises it: active learning seeks what the model lacks"),
            Choice("b", "Every method lowers it: active learning follows the majority"),
            Choice("c", "It depends on the method: some raise it, some lower it, one ignores them"),
            Choice("d", "Nothing: every method asks about women at their pool share"),
        ),
        answer="c",
        why=(
            "Methods that look for gaps in coverage (core-set) or for disagreement (BALD) "
            "drift toward a sparse group; least confidence follows one model's doubt, which "
            "sits mostly among the majority; density weighting discounts rare rows outright."
        ),
    ),
    watch=(
        WatchStep(
            "Random sampling: compare women's share of the questions with their share of the pool.",
            "random",
            "ledger",
        ),
        WatchStep("Least confidence: women fall below their share.", "least_confidence", "ledger"),
        WatchStep("Core-set: women rise above their share.", "coreset", "ledger"),
        WatchStep(
            "Density-weighted entropy: women are almost never asked about.",
            "density_weighted",
            "ledger",
        ),
        WatchStep("BALD: more for women than least confidence gives them.", "bald", "ledger"),
    ),
    reveal=(
        "Women were {pool_pct:.0f}% of the pool. As a multiple of that share, random gave "
        "them {rnd_mean:.2f}x, least confidence {lc_mean:.2f}x, BALD {bald_mean:.2f}x, "
        "core-set {cs_mean:.2f}x and density-weighted entropy {dw_mean:.2f}x."
    ),
    explain=(
        "Each method has its own idea of a useful question. Core-set covers the space, so a "
        "sparse group's rows are far from everything labelled and get picked. Least "
        "confidence asks where one model is unsure, which for this model is mostly among "
        "men. Density weighting prefers typical rows, and a group kept at one in five is "
        "by construction atypical. 'Active learning' has no single effect on a minority."
    ),
    discuss=(
        "Branchaud-Charron et al. (2021) found BALD reduced unfairness. Here BALD gave women "
        "more than least confidence but not reliably more than their pool share. What would "
        "you need to know before trusting a published result in your own setting?",
        "A vendor says their labelling tool 'uses active learning'. Which question would you "
        "ask them first?",
    ),
    try_this=TryThis(
        change="Give least confidence the group as a feature (use_group_feature on).",
        look_for=(
            "Whether women's share of least confidence's questions moves toward their pool "
            "share, on the ledger."
        ),
        base="least_confidence",
        run={"use_group_feature": True},
    ),
    facilitator=Facilitator(
        minutes=15,
        expected_answers=(
            "Expect answers split between (a) and (b); both are slogans. The runs back (c). Show the "
            "five ledgers in turn and write each method's multiple of the pool share on the "
            "board."
        ),
        misconceptions=(
            "'Active learning amplifies bias' and 'active learning fixes bias' are both "
            "wrong as general statements: it depends on the method.",
            "'Giving a group more questions makes the model fair to it.' More questions is "
            "attention, not accuracy; check the error rates too.",
            "'Density weighting is neutral.' It down-weights whatever is rare, and an "
            "under-represented group is rare by definition.",
        ),
    ),
    claims=CLAIMS,
)
