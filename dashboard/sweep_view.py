"""The Sweeps page's view of a stored sweep: which one, its figures, and a run opened in Explore.

A chart point or heatmap cell is a *cell* of the sweep (every config field but
the seed). Clicking one picks it; the page then links to one of its runs (a
seed) in Explore, through the URL built from that run's stored config.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from components.config import RunConfig
from components.sweep import RUNS
from components.sweep_summary import CELL, load_sweep, summarize
from dashboard import session
from dashboard import state as S
from dashboard import sweep_charts as C
from dashboard import sweep_store as store
from dashboard.figure_fit import fit
from dashboard.figures import Style
from dashboard.safe import md_escape
from dashboard.views import plotly_config
from specs import UserInputError

K = "sw."
PICKED = K + "sweep"
CELL_PICK = K + "cell"
SEED_PICK = K + "seed"
RUN_ID = re.compile(r"[0-9a-f]{64}")
EXPLORE = "dashboard/pages/explore.py"


def choose() -> str | None:
    """The sweep to show: from the link once (checked), then from the menu; None if none."""
    ss = st.session_state
    if not ss.get(K + "url.read"):
        ss[K + "url.read"] = True
        raw = st.query_params.get("sweep")
        if raw is not None:
            try:
                ss[PICKED] = store.find(raw).name
            except UserInputError as exc:
                ss[K + "url.error"] = str(exc)
    error = ss.pop(K + "url.error", None)
    if error:
        st.error(md_escape(error, limit=600))
    try:
        sweeps = store.list_sweeps()
    except store.UnsafeSweepRoot as exc:
        st.error(md_escape(str(exc), limit=600))
        return None
    names = [s.name for s in sweeps]
    if not names:
        st.info(
            "No sweep on this server yet. Run a small one above, or on the command line "
            f"into the sweeps folder ({md_escape(store.ENV_DIR)}); see docs/sweeps-page.md."
        )
        return None
    if ss.get(PICKED) not in names:
        ss[PICKED] = names[0]
    return st.selectbox(
        "Sweep",
        names,
        key=PICKED,
        help=f"The sweep folders in this server's sweeps folder (${store.ENV_DIR}), newest first.",
    )


def _stamp(folder: Path) -> tuple[float, ...]:
    return tuple((folder / f"{k}.parquet").stat().st_mtime_ns for k in ("rounds", "groups"))


@st.cache_data(max_entries=6, ttl=900, show_spinner="Summarising the sweep…")
def summaries(folder: str, stamp: tuple[float, ...]) -> dict:
    """The sweep's summary at its budgets, its curves at every round, and its runs (cached)."""
    sweep = load_sweep(folder)
    runs = sweep.rounds.drop_duplicates("run_id")[["run_id", "seed", *CELL]]
    return {
        "final": summarize(sweep),
        "curves": summarize(sweep, "all"),
        "runs": runs.reset_index(drop=True),
        "n_runs": sweep.n_runs,
        "planned": sweep.planned,
        "failed": dict(sweep.failed),
    }


def run_config(folder: Path, run_id: str) -> RunConfig:
    """A finished run's stored config (its key checked first)."""
    if not RUN_ID.fullmatch(str(run_id)):
        raise UserInputError(f"run: {str(run_id)[:80]!r} is not a run key; allowed: 64 hex digits")
    path = folder / RUNS / run_id / "config.json"
    return RunConfig.from_json(path.read_text("utf-8"))


def explore_query(folder: Path, run_id: str) -> dict[str, str | list[str]]:
    """The Explore URL parameters that replay the run ``run_id`` of the sweep in ``folder``."""
    return S.config_to_query(run_config(folder, run_id))


def explore_url(query: dict[str, str | list[str]]) -> str:
    """Explore's address on this server with ``query`` (relative when the server is unknown)."""
    here = ""
    try:
        here = str(st.context.url or "")
    except Exception:  # noqa: BLE001 -- outside a browser session
        here = ""
    base = here.split("?", 1)[0].rstrip("/")
    if base.endswith("/sweeps"):
        base = base[: -len("/sweeps")]
    return f"{base}/?{urlencode(query, doseq=True)}"


def cell_label(row: object) -> str:
    return f"{row.strategy} · {row.condition}"  # type: ignore[attr-defined]


def runs_of(cells: pd.DataFrame, runs: pd.DataFrame) -> pd.DataFrame:
    """Each cell's runs: ``cells``' rows joined to their run ids and seeds."""
    keys = [c for c in CELL if c in cells]
    return cells[[*keys, "condition"]].merge(runs, on=keys, how="left")


def pick_from_event(state: object, table: pd.DataFrame) -> str | None:
    """The cell label a chart selection names (its first point's ``customdata`` row)."""
    try:
        points = state["selection"]["points"]  # type: ignore[index]
    except (KeyError, TypeError):
        return None
    for point in points or []:
        data = point.get("customdata")
        if data is None:
            continue
        try:
            index = int(data[0] if isinstance(data, list | tuple) else data)
        except (TypeError, ValueError):
            continue
        if 0 <= index < len(table):
            return cell_label(table.iloc[index])
    return None


def _on_select(chart_key: str, table: pd.DataFrame) -> None:
    label = pick_from_event(st.session_state.get(chart_key), table)
    if label is not None:
        st.session_state[CELL_PICK] = label


def draw(chart, *, key: str, alt: str, table: pd.DataFrame | None = None) -> None:
    """A chart with the app's toolbar; selectable (a click picks a cell) when ``table`` is given."""
    extra = {}
    if table is not None:
        extra = {
            "on_select": lambda: _on_select(key, table),
            "selection_mode": "points",
        }
    st.plotly_chart(chart, theme=None, key=key, config=plotly_config(key), alt=alt, **extra)


def header(data: dict) -> None:
    seeds = int(data["runs"]["seed"].nunique()) if len(data["runs"]) else 0
    failed = data["failed"]
    st.markdown(
        f"**{data['n_runs']}** finished runs of **{data['planned'] or data['n_runs']}** planned"
        + (f", **{len(failed)}** failed" if failed else "")
        + f"; up to **{seeds}** seeds per cell. Every number is a mean over seeds with a "
        "percentile-bootstrap 95% interval of that mean, measured on held-out rows against "
        "the truth unless it says otherwise."
    )
    if failed:
        first = next(iter(failed.values()))
        st.caption(f"A failed run's error: {md_escape(first, limit=300)}")


def show(name: str, style: Style) -> None:
    """Every figure of the sweep ``name``, and the link to a picked run in Explore."""
    entry = store.find(name)
    if not entry.has_tables:
        st.info("This sweep has no finished run yet.")
        return
    data = summaries(str(entry.folder), _stamp(entry.folder))
    final, curves = data["final"], data["curves"]
    header(data)

    st.subheader("Accuracy against fairness, every strategy and condition")
    y_metric = st.selectbox(
        "Against accuracy, show",
        list(C.PARETO_Y),
        key=K + "pareto_y",
        format_func=C.metric_name,
    )
    wide = C.pareto_table(final, y_metric)
    draw(
        fit(C.pareto_chart(wide, y_metric, style), style, width="full"),
        key="sweep_pareto",
        alt=f"Accuracy against {C.metric_name(y_metric)}, one point per strategy and condition",
        table=wide,
    )
    front = wide[wide["front"]].sort_values("x_mean", ascending=False)
    st.caption(
        "Outlined points, joined by the dashed line, are the Pareto front: no other point has "
        "both higher accuracy and a better "
        f"{md_escape(C.metric_name(y_metric))}. On it: "
        + "; ".join(
            f"{md_escape(cell_label(r))} (accuracy {r.x_mean:.3f} [{r.x_low:.3f}, {r.x_high:.3f}], "
            f"{r.y_mean:.3f} [{r.y_low:.3f}, {r.y_high:.3f}], {int(r.x_n_seeds)} seeds)"
            for r in front.itertuples()
        )
        + ". Click a point to open its run in Explore."
    )

    st.subheader("Heatmap: strategy x condition")
    metric = st.selectbox(
        "Metric", list(C.METRICS), key=K + "heat_metric", format_func=C.metric_name
    )
    cells = C.cell_table(final, metric)
    draw(
        fit(C.heatmap_chart(cells, metric, style), style, width="full"),
        key="sweep_heatmap",
        alt=f"{C.metric_name(metric)} per strategy and condition, with intervals and seed counts",
        table=cells,
    )
    st.caption(
        "Each cell: the mean over its seeds, [its 95% interval], n = seeds. "
        "Click a cell to open one of its runs in Explore."
    )
    extremes(final, cells, metric)
    curves_and_ledger(curves, style)
    open_in_explore(entry.folder, wide, data["runs"])
    sources(final)


#: Accuracies said in words, beside what the recorded labels would claim.
IN_WORDS = {
    "accuracy": "of all test rows",
    "worst_group_accuracy": "of the worst-off group's test rows",
}


def extremes(final: pd.DataFrame, cells: pd.DataFrame, metric: str) -> None:
    """The lowest and highest cell in words, against the truth and the recorded labels."""
    if metric not in IN_WORDS or cells.empty:
        return
    gaps = C.cell_table(final, metric + "_gap").set_index(["strategy", "condition"])["mean"]
    lines = []
    for word, row in (
        ("Lowest", cells.loc[cells["mean"].idxmin()]),
        ("Highest", cells.loc[cells["mean"].idxmax()]),
    ):
        gap = gaps.get((row["strategy"], row["condition"]))
        claim = (
            f"; judged by the recorded labels it would read {row['mean'] + gap:.0%}"
            if gap is not None and pd.notna(gap)
            else ""
        )
        lines.append(
            f"{word}: {md_escape(cell_label(row))}: the model gets {row['mean']:.0%} "
            f"[{row['low']:.0%}, {row['high']:.0%}] {IN_WORDS[metric]} right against the "
            f"truth{claim}."
        )
    st.markdown("\n".join(f"- {line}" for line in lines))


def curves_and_ledger(curves: pd.DataFrame, style: Style) -> None:
    d = C.labelled(curves[curves["group"] == ""])
    conditions = list(dict.fromkeys(d["condition"]))
    st.subheader("Learning curves and the ledger")
    a, b = st.columns(2)
    condition = a.selectbox("Condition", conditions, key=K + "condition")
    pools = curves[(curves["metric"] == "pool_share") & (curves["group"] != "")]
    groups = list(pools.groupby("group")["mean"].mean().sort_values().index)  # smallest first
    group = b.selectbox("Group (ledger)", groups, key=K + "group") if groups else None
    cols = [st.container()] * 2 if style.projector else st.columns(2)
    half = "full" if style.projector else "half"
    for col, metric in zip(cols, ("accuracy", "worst_group_accuracy"), strict=True):
        with col:
            draw(
                fit(C.curve_chart(curves, metric, condition, style), style, width=half),
                key=f"sweep_curve_{metric}",
                alt=f"{C.metric_name(metric)} against labels, per strategy, with 95% bands",
            )
    if group is not None:
        draw(
            fit(C.ledger_chart(curves, condition, group, style), style, width="full"),
            key="sweep_ledger",
            alt=f"{group}'s share of the questions asked against its share of the pool",
        )
        st.caption(
            "Below the dotted line, the strategy asks about this group less often than its "
            "share of the pool; bands are 95% intervals over seeds."
        )


def open_in_explore(folder: Path, wide: pd.DataFrame, runs: pd.DataFrame) -> None:
    """The picked cell (a click, or this menu) and a seed: a link to that run in Explore."""
    st.subheader("Open a run in Explore")
    joined = runs_of(wide, runs).dropna(subset=["run_id"])
    joined["label"] = [cell_label(r) for r in joined.itertuples()]
    labels = list(dict.fromkeys(joined["label"]))
    if not labels:
        return
    if st.session_state.get(CELL_PICK) not in labels:
        st.session_state[CELL_PICK] = labels[0]
    a, b = st.columns([3, 1])
    label = a.selectbox("Strategy · condition (or click a chart)", labels, key=CELL_PICK)
    mine = joined[joined["label"] == label].sort_values("seed")
    seeds = [int(s) for s in mine["seed"]]
    if st.session_state.get(SEED_PICK) not in seeds:
        st.session_state[SEED_PICK] = seeds[0]
    seed = b.selectbox("Seed", seeds, key=SEED_PICK)
    run_id = str(mine[mine["seed"] == seed]["run_id"].iloc[0])
    try:
        query = explore_query(folder, run_id)
    except (OSError, ValueError, UserInputError) as exc:
        session.show_error(
            exc
            if isinstance(exc, UserInputError)
            else UserInputError(
                f"run {run_id[:12]}: its stored config is not readable ({type(exc).__name__}); "
                "allowed: a finished run of this sweep"
            )
        )
        return
    st.page_link(
        EXPLORE,
        label=f"Open {md_escape(label)}, seed {seed}, in Explore",
        icon=":material/search:",
        query_params=query,
    )
    st.code(explore_url(query), language=None, wrap_lines=True)


def sources(final: pd.DataFrame) -> None:
    from components.sweep_report import sources as cite

    with st.expander("Sources of the strategies and scenarios in this sweep"):
        for line in cite(final):
            st.markdown("- " + md_escape(line, limit=400))


def sweep_query(name: str) -> None:
    """Keep the shown sweep (and presenter mode) in the address bar."""
    st.query_params.from_dict(
        {"sweep": name} | ({"presenter": "1"} if st.session_state.get(S.PRESENTER) else {})
    )
