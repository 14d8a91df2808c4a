"""Sidebar controls, generated from the core's registries.

Every parameter a registry declares becomes a widget with its bounds and its
help text, so a new strategy or scenario appears here with no UI code.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from components.config import FIELDS, RunConfig
from components.learners import LEARNERS
from components.scenarios import SCENARIOS
from components.strategies import STRATEGIES
from dashboard import state as S
from dashboard.safe import md_escape
from dashboard.uploads import UPLOAD_NAME, UPLOAD_SPEC, check_web_safe, is_upload
from datasets.base import DATASETS, _ensure_loaders, load
from specs import Entry, Param, Spec

_ensure_loaders()

PLAIN = {
    "dataset": "Which data the model learns from. Real data sets come with their real biases.",
    "group": "Which attribute splits people into groups. 'a+b' combines two attributes.",
    "scenarios": (
        "Biases to add on top of the data, applied in the order listed. "
        "Each targets one group (the smallest by default)."
    ),
    "strategy": "How the model chooses which rows a human should label next.",
    "model": "The learner refitted after every batch of labels.",
    "seed": "Same seed and settings give exactly the same run.",
    "initial": "Rows labelled at random before the strategy takes over (the seed set).",
    "batch": "Rows the strategy picks per round.",
    "rounds": "How many rounds of querying (the labelling budget is seed + batch x rounds).",
    "test": "Share of rows held out to measure accuracy. Its truth is never biased.",
    "ugf": (
        "Give the model the group itself as a feature. Off = the model is 'unaware' of the "
        "group, but other features can still act as proxies."
    ),
}


def _ensure(key: str, default: Any) -> None:
    if key not in st.session_state or st.session_state[key] is None:
        st.session_state[key] = default


def _step(p: Param) -> float:
    span = (p.high or 1.0) - (p.low or 0.0)
    return 0.05 if span <= 1.0 else (0.1 if span <= 20 else 1.0)


def param_widget(p: Param, key: str, *, groups: tuple[str, ...] = (), default: Any = None) -> None:
    """One widget for one declared parameter, with its help text and bounds."""
    value = p.default if default is None else default
    if p.name == "group" and p.choices is None:
        _ensure(key, value if value in groups else groups[-1])
        if st.session_state[key] not in groups:
            st.session_state[key] = groups[-1]
        st.selectbox("target group", groups, key=key, help=p.help)
    elif p.kind == "bool":
        _ensure(key, bool(value))
        st.toggle(p.name, key=key, help=p.help)
    elif p.choices is not None:
        _ensure(key, value)
        if st.session_state[key] not in p.choices:
            st.session_state[key] = p.default
        st.selectbox(p.name, p.choices, key=key, help=p.help)
    elif p.kind == "float" and p.low is not None and p.high is not None:
        _ensure(key, float(value))
        st.session_state[key] = float(min(max(st.session_state[key], p.low), p.high))
        st.slider(p.name, float(p.low), float(p.high), step=_step(p), key=key, help=p.help)
    elif p.kind == "int" and p.low is not None and p.high is not None and p.high - p.low <= 50:
        _ensure(key, int(value))
        st.session_state[key] = int(min(max(st.session_state[key], p.low), p.high))
        st.slider(p.name, int(p.low), int(p.high), step=1, key=key, help=p.help)
    else:
        _ensure(key, value)
        kw: dict[str, Any] = {}
        if p.low is not None:
            kw["min_value"] = int(p.low) if p.kind == "int" else float(p.low)
        if p.high is not None:
            kw["max_value"] = int(p.high) if p.kind == "int" else float(p.high)
        st.number_input(p.name, key=key, help=p.help, **kw)


def _entry_help(entry: Entry) -> str:
    cite = f"\n\nSource: {entry.citation}" if entry.citation else ""
    return f"{entry.description}{cite}"


def load_widgets_from(cfg: RunConfig) -> None:
    """Put a (resolved) config into the widgets' session state."""
    check_web_safe(cfg.dataset)
    cfg = cfg.resolve()
    if is_upload(cfg.dataset):
        st.session_state[UPLOAD_SPEC] = cfg.dataset
        st.session_state[UPLOAD_NAME] = "shared upload " + str(cfg.dataset.get("sha256", ""))[:8]
    for key, value in S.config_to_widgets(cfg).items():
        st.session_state[key] = value


def sidebar(*, with_strategy: bool = True) -> RunConfig:
    """Draw the sidebar and return the config it describes.

    Raises
    ------
    ValueError
        When the chosen values do not make a valid run (the caller shows it).
    """
    sb = st.sidebar
    with sb:
        st.header("Run settings")
        upload = st.session_state.get(UPLOAD_SPEC)
        names = [n for n in DATASETS if not DATASETS[n].extra.get("upload")]
        if upload is not None:
            names.append(upload.name)
        _ensure(S.wkey("dataset"), S.DEFAULT_CONFIG.dataset.name)
        if st.session_state[S.wkey("dataset")] not in names:
            st.session_state[S.wkey("dataset")] = S.DEFAULT_CONFIG.dataset.name

        # Options are formatted outside this script's thread too: read state now.
        upload_label = f"your upload: {st.session_state.get(UPLOAD_NAME, 'CSV')}"

        def label(n: str) -> str:
            if DATASETS[n].extra.get("upload"):
                return upload_label
            return f"{n}: {DATASETS[n].description.split(':')[0][:40]}"

        ds_name = st.selectbox(
            "Dataset", names, key=S.wkey("dataset"), help=PLAIN["dataset"], format_func=label
        )
        ds_entry = DATASETS[ds_name]
        if ds_entry.extra.get("upload"):
            ds_spec = upload
        else:
            group_param = next((p for p in ds_entry.params if p.name == "group"), None)
            if group_param is not None:
                param_widget(group_param, S.wkey("ds", ds_name, "group"))
            other = [p for p in ds_entry.params if p.name != "group"]
            if other:
                with st.expander("Dataset settings"):
                    for p in other:
                        param_widget(p, S.wkey("ds", ds_name, p.name))
            ds_spec = S.spec_from_widgets(st.session_state, "ds", ds_name, ds_entry.params)
        dataset = load(ds_spec)
        st.caption(
            f"{dataset.n_samples:,} rows; groups: "
            + ", ".join(
                f"{md_escape(g)} ({c:,})"
                for g, c in sorted(dataset.group_counts().items(), key=lambda t: -t[1])
            )
        )

        _ensure(S.wkey("scenarios"), [s.name for s in S.DEFAULT_CONFIG.scenarios])
        chosen = st.multiselect(
            "Bias scenarios",
            [n for n in SCENARIOS if n != "none"],
            key=S.wkey("scenarios"),
            help=PLAIN["scenarios"],
        )
        scenarios = []
        for name in chosen:
            entry = SCENARIOS[name]
            with st.expander(f"{name}", expanded=True):
                st.caption(entry.description)
                for p in entry.params:
                    param_widget(p, S.wkey("sc", name, p.name), groups=dataset.groups)
            scenarios.append(S.spec_from_widgets(st.session_state, "sc", name, entry.params))

        strategy = S.DEFAULT_CONFIG.strategy
        if with_strategy:
            _ensure(S.wkey("strategy"), S.DEFAULT_CONFIG.strategy.name)
            st_name = st.selectbox(
                "Query strategy", list(STRATEGIES), key=S.wkey("strategy"), help=PLAIN["strategy"]
            )
            st_entry = STRATEGIES[st_name]
            st.caption(st_entry.description)
            for p in st_entry.params:
                param_widget(p, S.wkey("st", st_name, p.name))
            strategy = S.spec_from_widgets(st.session_state, "st", st_name, st_entry.params)

        _ensure(S.wkey("model"), S.DEFAULT_CONFIG.model)
        st.selectbox(
            "Model",
            list(LEARNERS),
            key=S.wkey("model"),
            help=PLAIN["model"]
            + "\n\n"
            + "\n".join(f"- {n}: {e.description}" for n, e in LEARNERS.items()),
        )
        with st.expander("Budget and seed", expanded=False):
            for suffix, (field, _) in S.SCALARS.items():
                if suffix == "model":
                    continue
                p = FIELDS[field]
                key = S.wkey(suffix)
                _ensure(key, getattr(S.DEFAULT_CONFIG, field))
                if p.kind == "bool":
                    st.toggle("Model sees the group", key=key, help=PLAIN[suffix])
                    continue
                low, high = S.app_range(field)
                if p.kind == "float":
                    st.session_state[key] = float(min(max(st.session_state[key], low), high))
                    st.slider("Test share", low, high, step=0.05, key=key, help=PLAIN[suffix])
                else:
                    st.session_state[key] = int(min(max(st.session_state[key], low), high))
                    label = {
                        "seed": "Seed",
                        "initial": "Seed-set size",
                        "batch": "Batch size",
                        "rounds": "Rounds",
                    }[suffix]
                    st.number_input(
                        label,
                        min_value=int(low),
                        max_value=int(high),
                        step=1,
                        key=key,
                        help=PLAIN[suffix],
                    )
    ss = st.session_state
    return RunConfig(
        dataset=ds_spec,
        scenarios=tuple(Spec(s.name, s.params) for s in scenarios),
        strategy=strategy,
        model=ss[S.wkey("model")],
        use_group_feature=bool(ss[S.wkey("ugf")]),
        seed=int(ss[S.wkey("seed")]),
        initial_size=int(ss[S.wkey("initial")]),
        batch_size=int(ss[S.wkey("batch")]),
        rounds=int(ss[S.wkey("rounds")]),
        test_size=float(ss[S.wkey("test")]),
    ).validate()
