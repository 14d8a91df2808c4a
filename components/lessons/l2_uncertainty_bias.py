"""Lesson 2: uncertainty bias. Noise in one group's measurements draws a committee's
questions to that group, for reasons that are not the group's own.

Sources: Phillips, R., Chang, K. H. & Friedler, S. A. (2018). Interpretable
active learning. FAT* 2018 (uncertainty bias). Houlsby, N., Huszar, F.,
Ghahramani, Z. & Lengyel, M. (2011). Bayesian active learning for
classification and preference learning. arXiv:1112.5745 (BALD). Suresh, H. &
Guttag, J. (2021). A framework for understanding sources of harm throughout the
machine learning life cycle. EAAMO (measurement bias).
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
from components.lessons.measures import final_group, stats

NOISY = "Female"
_NOISE = {"name": "measurement_noise", "params": {"group": NOISY, "sigma": 1.0}}
_BASE = {
    "dataset": "adult",
    "model": "logistic",
    "initial_size": 20,
    "batch_size": 10,
    "rounds": 20,
    "test_size": 0.8,
}
RUNS = {
    "bald_noise": {**_BASE, "scenarios": [_NOISE], "strategy": "bald"},
    "random_noise": {**_BASE, "scenarios": [_NOISE], "strategy": "random"},
    "lc_noise": {**_BASE, "scenarios": [_NOISE], "strategy": "least_confidence"},
    "bald_clean": {**_BASE, "strategy": "bald"},
}


def _share(r: Results, run: str) -> np.ndarray:
    return final_group(r.of(run), NOISY, "query_share_cum")


def _common(r: Results) -> dict[str, float]:
    return {
        "n": len(r.seeds),
        "pool": float(final_group(r.of("random_noise"), NOISY, "pool_share").mean()),
        **stats("rnd", _share(r, "random_noise")),
    }


def _chase(r: Results) -> dict[str, float]:
    b, rnd = _share(r, "bald_noise"), _share(r, "random_noise")
    return {**_common(r), **stats("bald", b), "bald_over_rnd": float(np.sum(b > rnd))}


def _noise(r: Results) -> dict[str, float]:
    b, c = _share(r, "bald_noise"), _share(r, "bald_clean")
    return {**stats("bald", b), **stats("clean", c), "noise_raised": float(np.sum(b > c))}


def _lc(r: Results) -> dict[str, float]:
    lc, rnd = _share(r, "lc_noise"), _share(r, "random_noise")
    return {**_common(r), **stats("lc", lc), "lc_under_rnd": float(np.sum(lc < rnd))}


def _ub(r: Results) -> dict[str, float]:
    ub = final_group(r.of("random_noise"), NOISY, "uncertainty_bias")
    return {"n": len(r.seeds), **stats("ub", ub), "ub_negative": float(np.sum(ub < 0))}


CLAIMS = (
    Claim(
        "bald_chases_noise",
        "With noise on women's features, BALD gave women {bald_mean:.2f} of its questions "
        "({bald_min:.2f} to {bald_max:.2f}) against random's {rnd_mean:.2f}; more than random "
        "in {bald_over_rnd:.0f} of {n:.0f} seeds. Women are {pool:.2f} of the pool.",
        _chase,
        lambda x: x["bald_over_rnd"] == x["n"],
    ),
    Claim(
        "noise_drives_it",
        "Without the noise, the same BALD runs gave women {clean_mean:.2f} ({clean_min:.2f} to "
        "{clean_max:.2f}); the noise raised their share in {noise_raised:.0f} of {n:.0f} seeds.",
        lambda r: {"n": len(r.seeds), **_noise(r)},
        lambda x: x["noise_raised"] == x["n"],
    ),
    Claim(
        "least_confidence_does_not",
        "Least confidence with the same linear model and the same noise gave women "
        "{lc_mean:.2f} ({lc_min:.2f} to {lc_max:.2f}), less than random in {lc_under_rnd:.0f} "
        "of {n:.0f} seeds.",
        _lc,
        lambda x: x["lc_under_rnd"] == x["n"],
    ),
    Claim(
        "model_not_less_sure",
        "The single model was not less sure about the noisy group: women's uncertainty bias "
        "under random sampling was {ub_mean:.2f} ({ub_min:.2f} to {ub_max:.2f}), below zero in "
        "{ub_negative:.0f} of {n:.0f} seeds. What BALD chased was "
        "the committee's disagreement, not the model's doubt.",
        _ub,
        lambda x: x["ub_negative"] == x["n"],
    ),
)

LESSON = Lesson(
    slug="uncertainty-bias",
    title="Uncertainty bias: chasing someone else's noise",
    sources=(
        "Phillips, R., Chang, K. H. & Friedler, S. A. (2018). Interpretable active learning. "
        "FAT* 2018.",
        "Houlsby, N., Huszar, F., Ghahramani, Z. & Lengyel, M. (2011). Bayesian active "
        "learning for classification and preference learning. arXiv:1112.5745.",
        "Suresh, H. & Guttag, J. (2021). A framework for understanding sources of harm "
        "throughout the machine learning life cycle. EAAMO.",
    ),
    story=(
        "A bank screens applicants with census-style records (UCI Adult: does a person earn "
        "over $50K?). Women's records were entered by a careless process: every number about "
        "them carries random error. Nothing about the women themselves differs. The bank "
        "labels 200 applicants, 10 at a time, chosen by an active-learning strategy."
    ),
    runs=RUNS,
    seeds=(0, 1, 2, 3, 4),
    quick_seeds=(0,),
    predict=Question(
        "Women's records are noisy. Which strategy will ask about women far more than their "
        "share of applicants?",
        (
            Choice("a", "Least confidence: the model is least sure about noisy rows"),
            Choice("b", "BALD: a committee of models disagrees most about noisy rows"),
            Choice("c", "Both, about equally"),
            Choice("d", "Neither: noise is noise, it is ignored"),
        ),
        answer="b",
        why=(
            "Noise pushes rows away from the data the models were fitted on, where a "
            "committee's members extrapolate differently. One linear model stays confident "
            "there, so least confidence looks elsewhere."
        ),
    ),
    watch=(
        WatchStep(
            "BALD with noise on women: the query ledger. Women's bar climbs far past their "
            "share of the pool.",
            "bald_noise",
            "ledger",
        ),
        WatchStep(
            "BALD's scores by group: each round's questions go to the highest scores, "
            "whoever holds them.",
            "bald_noise",
            "scores",
        ),
        WatchStep(
            "Uncertainty bias (Phillips, Chang & Friedler): below zero means the model is "
            "sure about the group more often than about the others. The noisy group is not "
            "where the single model is unsure.",
            "random_noise",
            "uncertainty",
        ),
        WatchStep(
            "Least confidence with the same noise: women get fewer questions than their share.",
            "lc_noise",
            "ledger",
        ),
    ),
    reveal=(
        "BALD gave the noisy group {bald_mean:.2f} of its questions against random's "
        "{rnd_mean:.2f} (women are {pool:.2f} of the pool); without the noise BALD gave them "
        "{clean_mean:.2f}. Least confidence, with the same noise, gave them {lc_mean:.2f}. "
        "Women's uncertainty bias stayed at {ub_mean:.2f}: the single model was not less sure "
        "about them."
    ),
    explain=(
        "BALD asks where members of a committee, each fitted on a resample of the labels, "
        "disagree. Noisy rows lie where the data give the members little to agree on, so "
        "BALD spends its questions there, on error that belongs to the record-keeping, not "
        "to the people. A single linear model is as confident about a noisy row as about any "
        "other far from its boundary, so least confidence does not chase the noise."
    ),
    discuss=(
        "BALD asked women far more often. Is that attention a benefit to women, or a cost "
        "of the noise that the bank pays and women do not gain from?",
        "Which uncertainty would you show a decision-maker: the model's confidence, or the "
        "committee's disagreement? What does each one miss here?",
    ),
    try_this=TryThis(
        change="Turn the noise up: measurement noise sigma from 1.0 to 3.0.",
        look_for=(
            "Whether BALD's share for women grows further with the noise, and what happens "
            "to women's accuracy on the accuracy chart."
        ),
        base="bald_noise",
        run={
            "scenarios": [{"name": "measurement_noise", "params": {"group": NOISY, "sigma": 3.0}}]
        },
    ),
    facilitator=Facilitator(
        minutes=15,
        expected_answers=(
            "Expect (a) or (c): 'uncertain' sounds like one thing. The runs back "
            "(b). Put the two ledgers side by side, then the uncertainty-bias chart, and ask "
            "why the chart that measures uncertainty does not flag the noisy group."
        ),
        misconceptions=(
            "'All uncertainty sampling is the same.' Least confidence reads one model's "
            "confidence; BALD reads a committee's disagreement. They point to different people.",
            "'Being asked about more is always good for a group.' Here the questions chase "
            "noise in the records; they do not fix it.",
            "'Uncertainty bias measures where the strategy will look.' It measures one "
            "model's confidence; a committee strategy can look elsewhere.",
        ),
    ),
    claims=CLAIMS,
)
