"""Lesson 1: the overlooked cluster. Uncertainty sampling can be blind to a whole region.

Sources: Dasgupta, S. (2011). Two faces of active learning. Theoretical
Computer Science 412. Dasgupta, S. & Hsu, D. (2008). Hierarchical sampling for
active learning. ICML.
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
from components.lessons.measures import (
    final_group,
    final_round,
    seed_set_count,
    stats,
    total_queries,
)

FAR = "minority"  # the clusters dataset's small far cluster
SIZES = (5, 10, 20, 50)
_BASE = {
    "dataset": "clusters:n_samples=2000",
    "model": "logistic",
    "batch_size": 20,
    "rounds": 10,
}
RUNS = {
    **{f"lc_{n}": {**_BASE, "strategy": "least_confidence", "initial_size": n} for n in SIZES},
    "random_20": {**_BASE, "strategy": "random", "initial_size": 20},
    "forest_20": {
        **_BASE,
        "strategy": "least_confidence",
        "model": "random_forest",
        "initial_size": 20,
    },
}


def _trap(r: Results) -> dict[str, float]:
    lc = final_group(r.of("lc_20"), FAR, "queried_cum")
    rnd = final_group(r.of("random_20"), FAR, "queried_cum")
    return {
        "n": len(r.seeds),
        "queries": float(total_queries(r.of("lc_20")).max()),
        "lc20_trapped": float(np.sum(lc == 0)),
        "first_trapped": float(lc[0] == 0),
        **stats("rnd_far_q", rnd),
    }


def _seed_set(r: Results) -> dict[str, float]:
    out: dict[str, float] = {"n": len(r.seeds)}
    agree = cases = 0
    for n in SIZES:
        runs = r.of(f"lc_{n}")
        trapped = final_group(runs, FAR, "queried_cum") == 0
        none_in_seed = seed_set_count(runs, FAR) == 0
        out[f"t{n}"] = float(trapped.sum())
        agree += int(np.sum(trapped == none_in_seed))
        cases += len(runs)
    out["agree"], out["cases"] = float(agree), float(cases)
    return out


def _hidden(r: Results) -> dict[str, float]:
    accs, far = [], []
    for n in SIZES:
        runs = r.of(f"lc_{n}")
        trapped = final_group(runs, FAR, "queried_cum") == 0
        accs.extend(final_round(runs, "accuracy")[trapped])
        far.extend(final_group(runs, FAR, "accuracy")[trapped])
    return {"trapped_runs": float(len(accs)), **stats("acc", accs), **stats("far_acc", far)}


def _forest(r: Results) -> dict[str, float]:
    runs = r.of("forest_20")
    q = final_group(runs, FAR, "queried_cum")
    return {
        "n": len(r.seeds),
        "rf_found": float(np.sum(q > 0)),
        **stats("rf_far_q", q),
        **stats("rf_far_acc", final_group(runs, FAR, "accuracy")),
    }


CLAIMS = (
    Claim(
        "trap",
        "With a seed set of 20, least confidence asked no question at all about the far "
        "cluster in {lc20_trapped:.0f} of {n:.0f} seeds, the first seed (the one the watch "
        "steps open on) among them ({queries:.0f} queries each); random "
        "sampling asked about it in every seed ({rnd_far_q_min:.0f} to {rnd_far_q_max:.0f} "
        "of its {queries:.0f} queries).",
        _trap,
        lambda x: x["first_trapped"] == 1 and x["rnd_far_q_min"] >= 1,
    ),
    Claim(
        "seed_set",
        "The seed set decided it: in {agree:.0f} of {cases:.0f} runs, least confidence "
        "missed the far cluster exactly when its seed set held none of the far points. "
        "Trapped seeds out of {n:.0f} for seed sets of 5, 10, 20 and 50: {t5:.0f}, {t10:.0f}, "
        "{t20:.0f} and {t50:.0f}.",
        _seed_set,
        lambda x: x["agree"] == x["cases"] and x["t5"] >= x["t10"] >= x["t20"] >= x["t50"],
    ),
    Claim(
        "hidden",
        "In the {trapped_runs:.0f} trapped runs overall accuracy still read {acc_mean:.2f} "
        "({acc_min:.2f} to {acc_max:.2f}) while accuracy on the far cluster was at most "
        "{far_acc_max:.2f}.",
        _hidden,
        lambda x: x["trapped_runs"] >= 1 and x["acc_min"] >= 0.9 and x["far_acc_max"] <= 0.05,
    ),
    Claim(
        "forest",
        "A random forest with the same seed sets of 20 asked about the far cluster in "
        "{rf_found:.0f} of {n:.0f} seeds ({rf_far_q_min:.0f} to {rf_far_q_max:.0f} queries) "
        "and got {rf_far_acc_mean:.2f} of it right on average.",
        _forest,
        lambda x: x["rf_found"] == x["n"] and x["rf_far_acc_min"] >= 0.9,
    ),
)

LESSON = Lesson(
    slug="overlooked-cluster",
    title="The overlooked cluster",
    sources=(
        "Dasgupta, S. (2011). Two faces of active learning. Theoretical Computer Science 412.",
        "Dasgupta, S. & Hsu, D. (2008). Hierarchical sampling for active learning. ICML.",
    ),
    story=(
        "A clinic screens patients. Most sit in two big, easy groups either side of an "
        "obvious line. A small group, about one patient in twenty and all of them positive, "
        "sits far out on the negative side. A model is trained on a few labelled patients, "
        "then asks a nurse to label the 200 patients it is least sure about, 20 at a time."
    ),
    runs=RUNS,
    seeds=tuple(range(10)),
    quick_seeds=(0,),
    predict=Question(
        "After 200 questions, how many of them will be about the far group?",
        (
            Choice("a", "About one in twenty, its share of the patients"),
            Choice("b", "More than its share: the model is wrong there, so it will ask"),
            Choice("c", "It depends on the first few labels: sometimes none at all"),
            Choice("d", "None, ever: the model cannot see the group"),
        ),
        answer="c",
        why=(
            "A model that has never seen a far patient is confident there, so least "
            "confidence never looks. Whether it has seen one depends on the seed set."
        ),
    ),
    watch=(
        WatchStep(
            "The first seed, with a seed set of 20: watch where the questions land. None "
            "reaches the far group.",
            "lc_20",
            "map",
        ),
        WatchStep(
            "The query ledger: in this seed the far group's count stays at zero for the "
            "whole run. Switch seeds to find one that escapes.",
            "lc_20",
            "ledger",
        ),
        WatchStep(
            "Overall accuracy looks fine; in a trapped seed the far group's accuracy sits at zero.",
            "lc_20",
            "accuracy",
        ),
        WatchStep(
            "Random sampling with the same seed set asks about the far group too.",
            "random_20",
            "ledger",
        ),
    ),
    reveal=(
        "Least confidence missed the far group entirely in {lc20_trapped:.0f} of {n:.0f} "
        "seeds; random never did ({rnd_far_q_min:.0f} to {rnd_far_q_max:.0f} questions). "
        "Overall accuracy in the trapped runs read {acc_mean:.2f} while the far group's was "
        "{far_acc_max:.2f} at most. Trapped seeds for seed sets of 5, 10, 20 and 50: "
        "{t5:.0f}, {t10:.0f}, {t20:.0f}, {t50:.0f} of {n:.0f}."
    ),
    explain=(
        "A linear model extends its confidence in straight lines, so far from the boundary "
        "it is sure, right or wrong. Least confidence only asks where the model is unsure, so "
        "a region the model is confidently wrong about is never asked about, and the "
        "mistake is never corrected. Only the seed set, drawn at random, can break the "
        "spell."
    ),
    discuss=(
        "Overall accuracy was above 0.9 in the trapped runs. What would you have to "
        "measure to notice the far group was failed?",
        "Where in a real labelling pipeline could a group be 'far away' from what the "
        "model has seen, and who decides the seed set?",
    ),
    try_this=TryThis(
        change="Raise the seed set from 20 to 50 labelled patients.",
        look_for=(
            "The far group now gets questions in every seed, because 50 random patients "
            "almost always include a far one."
        ),
        base="lc_20",
        run={"initial_size": 50},
    ),
    facilitator=Facilitator(
        minutes=15,
        expected_answers=(
            "Expect (a) or (b). The runs back (c): the class's seeds split into trapped "
            "and not trapped, and the split matches the seed set exactly. Run the ten seeds "
            "together and count the traps on the board."
        ),
        misconceptions=(
            "'Active learning asks about what the model gets wrong.' It asks about what "
            "the model is unsure of; confidently wrong is never asked.",
            "'High accuracy means nobody is failed.' A group of 5% can be entirely wrong "
            "while accuracy reads 0.95.",
            "'More queries will fix it.' In a trapped run no number of queries reaches the "
            "far group; only the seed set or a different model does.",
        ),
    ),
    claims=CLAIMS,
)
