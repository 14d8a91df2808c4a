"""Method: what each strategy and scenario does, its formula and its source."""

import streamlit as st

from components.learners import LEARNERS
from components.scenarios import SCENARIOS
from components.strategies import STRATEGIES
from datasets.base import DATASETS, _ensure_loaders

_ensure_loaders()

st.title("Method and sources")
st.markdown(
    """
**The loop.** The data is split into a *pool* (rows that could be labelled) and a *test set*
(25% by default, stratified by group and label). The bias scenarios then change the pool, and,
where they change how data is measured or recorded, the test set's recorded labels or features.
The test set's **truth is never touched**. A random *seed set* is labelled first (round 0).
Each round the strategy scores the unlabelled pool with the current model, picks a batch,
a simulated annotator reveals the recorded labels, and the model is refitted. Accuracy and the
fairness metrics are measured on the test set, twice: against the truth and against the recorded
labels. Two measures are not: `uncertainty_bias` and `mean_score` are computed on the
*unlabelled pool*, because they describe what the strategy sees when it chooses.

**Which group a scenario targets.** Each bias scenario acts on one group: the **smallest group
unless you choose one** (its `group` setting). On a data set with several small groups, such as
COMPAS by race, the default is a small group, which may not be the group a study of that data
would name; choose the group to match the question you are asking.

**Assumptions and caveats** — read these before drawing conclusions:
- *The annotator is simulated.* It returns the recorded label (after any label bias), and
  with annotator bias it errs at a fixed rate, among the rows its direction can flip. Real
  annotators are neither this consistent nor this simple.
- *Label bias has a direction.* By default (`down`) some of a group's positives are recorded
  as negative: under-recording. With `up` some of its negatives are recorded as positive:
  over-recording, as in re-arrest data where one group is policed more. Each data set says
  what its positive label means and whether that outcome is favourable for the person; on
  COMPAS the positive is a re-arrest, which is not.
- *One run is one draw.* Results depend on the seed set, the model and the data's geometry.
  Use several seeds on the Compare page before calling an effect general.
- *Whether label bias harms a group depends on whether the model can tell the group apart.*
  With the group withheld ("unaware" model), other features may still act as proxies; with
  "Model sees the group" on, it can learn the bias directly.
- *Fairness gaps conflict.* When base rates differ, demographic parity, equalized odds and
  predictive parity cannot all hold at once (Kleinberg, Mullainathan & Raghavan, 2017,
  *Inherent trade-offs in the fair determination of risk scores*; Chouldechova, 2017,
  *Fair prediction with disparate impact*).
- *Uncertainty bias* (Phillips, Chang & Friedler, 2018, *Interpretable active learning*):
  a row is "certain" when its top-class probability is at least the pool's median;
  UB(g) = 1 − P(certain | g) / P(certain | not g). Above 0: the model is sure about g less
  often than about others, so uncertainty sampling tends to ask about g more. It is a
  tendency, not a rule: a batch takes the highest scores, so a group the model is surer
  about on the whole can still be over-sampled in some batches.
- *Least confidence, margin and entropy rank rows in the same order on binary tasks*: with
  two classes each score depends only on how far the positive probability is from 0.5.
  Every data set here is binary (uploads too), so the three pick the same rows, up to ties;
  they differ only with three or more classes.
- *`density_weighted` can push a minority away*: it scales uncertainty by how typical a row is
  of the unlabelled pool. When a small group lies apart from the rest in feature space, its
  rows are the "outliers" the weight asks about less; when the group is mixed in with the
  others, it is not.
- *`group_balanced` is stratified sampling*: each query goes to the group furthest below its
  target share. It is not the min-max method of Abernethy et al. (2022, *Active sampling for
  min-max fairness*), which asks about the group whose estimated loss is largest.
- *The `clusters` trap needs a confident, extrapolating model*: a linear model fitted to the
  two big clusters can be sure about the far small cluster, and then uncertainty sampling
  never asks there (in some seeds it finds the cluster anyway). A model whose confidence does
  not extend that way, such as a random forest, can escape it.
"""
)


def table(registry, title: str) -> None:
    st.header(title)
    for name, entry in registry.items():
        with st.expander(f"**{name}** — {entry.description}"):
            formula = entry.extra.get("formula")
            if formula:
                st.code(formula, language=None)
            if entry.params:
                st.markdown(
                    "\n".join(
                        f"- `{p.name}` (default {p.default if p.default is not None else 'smallest group'}; "
                        f"{p.bounds()}): {p.help}"
                        for p in entry.params
                    )
                )
            if entry.citation:
                st.caption(f"Source: {entry.citation}")


table(STRATEGIES, "Query strategies")
table(SCENARIOS, "Bias scenarios")
table(DATASETS, "Datasets")
table(LEARNERS, "Models")
st.caption(
    "Dataset provenance, licences and checksums: datasets/data/SOURCES.md in the repository."
)
