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


#: Compare's widgets and the limits its page draws them with.
CMP_STRATEGIES = "w.cmp.strategies"
CMP_SEEDS = "w.cmp.seeds"
CMP_MAX = 4
CMP_SEEDS_RANGE = (1, 5)

MSG_NOT_A_NUMBER = "{field}: {value!r} is not a whole number; allowed: {low} to {high}; ignored"
MSG_NOT_A_FLAG = "{field}: {value!r} is not 0 or 1; ignored"
MSG_TOO_MANY = "compare: {n} strategies given; allowed: at most {most}; kept the first {most}"


def _int_in(field: str, raw: str, low: int, high: int, notes: list[str]) -> int | None:
    """``raw`` as an int clamped to [low, high]; None (and a note) when not a number."""
    try:
        value = float(raw)
        if value != value or value != int(value):
            raise ValueError(raw)
    except (TypeError, ValueError, OverflowError):
        notes.append(MSG_NOT_A_NUMBER.format(field=field, value=str(raw)[:40], low=low, high=high))
        return None
    used = int(min(max(value, low), high))
    if used != value:
        notes.append(
            MSG_CLAMPED.format(field=field, value=str(raw)[:40], low=low, high=high, used=used)
        )
    return used


def view_to_query(round_: int, presenter: bool) -> dict[str, str]:
    """URL parameters for where the viewer is: the round, and presenter mode when on."""
    return {"round": str(int(round_))} | ({"presenter": "1"} if presenter else {})


def view_from_query(
    params: Mapping[str, Any], last_round: int, notes: list[str] | None = None
) -> dict[str, Any]:
    """Session-state values for ``round`` and ``presenter`` read from a URL.

    Parameters
    ----------
    params : mapping
        ``st.query_params.to_dict()``-like (lists allowed).
    last_round : int
        The run's last round: a larger round is clamped to it.
    notes : list of str, optional
        Receives one plain-text line per value clamped or ignored.

    Returns
    -------
    dict
        ``{ROUND: r}`` and/or ``{PRESENTER: bool}``, only for the values given.
    """
    notes = [] if notes is None else notes
    out: dict[str, Any] = {}
    raw = _last(params.get("round"))
    if raw is not None:
        r = _int_in("round", raw, 0, max(int(last_round), 0), notes)
        if r is not None:
            out[ROUND] = r
    flag = _last(params.get("presenter"))
    if flag is not None:
        if flag in ("0", "1"):
            out[PRESENTER] = flag == "1"
        else:
            notes.append(MSG_NOT_A_FLAG.format(field="presenter", value=str(flag)[:40]))
    return out


def compare_to_query(strategies: list[str], seeds: int) -> dict[str, str]:
    """URL parameters for the Compare page's own choices."""
    return {"compare": ",".join(strategies), "seeds": str(int(seeds))}


def compare_from_query(params: Mapping[str, Any], notes: list[str] | None = None) -> dict[str, Any]:
    """Session-state values for Compare's strategies and seeds read from a URL.

    Unknown strategy names are refused (each said in ``notes`` with the allowed
    names), a repeated name is kept once, more than ``CMP_MAX`` keep the first
    ones, and seeds are clamped to ``CMP_SEEDS_RANGE``.

    Returns
    -------
    dict
        ``{CMP_STRATEGIES: [...]}`` and/or ``{CMP_SEEDS: n}``, only for the values given.
    """
    from components.strategies import STRATEGIES
    from specs import UserInputError

    notes = [] if notes is None else notes
    out: dict[str, Any] = {}
    raw = _last(params.get("compare"))
    if raw is not None:
        names: list[str] = []
        for name in (n.strip() for n in str(raw).split(",")):
            if not name or name in names:
                continue
            try:
                STRATEGIES[name]
            except (KeyError, UserInputError) as exc:
                notes.append(str(exc.args[0] if isinstance(exc, KeyError) else exc)[:600])
                continue
            names.append(name)
        if len(names) > CMP_MAX:
            notes.append(MSG_TOO_MANY.format(n=len(names), most=CMP_MAX))
            names = names[:CMP_MAX]
        if names:
            out[CMP_STRATEGIES] = names
    seeds = _last(params.get("seeds"))
    if seeds is not None:
        n = _int_in("seeds", seeds, *CMP_SEEDS_RANGE, notes)
        if n is not None:
            out[CMP_SEEDS] = n
    return out


def _last(v: Any) -> str | None:
    if isinstance(v, list):
        return v[-1] if v else None
    return v
