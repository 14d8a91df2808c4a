"""Lesson 4: more data can lead us astray. With biased labels, accuracy against the
recorded labels climbs while the model grows less fair against the truth.

Sources: Li, Y., De-Arteaga, M. & Saar-Tsechansky, M. (2022). More data can lead
us astray: active data acquisition in the presence of label bias. HCOMP 2022.
Suresh, H. & Guttag, J. (2021). A framework for understanding sources of harm
throughout the machine learning life cycle. EAAMO.
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
FLIPS = {"flip_04": 0.4, "flip_07": 0.7}
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
    **{
        name: {
            **_BASE,
            "scenarios": [{"name": "label_bias", "params": {"group": WOMEN, "flip": flip}}],
        }
        for name, flip in FLIPS.items()
    },
    "clean": dict(_BASE),
}


def _rises(r: Results) -> dict[str, float]:
    out: dict[str, float] = {"n": len(r.seeds), "runs": 0.0, "rose": 0.0}
    for name in FLIPS:
        runs = r.of(name)
        a0, a1 = final_round(runs, "accuracy_observed", r=0), final_round(runs, "accuracy_observed")
        out.update(stats(f"{name}_a0", a0))
        out.update(stats(f"{name}_a1", a1))
        out["runs"] += len(runs)
        out["rose"] += float(np.sum(a1 > a0))
    return out


def _gap(r: Results) -> dict[str, float]:
    clean = final_round(r.of("clean"), "eo_difference")
    out: dict[str, float] = {
        "n": len(r.seeds),
        **stats("clean_eo", clean),
        "wider": 0.0,
        "biased_runs": float(len(FLIPS) * len(r.seeds)),
        "early_n": float(final_round(r.of("clean"), "n_labeled", r=1).max()),
        "end_n": float(final_round(r.of("clean"), "n_labeled").max()),
    }
    for name in FLIPS:
        runs = r.of(name)
        early = final_round(runs, "eo_difference", r=1)
        end = final_round(runs, "eo_difference")
        out.update(stats(f"{name}_eo1", early))
        out.update(stats(f"{name}_eo", end))
        out[f"{name}_grew"] = float(np.sum(end > early))
        out["wider"] += float(np.sum(end > clean))
    return out


def _tpr(r: Results) -> dict[str, float]:
    clean = final_group(r.of("clean"), WOMEN, "tpr")
    biased = final_group(r.of("flip_07"), WOMEN, "tpr")
    return {
        "n": len(r.seeds),
        **stats("clean_tpr", clean),
        **stats("biased_tpr", biased),
        "tpr_lower": float(np.sum(biased < clean)),
    }


def _ppv(r: Results) -> dict[str, float]:
    out: dict[str, float] = {"n": len(r.seeds), "hidden": 0.0, "runs": 0.0}
    obs_all, true_all = [], []
    for name in FLIPS:
        runs = r.of(name)
        obs, true = final_group(runs, WOMEN, "ppv_observed"), final_group(runs, WOMEN, "ppv")
        obs_all.extend(obs)
        true_all.extend(true)
        out["hidden"] += float(np.sum(obs < true - 0.1))
        out["runs"] += len(runs)
    return {**out, **stats("ppv_obs", obs_all), **stats("ppv_true", true_all)}


def _shown(r: Results) -> dict[str, float]:
    obs, true = [], []
    for name in FLIPS:
        obs.extend(final_round(r.of(name), "eo_difference_observed"))
        true.extend(final_round(r.of(name), "eo_difference"))
    diff = np.abs(np.array(obs) - np.array(true))
    return {"runs": float(len(diff)), **stats("eo_obs", obs), **stats("eo_diff", diff)}


CLAIMS = (
    Claim(
        "recorded_accuracy_rises",
        "Accuracy against the recorded labels rose in {rose:.0f} of {runs:.0f} runs: from "
        "{flip_04_a0_mean:.2f} to {flip_04_a1_mean:.2f} at flip 0.4 and from "
        "{flip_07_a0_mean:.2f} to {flip_07_a1_mean:.2f} at flip 0.7.",
        _rises,
        lambda x: x["rose"] == x["runs"],
    ),
    Claim(
        "true_gap_grows",
        "The equalized-odds gap against the truth grew from {early_n:.0f} to {end_n:.0f} labels "
        "in every seed: from {flip_04_eo1_mean:.2f} to {flip_04_eo_mean:.2f} "
        "({flip_04_eo_min:.2f} to {flip_04_eo_max:.2f}) at flip 0.4 and from "
        "{flip_07_eo1_mean:.2f} to {flip_07_eo_mean:.2f} ({flip_07_eo_min:.2f} to "
        "{flip_07_eo_max:.2f}) at flip 0.7. With honest labels it ended at "
        "{clean_eo_mean:.2f}; the biased runs ended wider in {wider:.0f} of {biased_runs:.0f} runs.",
        _gap,
        lambda x: (
            x["flip_04_grew"] == x["n"] and x["flip_07_grew"] == x["n"] and x["wider"] == 2 * x["n"]
        ),
    ),
    Claim(
        "women_missed",
        "At flip 0.7 the model found {biased_tpr_mean:.2f} of the women who truly earn over "
        "$50K ({biased_tpr_min:.2f} to {biased_tpr_max:.2f}), against {clean_tpr_mean:.2f} "
        "with honest labels: fewer in {tpr_lower:.0f} of {n:.0f} seeds.",
        _tpr,
        lambda x: x["tpr_lower"] == x["n"],
    ),
    Claim(
        "recorded_ppv_hides",
        "Graded against the recorded labels, the women the model flagged looked right far less "
        "often (precision {ppv_obs_min:.2f} to {ppv_obs_max:.2f}) than they were against the "
        "truth ({ppv_true_min:.2f} to {ppv_true_max:.2f}). Recorded precision was lower "
        "by more than 0.1 in {hidden:.0f} of {runs:.0f} runs.",
        _ppv,
        lambda x: x["hidden"] == x["runs"],
    ),
    Claim(
        "recorded_gap_shows",
        "The recorded labels did not hide the gap itself: the equalized-odds gap against them "
        "was {eo_obs_mean:.2f}, within {eo_diff_max:.2f} of the true gap in all {runs:.0f} "
        "biased runs.",
        _shown,
        lambda x: x["eo_diff_max"] < 0.05,
    ),
)

LESSON = Lesson(
    slug="more-data-astray",
    title="More data can lead us astray",
    sources=(
        "Li, Y., De-Arteaga, M. & Saar-Tsechansky, M. (2022). More data can lead us astray: "
        "active data acquisition in the presence of label bias. HCOMP 2022.",
        "Suresh, H. & Guttag, J. (2021). A framework for understanding sources of harm "
        "throughout the machine learning life cycle. EAAMO.",
    ),
    story=(
        "A lender learns who earns over $50K a year from census records (UCI Adult). In its "
        "records, many women who do earn that much are written down as earning less: 4 in 10 "
        "of them in one version of the data, 7 in 10 in another. The lender keeps buying "
        "labels, 20 at a time, chosen at random, and watches its accuracy."
    ),
    runs=RUNS,
    seeds=tuple(range(8)),
    quick_seeds=(0,),
    predict=Question(
        "The lender labels ten times more data. What happens?",
        (
            Choice("a", "Accuracy rises and the model becomes fairer: more data fixes bias"),
            Choice("b", "Accuracy rises while the model grows less fair to women"),
            Choice("c", "Accuracy falls, warning the lender"),
            Choice("d", "Nothing changes: the bias was there from the start"),
        ),
        answer="b",
        why=(
            "Every new label repeats the same recording error, so the model learns it better "
            "and better. Graded against the same biased records, it looks better and better."
        ),
    ),
    watch=(
        WatchStep(
            "Flip 0.7: accuracy against the recorded labels (what the lender sees) and "
            "against the truth, round by round.",
            "flip_07",
            "accuracy",
        ),
        WatchStep(
            "The fairness gaps over the rounds: the equalized-odds gap against the truth "
            "widens while accuracy climbs.",
            "flip_07",
            "fairness",
        ),
        WatchStep(
            "Error rates by group, against the truth and against the recorded labels: look "
            "at women's true positive rate.",
            "flip_07",
            "rates",
        ),
        WatchStep(
            "The same run with honest labels, for comparison.",
            "clean",
            "fairness",
        ),
    ),
    reveal=(
        "Accuracy against the recorded labels went from {flip_07_a0_mean:.2f} to "
        "{flip_07_a1_mean:.2f} at flip 0.7, while the true equalized-odds gap went from "
        "{flip_07_eo1_mean:.2f} to {flip_07_eo_mean:.2f} (honest labels: "
        "{clean_eo_mean:.2f}). The model found {biased_tpr_mean:.2f} of the women who truly "
        "earn over $50K, against {clean_tpr_mean:.2f} with honest labels. Graded against the "
        "records, the women it flagged looked right {ppv_obs_mean:.2f} of the time (precision); "
        "against the truth they were right {ppv_true_mean:.2f} of the time."
    ),
    explain=(
        "Accuracy is measured against the same records the model learns from, so a "
        "recording error is invisible to it: the more of the biased labels the model fits, "
        "the better it scores. Against the truth, it learns to overlook women who qualify. "
        "The records even make its correct calls about women look like mistakes."
    ),
    discuss=(
        "The lender's dashboard showed accuracy rising every round. What would it need, "
        "beyond more labels, to notice the harm?",
        "The recorded labels made the model's correct positive calls for women look wrong. "
        "What might a team do if it trusted those numbers?",
    ),
    try_this=TryThis(
        change="Switch the strategy from random to least confidence.",
        look_for=(
            "Whether asking where the model is unsure changes the widening gap, on the "
            "fairness chart."
        ),
        base="flip_07",
        run={"strategy": "least_confidence"},
    ),
    facilitator=Facilitator(
        minutes=20,
        expected_answers=(
            "Expect (a): more data usually helps. The runs back (b). Pause on the accuracy "
            "chart first and ask the class whether the lender should be pleased; then show "
            "the fairness chart. End on the precision numbers: the records make the model's "
            "right answers about women look wrong."
        ),
        misconceptions=(
            "'More data always reduces bias.' More of the same biased labels teaches the "
            "bias more firmly.",
            "'High accuracy means the labels are right.' Accuracy is graded against the "
            "labels; it cannot see an error they share.",
            "'The recorded labels show nothing.' They show the gap in true positive rates "
            "well enough; it is precision they get backwards.",
        ),
    ),
    claims=CLAIMS,
)
