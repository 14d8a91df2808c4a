"""The Sweeps page's grid editor, and the progress of the server's background sweep."""

from __future__ import annotations

import hashlib

import numpy as np
import streamlit as st

from components.scenarios import SCENARIOS
from components.strategies import STRATEGIES
from components.sweep import main_param
from dashboard import controls, session
from dashboard import sweep_store as store
from dashboard.cache import TRACES
from dashboard.safe import md_escape
from dashboard.sweep_runner import LIMITS, RUNNER, SmallGrid, check_cost

K = "sw."
#: The row count the editor offers where a dataset has one: lowest, highest, default.
N_SAMPLES = (200, 4000, 1000)


def _datasets() -> list[str]:
    """The datasets the editor offers: built-in ones (never an upload or a server path)."""
    from datasets.base import DATASETS, _ensure_loaders

    _ensure_loaders()
    return [
        n
        for n in DATASETS
        if not DATASETS[n].extra.get("upload")
        and not DATASETS[n].extra.get("local_file")
        and n != "csv"
    ]


def strength_options(scenario: str) -> tuple[str | None, list[float] | list[int]]:
    """The scenario's strength parameter and the values the editor offers (its range in steps).

    >>> strength_options("label_bias")
    ('flip', [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0])
    >>> strength_options("duplicates")[1][:3]
    [1, 2, 3]
    >>> strength_options("none")
    (None, [])
    """
    param = main_param(scenario)
    if param is None:
        return None, []
    p = SCENARIOS[scenario].param(param)
    low, high = float(p.low or 0.0), float(p.high if p.high is not None else 1.0)
    if p.kind == "int":
        return param, list(range(int(low), int(high) + 1))[:10]
    values = np.linspace(low, high, 11)[1:]
    return param, [round(float(v), 3) for v in values]


def editor() -> SmallGrid | None:
    """The grid editor (a form); the grid when started, else None."""
    datasets = _datasets()
    st.session_state.setdefault(K + "dataset", "two_groups")
    st.session_state.setdefault(K + "scenario", "label_bias")
    from datasets.base import DATASETS

    ds = st.selectbox(
        "Dataset",
        datasets,
        key=K + "dataset",
        format_func=lambda n: f"{controls.entry_label(DATASETS[n])} ({n})",
    )
    scenario = st.selectbox(
        "Bias scenario",
        list(SCENARIOS),
        key=K + "scenario",
        format_func=lambda n: f"{SCENARIOS[n].label} ({n})",
    )
    param, options = strength_options(scenario)
    with st.form(K + "form", border=True):
        a, b = st.columns(2)
        n_samples = None
        if any(p.name == "n_samples" for p in DATASETS[ds].params):
            n_samples = a.number_input(
                "Rows (n_samples)", *N_SAMPLES[:2], N_SAMPLES[2], step=100, key=K + "rows"
            )
        baseline = b.checkbox("Also without bias (the baseline)", value=True, key=K + "baseline")
        strengths: list[float] | list[int] = []
        if param is not None:
            default = [v for v in (0.2, 0.6) if v in options] or options[:1]
            strengths = a.multiselect(
                f"Strengths ({param}), at most {LIMITS['strengths']}",
                options,
                default=default,
                max_selections=LIMITS["strengths"],
                key=K + f"strengths.{scenario}",
            )
        strategies = b.multiselect(
            f"Strategies, at most {LIMITS['strategies']}",
            list(STRATEGIES),
            default=["random", "least_confidence", "bald"],
            max_selections=LIMITS["strategies"],
            format_func=controls.strategy_label,
            key=K + "strategies",
        )
        seeds = a.slider("Seeds", 1, LIMITS["seeds"], 3, key=K + "seeds")
        rounds = b.slider("Rounds", 1, LIMITS["rounds"], 10, key=K + "rounds")
        name = st.text_input(
            "Name (a-z, 0-9 and -; empty: one made from the grid)", key=K + "name", max_chars=64
        )
        go = st.form_submit_button("Start the sweep", type="primary", key=K + "start")
    if not go:
        return None
    dataset = ds if n_samples is None else f"{ds}:n_samples={int(n_samples)}"
    grid = SmallGrid(
        dataset,
        scenario,
        param,
        tuple(strengths),
        bool(baseline),
        tuple(strategies),
        int(seeds),
        int(rounds),
    )
    st.session_state[K + "name.given"] = name.strip()
    return grid


def auto_name(grid: SmallGrid) -> str:
    """A name made from the grid, so the same grid resumes the same folder."""
    return "s-" + hashlib.sha256(grid.toml().encode("utf-8")).hexdigest()[:12]


def start(small: SmallGrid) -> str | None:
    """Check the grid and its cost, and start it; its name, or None after an error."""
    try:
        grid = small.grid()
        name = st.session_state.get(K + "name.given") or auto_name(small)
        folder = store.folder_for(name)
        check_cost(grid, TRACES.budget_seconds)
        RUNNER.start(name, folder, grid)
        st.session_state.pop(K + "seen." + name, None)
    except Exception as exc:  # noqa: BLE001 -- bad input said in one line, a bug as one
        session.show_error(exc)
        return None
    return name


def wants_progress(name: str) -> bool:
    """True while the sweep runs, and once more when it has just ended (to redraw the page)."""
    job = RUNNER.job(name)
    return job is not None and (job.running or not st.session_state.get(K + "seen." + name))


def progress(name: str) -> None:
    """The background sweep's progress and its Cancel button, refreshed every second."""

    @st.fragment(run_every=1.0)
    def body() -> None:
        job = RUNNER.job(name)
        if job is None:
            return
        text = (
            f"Sweep {md_escape(name)}: {job.done} of {job.total} runs done"
            + (f", {job.failed} failed" if job.failed else "")
            + (" — cancelling after the run in progress…" if job.cancel.is_set() else "")
        )
        st.progress(job.done / max(job.total, 1), text=text)
        if job.running:
            st.button(
                "Cancel the sweep",
                key=K + "cancel",
                on_click=RUNNER.cancel,
                args=(name,),
                help="Stops after the run in progress; the runs finished so far are kept.",
            )
        elif not st.session_state.get(K + "seen." + name):
            st.session_state[K + "seen." + name] = True
            st.rerun(scope="app")

    body()


def running_elsewhere(shown: str | None) -> None:
    """Say which sweep this server is running, when it is not the one shown."""
    job = RUNNER.current()
    if job is not None and job.name != shown:
        st.info(
            f"This server is running the sweep **{md_escape(job.name)}** "
            f"({job.done} of {job.total} runs done). One sweep runs at a time."
        )


def outcome(name: str) -> None:
    """How the last background sweep of that name ended, when it did not simply finish."""
    job = RUNNER.job(name)
    if job is None or job.running:
        return
    if job.state == "cancelled":
        st.info(
            f"Cancelled after {job.done} of {job.total} runs; the figures show the runs that "
            "finished. Start the same grid again (same name) to resume it."
        )
    elif job.state == "error":
        st.error(f"The sweep stopped: {md_escape(job.error, limit=400)}")
