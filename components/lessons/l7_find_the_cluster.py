"""Lesson 7: find the overlooked cluster before the model does (You vs the model).

The class races least confidence on the overlooked-cluster map, from the same
seed set and with the same budget, on the app's race page (``/race``); the
claims say what the model and random sampling do there over ten seeds, and
what a strategy that looks at distances does.

Sources: Dasgupta, S. (2011). Two faces of active learning. Theoretical
Computer Science 412. Sener, O. & Savarese, S. (2018). Active learning for
convolutional neural networks: a core-set approach. ICLR.
"""

from __future__ import annotations

import numpy as np

from components.lessons.base import (
    Choice,
    Claim,
    Facilitator,
    Frames,
    Lesson,
    Question,
    Results,
    TryThis,
    WatchStep,
)
from components.lessons.measures import final_group, final_round, stats, total_queries
from components.race import PRESETS

FAR = "minority"  # the clusters dataset's small far cluster
RACE_URL = "/race?preset=clusters&seed=0"
#: The race page's clusters preset, and the same race for random and core-set.
RUNS = {
    "lc": dict(PRESETS["clusters"]),
    "random": {**PRESETS["clusters"], "strategy": "random"},
    "coreset": {**PRESETS["clusters"], "strategy": "coreset"},
}


def first_found(runs: tuple[Frames, ...], group: str = FAR) -> np.ndarray:
    """Per seed, the round a run first labelled a row of ``group`` (0 = seed set), NaN never."""
    out = []
    for f in runs:
        q = f["queries"]
        rounds = q[q["group"].astype(str) == group]["round"]
        out.append(float(rounds.min()) if len(rounds) else float("nan"))
    return np.array(out)


def _trap(r: Results) -> dict[str, float]:
    lc, rnd = first_found(r.of("lc")), first_found(r.of("random"))
    trapped = np.isnan(lc)
    return {
        "n": len(r.seeds),
        "questions": float(total_queries(r.of("lc")).max()),
        "lc_trapped": float(trapped.sum()),
        "rnd_found": float(np.sum(~np.isnan(rnd))),
        **stats("rnd_first", rnd[trapped & ~np.isnan(rnd)]),
    }


def _cost(r: Results) -> dict[str, float]:
    trapped = np.isnan(first_found(r.of("lc")))
    lc_far = final_group(r.of("lc"), FAR, "accuracy")[trapped]
    return {
        "trapped_runs": float(trapped.sum()),
        **stats("lc_acc", final_round(r.of("lc"), "accuracy")[trapped]),
        **stats("lc_far_acc", lc_far),
        **stats("rnd_far_acc", final_group(r.of("random"), FAR, "accuracy")[trapped]),
    }


def _coreset(r: Results) -> dict[str, float]:
    cs, rnd = first_found(r.of("coreset")), first_found(r.of("random"))
    return {
        "n": len(r.seeds),
        "cs_found": float(np.sum(~np.isnan(cs))),
        **stats("cs_first", cs),
        "rnd_first_all_mean": float(np.nanmean(rnd)) if np.any(~np.isnan(rnd)) else np.nan,
    }


CLAIMS = (
    Claim(
        "trap",
        "With a seed set of 20 and {questions:.0f} questions, least confidence never labelled "
        "a point of the far cluster in {lc_trapped:.0f} of {n:.0f} seeds. Random sampling, from "
        "the same seed sets, labelled one in {rnd_found:.0f} of {n:.0f}; in the trapped seeds "
        "it got there in round {rnd_first_min:.0f} to {rnd_first_max:.0f}.",
        _trap,
        lambda x: x["lc_trapped"] >= 1 and x["rnd_found"] == x["n"],
    ),
    Claim(
        "cost",
        "In those {trapped_runs:.0f} trapped runs the model's overall accuracy still read "
        "{lc_acc_mean:.2f}, while it got at most {lc_far_acc_max:.2f} of the far cluster right; "
        "random's model got {rnd_far_acc_mean:.2f} of it right on average.",
        _cost,
        lambda x: (
            x["trapped_runs"] >= 1
            and x["lc_acc_min"] >= 0.9
            and x["lc_far_acc_max"] <= 0.05
            and x["rnd_far_acc_mean"] > x["lc_far_acc_max"]
        ),
    ),
    Claim(
        "coreset",
        "Core-set, which picks the points farthest from everything labelled, labelled the far "
        "cluster in {cs_found:.0f} of {n:.0f} seeds, by round {cs_first_max:.0f} at the latest "
        "(mean round {cs_first_mean:.1f}, against {rnd_first_all_mean:.1f} for random).",
        _coreset,
        lambda x: x["cs_found"] == x["n"] and x["cs_first_mean"] < x["rnd_first_all_mean"],
    ),
)

LESSON = Lesson(
    slug="find-the-cluster",
    title="Find the overlooked cluster before the model does",
    sources=(
        "Dasgupta, S. (2011). Two faces of active learning. Theoretical Computer Science 412.",
        "Sener, O. & Savarese, S. (2018). Active learning for convolutional neural networks: "
        "a core-set approach. ICLR.",
    ),
    story=(
        "You and a model each get the same 20 labelled points and the same budget: 10 more "
        "labels a round for 10 rounds. The model asks about the points it is least sure of. "
        "You can ask about any points you like on the map. A small group sits far from the "
        "rest, on the wrong side of the line the model draws. Who finds it first?"
    ),
    runs=RUNS,
    seeds=tuple(range(10)),
    quick_seeds=(0,),
    predict=Question(
        "Over ten different starts, how often will the model never ask about the far group?",
        (
            Choice("a", "Never: 100 questions is plenty to stumble on it"),
            Choice("b", "In some starts: whenever its first 20 labels hold none of the group"),
            Choice("c", "Always: the model cannot see the group"),
        ),
        answer="b",
        why=(
            "A model that has never seen a far point is confident there, so it never asks; "
            "only a seed set that holds one breaks the spell."
        ),
    ),
    watch=(
        WatchStep(
            "The model's questions all land along the line between the big clusters.",
            "lc",
            "map",
        ),
        WatchStep(
            "Its ledger: the far group's share of questions stays at zero.",
            "lc",
            "ledger",
        ),
        WatchStep(
            "Random sampling, same seed set: it stumbles on the far group after a few rounds.",
            "random",
            "ledger",
        ),
        WatchStep(
            "Accuracy per group: the model's far-group accuracy stays at zero; random's climbs.",
            "random",
            "accuracy",
        ),
    ),
    reveal=(
        "Least confidence never asked about the far cluster in {lc_trapped:.0f} of {n:.0f} "
        "seeds, while random found it in {rnd_found:.0f} of {n:.0f}. In the trapped runs the "
        "model read {lc_acc_mean:.2f} overall and got at most {lc_far_acc_max:.2f} of the far "
        "cluster right. Core-set found it in {cs_found:.0f} of {n:.0f} seeds by round "
        "{cs_first_max:.0f}."
    ),
    explain=(
        "You can see the whole map, so the far group is obvious to you. The model sees only "
        "its own uncertainty, and a linear model is most certain far from its line, right or "
        "wrong. Asking where it is unsure, it never looks where it is confidently wrong. "
        "Random sampling looks everywhere in proportion, and core-set looks where nothing is "
        "labelled yet, which is what you did."
    ),
    discuss=(
        "You found the far group because you could see it. What would a labelling team need "
        "to see to do the same with real records?",
        "Core-set found it too. What might a distance-seeking strategy over-ask about instead?",
    ),
    try_this=TryThis(
        change=(
            f"Race the model yourself on the page You vs the model ({RACE_URL}); then switch "
            "its strategy to core-set."
        ),
        look_for=(
            "Spend one batch on the far group and your model gets it right from that round "
            "on; core-set asks about it in the first round or two, without seeing the groups."
        ),
        base="lc",
        run={"strategy": "coreset"},
    ),
    facilitator=Facilitator(
        minutes=15,
        expected_answers=(
            "Most pick (a). Let pairs race on the page first (its link starts at seed 0, a "
            "trapped start), then reveal the counts over ten starts: how often the model "
            "missed the group, against random and core-set."
        ),
        misconceptions=(
            "'The model asks about what it gets wrong.' It asks about what it is unsure of.",
            "'A person would never miss it.' On a map, no; in a table of records, easily.",
            "'Random is always worse.' On the far group random beat least confidence here.",
        ),
    ),
    claims=CLAIMS,
)
