"""Lesson 5: writing fairness into the objective is not enough when the labels lie.

Sources: Branchaud-Charron, F., Atighehchian, P., Rodriguez, P., Abuhamad, G. &
Lacoste, A. (2021). Can active learning preemptively mitigate fairness issues?
ICLR 2021 Workshop on Responsible AI. Li, Y., De-Arteaga, M. &
Saar-Tsechansky, M. (2022). More data can lead us astray: active data
acquisition in the presence of label bias. HCOMP 2022. Suresh, H. & Guttag, J.
(2021). A framework for understanding sources of harm throughout the machine
learning life cycle. EAAMO.
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
STRATEGIES = {"lc": "least_confidence", "gb": "group_balanced", "fu": "fair_uncertainty"}
SETTINGS = {
    "under": {"name": "underrepresentation", "params": {"group": WOMEN, "keep": 0.1}},
    "bias": {"name": "label_bias", "params": {"group": WOMEN, "flip": 0.7}},
}
_BASE = {
    "dataset": "adult",
    "model": "logistic",
    "initial_size": 20,
    "batch_size": 20,
    "rounds": 20,
    "test_size": 0.8,
}
RUNS = {
    f"{where}_{short}": {**_BASE, "scenarios": [scenario], "strategy": name}
    for where, scenario in SETTINGS.items()
    for short, name in STRATEGIES.items()
}


def _eo(r: Results, run: str) -> np.ndarray:
    return final_round(r.of(run), "eo_difference")


def _under(r: Results) -> dict[str, float]:
    lc, gb, fu = (_eo(r, f"under_{s}") for s in STRATEGIES)
    pool = final_group(r.of("under_lc"), WOMEN, "pool_share")
    return {
        "n": len(r.seeds),
        "pool_pct": 100 * float(pool.mean()),
        **stats("u_lc", lc),
        **stats("u_gb", gb),
        **stats("u_fu", fu),
        "u_gb_cut": float(np.mean(lc - gb)),
        "u_fu_cut": float(np.mean(lc - fu)),
        "u_gb_lower": float(np.sum(gb < lc)),
        "u_fu_lower": float(np.sum(fu < lc)),
    }


def _no_cost(r: Results) -> dict[str, float]:
    acc = {s: final_round(r.of(f"under_{s}"), "accuracy") for s in STRATEGIES}
    return {
        **stats("u_acc_lc", acc["lc"]),
        **stats("u_acc_gb", acc["gb"]),
        **stats("u_acc_fu", acc["fu"]),
        "u_acc_worst": float(min(np.min(acc["gb"] - acc["lc"]), np.min(acc["fu"] - acc["lc"]))),
    }


def _bias_tpr(r: Results) -> dict[str, float]:
    lc, gb, fu = (final_group(r.of(f"bias_{s}"), WOMEN, "tpr") for s in STRATEGIES)
    return {
        "n": len(r.seeds),
        **stats("b_tpr_lc", lc),
        **stats("b_tpr_gb", gb),
        **stats("b_tpr_fu", fu),
        "b_tpr_lower": float(np.sum((gb < lc) & (fu < lc))),
    }


def _bias_gap(r: Results) -> dict[str, float]:
    lc, gb, fu = (_eo(r, f"bias_{s}") for s in STRATEGIES)
    return {
        "n": len(r.seeds),
        **stats("b_lc", lc),
        **stats("b_gb", gb),
        **stats("b_fu", fu),
        "b_gb_change": float(np.mean(gb - lc)),
        "b_fu_change": float(np.mean(fu - lc)),
        "b_gb_wider": float(np.sum(gb > lc)),
        "b_fu_wider": float(np.sum(fu > lc)),
    }


CLAIMS = (
    Claim(
        "balance_helps_under_representation",
        "With women cut to {pool_pct:.0f}% of the pool, group_balanced cut the equalized-odds "
        "gap against least confidence in {u_gb_lower:.0f} of {n:.0f} seeds, from "
        "{u_lc_mean:.2f} to {u_gb_mean:.2f} on average (by {u_gb_cut:.2f}); fair_uncertainty "
        "cut it to {u_fu_mean:.2f} (by {u_fu_cut:.2f}), lower in {u_fu_lower:.0f} of {n:.0f}.",
        _under,
        lambda x: x["u_gb_lower"] == x["n"] and x["u_fu_cut"] > 0,
    ),
    Claim(
        "at_no_accuracy_cost",
        "It cost no accuracy: {u_acc_lc_mean:.3f} for least confidence, {u_acc_gb_mean:.3f} "
        "for group_balanced and {u_acc_fu_mean:.3f} for fair_uncertainty; in the worst seed either was {u_acc_worst:+.3f} against least "
        "confidence.",
        _no_cost,
        lambda x: x["u_acc_worst"] > -0.01,
    ),
    Claim(
        "balance_hurts_under_label_bias",
        "Under label bias (7 in 10 of women's positives recorded as negative), the same "
        "strategies found fewer of the women who truly qualify: true positive rate "
        "{b_tpr_lc_mean:.2f} for least confidence, {b_tpr_gb_mean:.2f} for group_balanced "
        "and {b_tpr_fu_mean:.2f} for fair_uncertainty; both lower in {b_tpr_lower:.0f} of "
        "{n:.0f} seeds.",
        _bias_tpr,
        lambda x: x["b_tpr_lower"] == x["n"],
    ),
    Claim(
        "no_gap_cut_under_label_bias",
        "Nor did they cut the equalized-odds gap: {b_lc_mean:.2f} for least confidence, "
        "{b_gb_mean:.2f} for group_balanced (wider in {b_gb_wider:.0f} of {n:.0f} seeds) and "
        "{b_fu_mean:.2f} for fair_uncertainty (wider in {b_fu_wider:.0f}).",
        _bias_gap,
        lambda x: x["b_gb_change"] > -0.02 and x["b_fu_change"] > -0.02,
    ),
)

LESSON = Lesson(
    slug="fairness-objective",
    title="Fairness in the objective is not enough when the labels lie",
    sources=(
        "Branchaud-Charron, F., Atighehchian, P., Rodriguez, P., Abuhamad, G. & Lacoste, A. "
        "(2021). Can active learning preemptively mitigate fairness issues? ICLR 2021 "
        "Workshop on Responsible AI.",
        "Li, Y., De-Arteaga, M. & Saar-Tsechansky, M. (2022). More data can lead us astray: "
        "active data acquisition in the presence of label bias. HCOMP 2022.",
        "Suresh, H. & Guttag, J. (2021). A framework for understanding sources of harm "
        "throughout the machine learning life cycle. EAAMO.",
    ),
    story=(
        "Two lenders learn from census records (UCI Adult). The first has too few women in "
        "its records: only one woman in ten made it into its pool. The second has enough "
        "women, but 7 in 10 of the women who earn over $50K are recorded as earning less. "
        "Both try a 'fair' labelling strategy that makes sure women get their share of the "
        "questions, and compare it with plain least confidence."
    ),
    runs=RUNS,
    seeds=tuple(range(8)),
    quick_seeds=(0,),
    predict=Question(
        "Will asking about women more often make the model fairer to them?",
        (
            Choice("a", "Yes, for both lenders"),
            Choice("b", "For the first lender (too few women), not for the second (wrong labels)"),
            Choice("c", "For the second lender, not for the first"),
            Choice("d", "For neither: strategies cannot change fairness"),
        ),
        answer="b",
        why=(
            "Balancing the questions fixes what is missing, not what is wrong. When the "
            "women's labels are wrong, more of them teach the error more firmly."
        ),
    ),
    watch=(
        WatchStep(
            "First lender, least confidence: how many of the questions go to women?",
            "under_lc",
            "ledger",
        ),
        WatchStep(
            "First lender, group_balanced: women get an equal share of the questions, and the "
            "fairness gap narrows.",
            "under_gb",
            "fairness",
        ),
        WatchStep(
            "Second lender, least confidence: the error rates by group against the truth.",
            "bias_lc",
            "rates",
        ),
        WatchStep(
            "Second lender, group_balanced: more questions about women, and women's true "
            "positive rate falls further.",
            "bias_gb",
            "rates",
        ),
    ),
    reveal=(
        "With too few women, group_balanced cut the equalized-odds gap from {u_lc_mean:.2f} "
        "to {u_gb_mean:.2f} and fair_uncertainty to {u_fu_mean:.2f}, at no cost in accuracy "
        "({u_acc_lc_mean:.3f}, {u_acc_gb_mean:.3f}, {u_acc_fu_mean:.3f}). With wrong labels, "
        "the same strategies found {b_tpr_gb_mean:.2f} and {b_tpr_fu_mean:.2f} of the "
        "qualified women against least confidence's {b_tpr_lc_mean:.2f}, and the gap stayed "
        "at {b_gb_mean:.2f} and {b_fu_mean:.2f} against {b_lc_mean:.2f}."
    ),
    explain=(
        "A fairness-aware strategy changes whom the model asks about; it cannot change what "
        "the answers say. When the harm comes from missing data, asking about the missing "
        "group repairs it. When it comes from wrong labels, asking about that group more "
        "only feeds the model more wrong labels about it. Whether active learning helps "
        "depends on where the bias comes from."
    ),
    discuss=(
        "Before choosing a 'fair' labelling strategy, how would you find out whether your "
        "problem is missing data or wrong labels?",
        "The fair strategy looked good on its own terms: women got their share of the "
        "questions. Why is a fair ledger not a fair outcome?",
    ),
    try_this=TryThis(
        change=(
            "Turn the fairness knob: fair_uncertainty's lam from 1 to 5 for the second "
            "lender (wrong labels)."
        ),
        look_for=(
            "Whether a stronger push toward women brings their true positive rate back up, "
            "on the error-rate chart, or pushes it further down."
        ),
        base="bias_fu",
        run={"strategy": {"name": "fair_uncertainty", "params": {"lam": 5.0}}},
    ),
    facilitator=Facilitator(
        minutes=20,
        expected_answers=(
            "Expect (a): a fair strategy sounds fair everywhere. The runs back (b). Show "
            "the two lenders side by side; move the lam slider and let the class watch the "
            "first lender's gap close and the second's stay open."
        ),
        misconceptions=(
            "'A fair strategy guarantees a fair model.' It guarantees a fair ledger of "
            "questions; the outcome depends on the answers.",
            "'Under label bias, more labels for the group will average the error out.' The "
            "error is systematic, so more labels repeat it.",
            "'If it helped once, it helps always.' The same strategy helped one lender and "
            "not the other; the source of the bias decides.",
        ),
    ),
    claims=CLAIMS,
)
