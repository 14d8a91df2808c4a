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
a simulated annotator reveals the recorded labels, and the model is refitted. Every metric is
measured on the test set, twice: against the truth and against the recorded labels.

**Assumptions and caveats** — read these before drawing conclusions:
- *The annotator is simulated.* It returns the recorded label (after any label bias), and
  with annotator bias it errs at a fixed rate. Real annotators are neither this consistent nor
  this simple.
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
  often than about others, so uncertainty sampling will ask about g more.
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
