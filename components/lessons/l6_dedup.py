"""Lesson 6: deduplication does not remove label bias. Removing copies changes who is
asked about; it does not change what the labels say.

Sources: Suresh, H. & Guttag, J. (2021). A framework for understanding sources
of harm throughout the machine learning life cycle. EAAMO. Li, Y.,
De-Arteaga, M. & Saar-Tsechansky, M. (2022). More data can lead us astray:
active data acquisition in the presence of label bias. HCOMP 2022.
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
from components.lessons.measures import final_group, final_round, stats

WOMEN = "Female"
_BIAS = {"name": "label_bias", "params": {"group": WOMEN, "flip": 0.7}}
_COPIES = {"name": "duplicates", "params": {"group": WOMEN, "factor": 3}}
_BASE = {
    "dataset": "adult",
    "strategy": "random",
    "model": "logistic",
    "initial_size": 20,
    "batch_size": 20,
    "rounds": 20,
    "test_size": 0.8,
}
RUNS = {
    "duplicated": {**_BASE, "scenarios": [_BIAS, _COPIES]},
    "deduplicated": {**_BASE, "scenarios": [_BIAS]},
    "honest": dict(_BASE),
}


def _ledger(r: Results) -> dict[str, float]:
    dup = final_group(r.of("duplicated"), WOMEN, "query_share_cum")
    dedup = final_group(r.of("deduplicated"), WOMEN, "query_share_cum")
    return {
        "n": len(r.seeds),
        **stats("q_dup", dup),
        **stats("q_dedup", dedup),
        "pool_dup": float(final_group(r.of("duplicated"), WOMEN, "pool_share").mean()),
        "pool_dedup": float(final_group(r.of("deduplicated"), WOMEN, "pool_share").mean()),
        "q_changed": float(np.sum(dup > dedup + 0.1)),
    }


def _tpr(r: Results) -> dict[str, float]:
    dup, dedup, honest = (final_group(r.of(k), WOMEN, "tpr") for k in RUNS)
    return {
        "n": len(r.seeds),
        **stats("tpr_dup", dup),
        **stats("tpr_dedup", dedup),
        **stats("tpr_honest", honest),
        "tpr_below": float(np.sum((dup < honest) & (dedup < honest))),
    }


def _gap(r: Results) -> dict[str, float]:
    dup, dedup, honest = (final_round(r.of(k), "eo_difference") for k in RUNS)
    return {
        "n": len(r.seeds),
        **stats("eo_dup", dup),
        **stats("eo_dedup", dedup),
        **stats("eo_honest", honest),
        "eo_dedup_above": float(np.sum(dedup > honest)),
        "eo_both_above": float(np.sum((dup > honest) & (dedup > honest))),
        "eo_change": float(abs(np.mean(dup) - np.mean(dedup))),
        "eo_bias": float(np.mean(dedup) - np.mean(honest)),
    }


CLAIMS = (
    Claim(
        "ledger_changes",
        "Deduplicating changed the query ledger: with each woman's row in the pool three "
        "times, women were {pool_dup:.2f} of the pool and got {q_dup_mean:.2f} of the "
        "questions ({q_dup_min:.2f} to {q_dup_max:.2f}); deduplicated, {pool_dedup:.2f} of "
        "the pool and {q_dedup_mean:.2f} of the questions. Lower by more than 0.1 in "
        "{q_changed:.0f} of {n:.0f} seeds.",
        _ledger,
        lambda x: x["q_changed"] == x["n"],
    ),
    Claim(
        "harm_stays",
        "It did not change the harm: the model found {tpr_dup_mean:.2f} of the women who truly "
        "earn over $50K with the copies and {tpr_dedup_mean:.2f} without them, against "
        "{tpr_honest_mean:.2f} with honest labels; both below honest labels in "
        "{tpr_below:.0f} of {n:.0f} seeds.",
        _tpr,
        lambda x: x["tpr_below"] == x["n"],
    ),
    Claim(
        "gap_stays",
        "The equalized-odds gap against the truth was {eo_dup_mean:.2f} with the copies and "
        "{eo_dedup_mean:.2f} without (a change of {eo_change:.2f}), against {eo_honest_mean:.2f} "
        "with honest labels; with and without the copies it stayed above the honest gap in "
        "{eo_both_above:.0f} of {n:.0f} seeds. On average, removing the copies moved it by "
        "less than half of what the label bias added ({eo_bias:.2f}).",
        _gap,
        lambda x: x["eo_both_above"] == x["n"] and x["eo_change"] < x["eo_bias"] / 2,
    ),
)

LESSON = Lesson(
    slug="dedup",
    title="Deduplication does not remove label bias",
    sources=(
        "Suresh, H. & Guttag, J. (2021). A framework for understanding sources of harm "
        "throughout the machine learning life cycle. EAAMO.",
        "Li, Y., De-Arteaga, M. & Saar-Tsechansky, M. (2022). More data can lead us astray: "
        "active data acquisition in the presence of label bias. HCOMP 2022.",
    ),
    story=(
        "A lender's census records (UCI Adult) hold every woman's row three times over, "
        "each copy with the same recorded label, and 7 in 10 of the women who earn over "
        "$50K are recorded as earning less. A data-quality team removes the copies. The "
        "lender asks about 400 applicants chosen at random, before and after the clean-up, and compares "
        "both with a lender whose records were honest."
    ),
    runs=RUNS,
    seeds=tuple(range(8)),
    quick_seeds=(0, 1, 2),  # the gap claim compares means: one seed is too few
    predict=Question(
        "After the copies are removed, what changes?",
        (
            Choice("a", "Both who gets asked and how the model treats women"),
            Choice("b", "Who gets asked changes; how the model treats women does not"),
            Choice("c", "How the model treats women improves; who gets asked does not change"),
            Choice("d", "Nothing changes"),
        ),
        answer="b",
        why=(
            "Removing copies changes how often women are drawn, so the ledger changes. Every "
            "copy carried the same wrong label, so the labels the model learns from say the "
            "same thing before and after."
        ),
    ),
    watch=(
        WatchStep(
            "With the copies: women take a large share of the questions.",
            "duplicated",
            "ledger",
        ),
        WatchStep(
            "Deduplicated: women's share falls back to their share of the people.",
            "deduplicated",
            "ledger",
        ),
        WatchStep(
            "Deduplicated, error rates against the truth: women who qualify are still missed.",
            "deduplicated",
            "rates",
        ),
        WatchStep(
            "Honest records, for comparison.",
            "honest",
            "rates",
        ),
    ),
    reveal=(
        "Removing the copies moved women's share of the questions from {q_dup_mean:.2f} to "
        "{q_dedup_mean:.2f}. The model found {tpr_dup_mean:.2f} of the women who truly "
        "qualify before and {tpr_dedup_mean:.2f} after, against {tpr_honest_mean:.2f} with "
        "honest records; the equalized-odds gap was {eo_dup_mean:.2f} before and "
        "{eo_dedup_mean:.2f} after, against {eo_honest_mean:.2f}."
    ),
    explain=(
        "Duplicates distort how often a group is seen; label bias distorts what is said "
        "about it. Deduplication repairs the first and cannot touch the second, because the "
        "copies all carried the same wrong label. A cleaner ledger can make a pipeline look "
        "repaired while the harm is unchanged."
    ),
    discuss=(
        "The data-quality report after deduplication looks good. What check would have "
        "shown that the harm to women was still there?",
        "Which data-cleaning steps in your own work change how often a group is seen, and "
        "which change what is recorded about it?",
    ),
    try_this=TryThis(
        change="Remove the label bias from the deduplicated run (keep everything else).",
        look_for=(
            "Women's true positive rate on the error-rate chart: this time the fix is to "
            "the labels, not to the copies."
        ),
        base="deduplicated",
        run={"scenarios": []},
    ),
    facilitator=Facilitator(
        minutes=10,
        expected_answers=(
            "Expect (a): 'clean data' sounds like fair data. The runs back (b). Show the "
            "two ledgers first, then the two error-rate charts, then the honest run."
        ),
        misconceptions=(
            "'Data cleaning removes bias.' It removes the kind of error it looks for; "
            "duplicates and wrong labels are different errors.",
            "'A balanced ledger means a fair model.' The ledger says who was asked, not "
            "whether the answers were right.",
            "'The copies caused the harm.' The harm comes from the recorded labels, which "
            "the copies only repeated.",
        ),
    ),
    claims=CLAIMS,
)
