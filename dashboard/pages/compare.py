"""Compare: race 2 to 4 strategies on the same data, bias and seed set."""

import streamlit as st

from components.strategies import STRATEGIES
from dashboard import comparing, controls, session, views
from dashboard import state as S
from dashboard.cache import TRACES
from specs import Spec

#: On two classes these three order rows by the same quantity, |p - 1/2|.
SAME_ON_BINARY = ("least_confidence", "margin", "entropy")

style = session.presenter_toggle()
st.title("Compare strategies")
st.markdown(
    "Same data, same bias, same seed sets: only the strategy differs. Grey is **random**, "
    "the passive baseline — the ghost of what would have happened without active learning."
)
cfg = session.settings(with_strategy=False)
st.session_state.setdefault(S.CMP_STRATEGIES, ["random", "least_confidence", "fair_uncertainty"])
st.session_state.setdefault(S.CMP_SEEDS, 3)
a, b = st.columns([3, 1])
chosen = a.multiselect(
    "Strategies (2 to 4), with their default settings (compare)",
    list(STRATEGIES),
    key=S.CMP_STRATEGIES,
    max_selections=S.CMP_MAX,
    help="Each uses its default parameters; see Method for what they are.",
    format_func=controls.strategy_label,
)
n_seeds = b.slider(
    "Seeds (seeds)",
    *S.CMP_SEEDS_RANGE,
    key=S.CMP_SEEDS,
    help="Repeat with different seed sets and show the mean and the min-max band.",
)
same = [n for n in chosen if n in SAME_ON_BINARY]
if len(same) >= 2:
    st.info(
        f"{', '.join(same)}: on a binary task (every shipped dataset) these rank the rows "
        "identically, since each only looks at how close the top probability is to 1/2. "
        "They ask about the same rows, so their lines coincide."
    )
if cfg is None:
    st.stop()
st.query_params.from_dict(
    S.config_to_query(cfg)
    | S.compare_to_query(chosen, n_seeds)
    | ({"presenter": "1"} if st.session_state.get(S.PRESENTER) else {})
)
if cfg.rounds == 0:
    st.warning(
        "Rounds is 0 (under Budget and seed): only the random seed set is labelled, so the "
        "strategies never choose and there is nothing to compare. Set Rounds to 1 or more."
    )
    st.stop()
if len(chosen) < 2:
    st.warning("Pick at least two strategies to compare.")
    st.stop()

runs: dict[str, list] = {}
total = len(chosen) * n_seeds
bar = st.progress(0.0, text="Simulating…")
done = 0
try:
    configs = {
        name: [
            cfg.with_changes(strategy=Spec(name), seed=cfg.seed + k).resolve()
            for k in range(n_seeds)
        ]
        for name in chosen
    }
    TRACES.check_budget(*[c for cs in configs.values() for c in cs])
    for name in chosen:
        runs[name] = []
        for k, c in enumerate(configs[name]):
            runs[name].append(
                TRACES.get_or_compute(
                    c, on_wait=lambda a: bar.progress(0.0, session.waiting_text(a))
                )
            )
            done += 1
            bar.progress(
                done / total, text=f"Simulating {name}, seed {cfg.seed + k} ({done} of {total})…"
            )
except Exception as exc:  # noqa: BLE001 -- bad input is said, a bug is said as one
    bar.empty()
    session.show_error(exc)
    st.stop()
bar.empty()

views.compare(runs, style)
st.subheader("At the end of the budget")
# A static table: a few rows, wrapped to the page and scaled by presenter mode
# (st.dataframe draws on a canvas that keeps its small font on a projector).
st.table(comparing.summary_table(runs), hide_index=True)

if "random" in runs:
    others = [n for n in chosen if n != "random"]
    pick = st.selectbox("Map: which strategy, against the ghost of random", others, key="w.cmp.map")
    views.compare_against_random(runs[pick][0], runs["random"][0], style)
st.page_link(
    "dashboard/pages/sweeps.py",
    label="More strategies, bias strengths and seeds, with 95% intervals: Sweeps",
    icon=":material/grid_on:",
)
