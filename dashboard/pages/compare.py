"""Compare: race 2 to 4 strategies on the same data, bias and seed set."""

import streamlit as st

from components.specs import Spec
from components.strategies import STRATEGIES
from dashboard import charts as ch
from dashboard import comparing, session, views
from dashboard.cache import TRACES
from dashboard.safe import md_escape

style = session.presenter_toggle()
st.title("Compare strategies")
st.markdown(
    "Same data, same bias, same seed sets: only the strategy differs. Grey is **random**, "
    "the passive baseline — the ghost of what would have happened without active learning."
)
cfg = session.settings(with_strategy=False)
st.session_state.setdefault("w.cmp.strategies", ["random", "least_confidence", "fair_uncertainty"])
st.session_state.setdefault("w.cmp.seeds", 3)
a, b = st.columns([3, 1])
chosen = a.multiselect(
    "Strategies (2 to 4), with their default settings",
    list(STRATEGIES),
    key="w.cmp.strategies",
    max_selections=4,
    help="Each uses its default parameters; see Method for what they are.",
)
n_seeds = b.slider(
    "Seeds",
    1,
    5,
    key="w.cmp.seeds",
    help="Repeat with different seed sets and show the mean and the min-max band.",
)
if cfg is None:
    st.stop()
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
    for name in chosen:
        runs[name] = []
        for k in range(n_seeds):
            c = cfg.with_changes(strategy=Spec(name), seed=cfg.seed + k).resolve()
            runs[name].append(TRACES.get_or_compute(c))
            done += 1
            bar.progress(
                done / total, text=f"Simulating {name}, seed {cfg.seed + k} ({done} of {total})…"
            )
except ValueError as exc:
    bar.empty()
    st.error(md_escape(exc, limit=600))  # may quote a group or column name
    st.stop()
bar.empty()

first = runs[chosen[0]][0]
colors = ch.group_colors(first.groups)
groups = {label: comparing.stack(t, "groups") for label, t in runs.items()}
rounds = {label: comparing.stack(t, "rounds") for label, t in runs.items()}
seeds = f"{n_seeds} seed{'s' if n_seeds > 1 else ''} (band = min to max)"

views.show(
    ch.compare_lines_figure(
        groups,
        "query_share_cum",
        colors=colors,
        style=style,
        title=f"Who gets labelled, per strategy — {seeds}",
        y_title="share of queries so far",
        reference="pool_share",
    ),
    key="cmp_ledger",
    alt="Per-strategy panels: each group's share of queries against its pool share.",
)
st.caption(
    "Dotted: each group's share of the pool. A line above its dotted line means that "
    "group is asked about more than random sampling would, on average."
)
views.show(
    ch.compare_lines_figure(
        groups,
        "accuracy",
        colors=colors,
        style=style,
        title="Accuracy per group against the truth",
        y_title="test accuracy",
    ),
    key="cmp_acc",
    alt="Per-strategy panels: per-group accuracy against the truth.",
)
views.show(
    ch.compare_lines_figure(
        groups,
        "accuracy_observed",
        colors=colors,
        style=style,
        title="Accuracy per group against the recorded (possibly biased) labels",
        y_title="accuracy vs recorded",
    ),
    key="cmp_acc_obs",
    alt="Per-strategy panels: per-group accuracy against recorded labels.",
)
a, b = st.columns(2)
with a:
    views.show(
        ch.strategy_lines_figure(
            rounds,
            "worst_group_accuracy",
            style=style,
            title="Worst-group accuracy",
            y_title="accuracy",
        ),
        key="cmp_worst",
        alt="Worst-group accuracy per strategy.",
    )
with b:
    views.show(
        ch.strategy_lines_figure(
            rounds, "dp_difference", style=style, title="Demographic parity gap", y_title="gap"
        ),
        key="cmp_dp",
        alt="Demographic parity gap per strategy.",
    )
st.subheader("At the end of the budget")
# A static table: a few rows, wrapped to the page and scaled by presenter mode
# (st.dataframe draws on a canvas that keeps its small font on a projector).
st.table(comparing.summary_table(runs), hide_index=True)

if "random" in runs:
    others = [n for n in chosen if n != "random"]
    pick = st.selectbox("Map: which strategy, against the ghost of random", others, key="w.cmp.map")
    t = runs[pick][0]
    ghost = runs["random"][0].query_round
    views.show(
        ch.trace_map_figure(t, t.last_round, style=style, ghost_round=ghost),
        key="cmp_map",
        alt="Map of the pool: the strategy's picks in colour, random's in grey.",
    )
    st.caption(
        f"Coloured: what {pick} labelled (seed {cfg.seed}); grey crosses: what random "
        "labelled from the same seed set."
    )
