"""Session-state keys, defaults, and the config <-> URL <-> widget mappings.

State changes only in callbacks or in the player fragment. Every widget has an
explicit key, listed here or built by ``wkey``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from components.config import FIELDS, WEB_HIGH, RunConfig
from dashboard.uploads import web_dataset
from specs import Spec

# Player keys
ROUND = "player.round"
PLAYING = "player.playing"
SPEED = "player.speed"
PRESENTER = "ui.presenter"
REPLAY = "ui.replay"  # play in the browser (plotly frames) instead of server ticks
TRACE = "run.trace"
TRACE_KEY = "run.trace_key"
LAST_GOOD = "run.last_good"
URL_LOADED = "url.loaded"
URL_WARNING = "url.warning"
PAGE = "nav.page"  # the page the last run drew

#: What a newcomer sees first: Adult, a label bias on women, least confidence.
DEFAULT_CONFIG = RunConfig.from_dict(
    {
        "dataset": "adult:group=sex",
        "scenarios": ["label_bias:group=Female,flip=0.4"],
        "strategy": "least_confidence",
        "model": "logistic",
        "seed": 0,
        "initial_size": 20,
        "batch_size": 10,
        "rounds": 30,
    }
)

SCALARS = {
    # widget key suffix -> (RunConfig field, URL key)
    "model": ("model", "model"),
    "seed": ("seed", "seed"),
    "initial": ("initial_size", "initial"),
    "batch": ("batch_size", "batch"),
    "rounds": ("rounds", "rounds"),
    "test": ("test_size", "test"),
    "ugf": ("use_group_feature", "ugf"),
}


MSG_CLAMPED = "{field}: {value} is out of range; allowed: {low} to {high}; using {used}"
MSG_SCENARIO_TWICE = (
    "scenario: {name!r} is given {n} times; allowed: each scenario once in the app "
    "(the command line composes repeats); kept the first"
)


def app_range(field: str) -> tuple[float, float]:
    """The app's (low, high) for a numeric run field: the core's bounds, capped."""
    p = FIELDS[field]
    low = float(p.low if p.low is not None else 0)
    high = float(p.high if p.high is not None else WEB_HIGH[field])
    return low, min(high, WEB_HIGH.get(field, high))


def wkey(*parts: str) -> str:
    """Widget key, e.g. ``wkey("sc", "label_bias", "flip") == "w.sc.label_bias.flip"``."""
    return ".".join(("w", *parts))


def config_to_query(cfg: RunConfig) -> dict[str, str | list[str]]:
    """URL query parameters that replay ``cfg``."""
    out: dict[str, str | list[str]] = {
        "dataset": str(cfg.dataset),
        "strategy": str(cfg.strategy),
    }
    if cfg.scenarios:
        out["scenario"] = [str(s) for s in cfg.scenarios]
    for _, (field, url) in SCALARS.items():
        value = getattr(cfg, field)
        out[url] = ("1" if value else "0") if isinstance(value, bool) else str(value)
    return out


def config_from_query(
    params: Mapping[str, Any], notes: list[str] | None = None
) -> RunConfig | None:
    """Parse URL parameters (``st.query_params.to_dict()``-like, lists allowed).

    Returns None when the URL holds no config. Raises ValueError on values that
    cannot be used. Numbers outside the app's range are clamped, and a scenario
    given twice keeps its first; each change is said in ``notes`` (plain text: escape it to show it).
    A ``csv`` dataset (a file path) becomes the hash form or is refused.
    """
    notes = [] if notes is None else notes

    def one(key: str) -> str | None:
        v = params.get(key)
        if isinstance(v, list):
            return v[-1] if v else None
        return v

    if not any(k in params for k in ("dataset", "strategy", "scenario")):
        return None
    data: dict[str, Any] = {}
    if one("dataset"):
        data["dataset"] = web_dataset(Spec.parse(one("dataset"), kind="dataset"))
    if one("strategy"):
        data["strategy"] = one("strategy")
    sc = params.get("scenario")
    if sc is not None:
        specs = [
            Spec.parse(s, kind="scenario") for s in (sc if isinstance(sc, list) else [sc]) if s
        ]
        names = [s.name for s in specs]
        for name in dict.fromkeys(n for n in names if names.count(n) > 1):
            notes.append(MSG_SCENARIO_TWICE.format(name=name, n=names.count(name)))
        data["scenarios"] = [s for i, s in enumerate(specs) if s.name not in names[:i]]
    for _, (field, url) in SCALARS.items():
        if one(url) is not None:
            data[field] = _clamped(field, one(url), notes)
    base = DEFAULT_CONFIG.to_dict()
    # The default bias names a group of the default dataset; a link to another
    # dataset with no scenario of its own starts unbiased instead of failing.
    if "dataset" in data and "scenarios" not in data:
        if data["dataset"] != DEFAULT_CONFIG.dataset:
            base["scenarios"] = []
    base.update(data)
    if "scenario" in params and "scenarios" not in data:
        base["scenarios"] = []
    return RunConfig.from_dict(base)


def _clamped(field: str, raw: Any, notes: list[str]) -> Any:
    """A numeric URL value inside the app's range (said in ``notes`` when moved)."""
    p = FIELDS.get(field)
    if p is None or p.kind not in ("int", "float"):
        return raw
    try:
        value = float(raw)
    except (TypeError, ValueError):
        return raw  # not a number: RunConfig refuses it with its own message
    if value != value or (p.kind == "int" and abs(value) != float("inf") and value != int(value)):
        return raw
    low, high = app_range(field)
    used = min(max(value, low), high)
    if p.kind == "int":
        used = int(used)
    if used != value:
        fmt = (lambda x: f"{x:g}") if p.kind == "float" else (lambda x: f"{x:.0f}")
        notes.append(
            MSG_CLAMPED.format(
                field=field,
                value=str(raw)[:40],
                low=fmt(low),
                high=fmt(high),
                used=fmt(used),
            )
        )
    return used


def config_to_widgets(cfg: RunConfig) -> dict[str, Any]:
    """Session-state values for every widget that describes ``cfg`` (resolved)."""
    out: dict[str, Any] = {wkey("dataset"): cfg.dataset.name}
    for k, v in cfg.dataset.params:
        out[wkey("ds", cfg.dataset.name, k)] = v
    out[wkey("scenarios")] = [s.name for s in cfg.scenarios]
    for s in cfg.scenarios:
        for k, v in s.params:
            out[wkey("sc", s.name, k)] = v
    out[wkey("strategy")] = cfg.strategy.name
    for k, v in cfg.strategy.params:
        out[wkey("st", cfg.strategy.name, k)] = v
    for suffix, (field, _) in SCALARS.items():
        out[wkey(suffix)] = getattr(cfg, field)
    return out


def spec_from_widgets(state: Mapping[str, Any], prefix: str, name: str, params: Any) -> Spec:
    """Collect one registered thing's parameters from its widgets."""
    values = []
    for p in params:
        key = wkey(prefix, name, p.name)
        if key in state and state[key] is not None:
            values.append((p.name, state[key]))
    return Spec(name, tuple(values))
