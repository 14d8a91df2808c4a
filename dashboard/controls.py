"""Sidebar controls, generated from the core's registries.

Every parameter a registry declares becomes a widget with its bounds and its
help text, so a new strategy or scenario appears here with no UI code.
"""

from __future__ import annotations

import re
from typing import Any

import streamlit as st

from components.config import FIELDS, RunConfig
from components.learners import LEARNERS
from components.scenarios import SCENARIOS
from components.strategies import STRATEGIES
from dashboard import state as S
from dashboard.player import restart
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


_CUTS = re.compile(r";|,\s|\s\(|:\s")
_SENTENCE = re.compile(r"\.(\s|$)")


def first_clause(text: str, *, at_colon: bool = False, min_words: int = 3) -> str:
    """The first clause of a description, whole words only.

    The first sentence, cut at the first ``;``, ``,`` or `` (`` (and ``:`` when
    ``at_colon``) that leaves at least ``min_words`` words.

    Examples
    --------
    >>> first_clause("One group's labels are recorded wrongly, in the pool; the truth is kept.")
    "One group's labels are recorded wrongly"
    """
    sentence = _SENTENCE.split(text.replace("`", "").strip(), maxsplit=1)[0]
    for m in _CUTS.finditer(sentence):
        if m.group().startswith(":") and not at_colon:
            continue
        head = sentence[: m.start()].strip()
        if len(head.split()) >= min_words:
            return head
    return sentence.strip()


def humanise(name: str) -> str:
    """``"least_confidence"`` -> ``"Least confidence"``."""
    return name.replace("_", " ").strip().capitalize()


def entry_label(entry: Entry) -> str:
    """A registry entry's short plain name for a menu: never cut on a projector's sidebar.

    >>> from components.strategies import STRATEGIES
    >>> entry_label(STRATEGIES["least_confidence"])
    'Least confidence'
    """
    return entry.title


def code_hint(entry: Entry) -> str:
    """The caption under a menu: the code name (as links and the CLI spell it) and what it does.

    >>> from components.scenarios import SCENARIOS
    >>> code_hint(SCENARIOS["label_bias"]).split(" · ")[0]
    '`label_bias`'
    """
    sentence = _SENTENCE.split(entry.description.replace("`", "").strip(), maxsplit=1)[0]
    return f"`{entry.name}` · {md_escape(sentence.split(': ')[0].strip(), limit=300)}"


def param_label(p: Param) -> str:
    """A parameter's plain name (its help's first clause, when short) and its code name."""
    clause = first_clause(p.help or "", at_colon=True)
    lead = (p.help or "").split(":")[0].strip()
    if (
        not clause
        or len(clause) > 60
        or len(clause.split()) < 3
        or " = " in clause
        or lead in [str(c) for c in p.choices or ()]  # help that starts by listing choices
    ):
        return f"{humanise(p.name)} ({p.name})"
    return f"{clause} ({p.name})"


def _ensure(key: str, default: Any) -> None:
    if key not in st.session_state or st.session_state[key] is None:
        st.session_state[key] = default


def _step(p: Param) -> float:
    span = (p.high or 1.0) - (p.low or 0.0)
    return 0.05 if span <= 1.0 else (0.1 if span <= 20 else 1.0)


def param_widget(
    p: Param,
    key: str,
    *,
    groups: tuple[str, ...] = (),
    default: Any = None,
    on_change: Any = None,
) -> None:
    """One widget for one declared parameter, with its help text and bounds.

    Parameters
    ----------
    p : Param
        The declared parameter.
    key : str
        The widget's session-state key.
    groups : tuple of str
        The data's groups, for a scenario's target group.
    default : object, optional
        The value when the widget has none yet (else the parameter's default).
    on_change : callable, optional
        Called when the user changes a choice (selectboxes only).
    """
    value = p.default if default is None else default
    name = param_label(p)
    if p.name == "group" and p.choices is None:
        _ensure(key, value if value in groups else groups[-1])
        if st.session_state[key] not in groups:
            st.session_state[key] = groups[-1]
        st.selectbox(f"Target group ({p.name})", groups, key=key, help=p.help)
    elif p.kind == "bool":
        _ensure(key, bool(value))
        st.toggle(name, key=key, help=p.help)
    elif p.choices is not None:
        _ensure(key, value)
        if st.session_state[key] not in p.choices:
            st.session_state[key] = p.default
        st.selectbox(name, p.choices, key=key, help=p.help, on_change=on_change)
    elif p.kind == "float" and p.low is not None and p.high is not None:
        _ensure(key, float(value))
        st.session_state[key] = float(min(max(st.session_state[key], p.low), p.high))
        st.slider(name, float(p.low), float(p.high), step=_step(p), key=key, help=p.help)
    elif p.kind == "int" and p.low is not None and p.high is not None and p.high - p.low <= 50:
        _ensure(key, int(value))
        st.session_state[key] = int(min(max(st.session_state[key], p.low), p.high))
        st.slider(name, int(p.low), int(p.high), step=1, key=key, help=p.help)
    else:
        _ensure(key, value)
        kw: dict[str, Any] = {}
        if p.low is not None:
            kw["min_value"] = int(p.low) if p.kind == "int" else float(p.low)
        if p.high is not None:
            kw["max_value"] = int(p.high) if p.kind == "int" else float(p.high)
        st.number_input(name, key=key, help=p.help, **kw)


def _scenario_label(name: str) -> str:
    return entry_label(SCENARIOS[name])


def strategy_label(name: str) -> str:
    """A strategy's short plain name, e.g. for a selectbox's ``format_func``."""
    return entry_label(STRATEGIES[name])


def _model_label(name: str) -> str:
    return entry_label(LEARNERS[name])


MSG_GROUP_MOVED = (
    "{scenario}: this data has no group {old!r}, so the scenario now targets {new!r}. "
    "Choose another target group below."
)


def _say_moved_group(name: str, entry: Entry, ds_spec: Spec, groups: tuple[str, ...]) -> None:
    """Say when a scenario's chosen target group is not in the data now loaded."""
    key = S.wkey("sc", name, "group")
    old = st.session_state.get(key)
    param = next((p for p in entry.params if p.name == "group" and p.choices is None), None)
    if param is None or old is None or old in groups or not groups:
        return
    new = groups[-1]
    st.info(
        md_escape(
            MSG_GROUP_MOVED.format(scenario=f"{humanise(name)} ({name})", old=str(old), new=new),
            limit=600,
        )
    )


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
            return entry_label(DATASETS[n])

        ds_name = st.selectbox(
            "Dataset (dataset)",
            names,
            key=S.wkey("dataset"),
            help=PLAIN["dataset"],
            format_func=label,
            on_change=restart,
        )
        ds_entry = DATASETS[ds_name]
        st.caption(code_hint(ds_entry))
        if ds_entry.extra.get("upload"):
            ds_spec = upload
        else:
            group_param = next((p for p in ds_entry.params if p.name == "group"), None)
            if group_param is not None:
                param_widget(group_param, S.wkey("ds", ds_name, "group"), on_change=restart)
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
            "Bias scenarios (scenario)",
            [n for n in SCENARIOS if n != "none"],
            key=S.wkey("scenarios"),
            help=PLAIN["scenarios"],
            format_func=_scenario_label,
        )
        scenarios = []
        for name in chosen:
            entry = SCENARIOS[name]
            with st.expander(_scenario_label(name), expanded=True):
                st.caption(f"`{name}` · {md_escape(entry.description, limit=600)}")
                _say_moved_group(name, entry, ds_spec, dataset.groups)
                for p in entry.params:
                    param_widget(p, S.wkey("sc", name, p.name), groups=dataset.groups)
            scenarios.append(S.spec_from_widgets(st.session_state, "sc", name, entry.params))

        strategy = S.DEFAULT_CONFIG.strategy
        if with_strategy:
            _ensure(S.wkey("strategy"), S.DEFAULT_CONFIG.strategy.name)
            st_name = st.selectbox(
                "Query strategy (strategy)",
                list(STRATEGIES),
                key=S.wkey("strategy"),
                help=PLAIN["strategy"],
                format_func=strategy_label,
            )
            st_entry = STRATEGIES[st_name]
            st.caption(f"`{st_name}` · {md_escape(st_entry.description, limit=600)}")
            for p in st_entry.params:
                param_widget(p, S.wkey("st", st_name, p.name))
            strategy = S.spec_from_widgets(st.session_state, "st", st_name, st_entry.params)

        _ensure(S.wkey("model"), S.DEFAULT_CONFIG.model)
        st.selectbox(
            "Model (model)",
            list(LEARNERS),
            key=S.wkey("model"),
            format_func=_model_label,
            help=PLAIN["model"]
            + "\n\n"
            + "\n".join(f"- {n}: {e.description}" for n, e in LEARNERS.items()),
        )
        st.caption(code_hint(LEARNERS[st.session_state[S.wkey("model")]]))
        with st.expander("Budget and seed", expanded=False):
            for suffix, (field, _) in S.SCALARS.items():
                if suffix == "model":
                    continue
                p = FIELDS[field]
                key = S.wkey(suffix)
                _ensure(key, getattr(S.DEFAULT_CONFIG, field))
                if p.kind == "bool":
                    st.toggle(f"Model sees the group ({suffix})", key=key, help=PLAIN[suffix])
                    continue
                low, high = S.app_range(field)
                if p.kind == "float":
                    st.session_state[key] = float(min(max(st.session_state[key], low), high))
                    st.slider(
                        f"Test share ({suffix})", low, high, step=0.05, key=key, help=PLAIN[suffix]
                    )
                else:
                    st.session_state[key] = int(min(max(st.session_state[key], low), high))
                    label = {
                        "seed": "Seed",
                        "initial": "Seed-set size",
                        "batch": "Batch size",
                        "rounds": "Rounds",
                    }[suffix]
                    st.number_input(
                        f"{label} ({suffix})",
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
