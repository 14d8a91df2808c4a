"""A sweep's grid: a TOML file of ``RunConfig`` field values, checked up front and expanded.

Each top-level key is a ``RunConfig`` field with a list of values (a single
value counts as a one-item list); ``scenarios`` takes a list of lists of
scenario specs. The grid is the cross product, in the file's key order with
the last key varying fastest. A spec may be an inline table whose parameters
hold lists, ``{name = "label_bias", params = {flip = [0.2, 0.6]}}``, which
stands for one spec per value. An optional ``[sweep]`` table sets ``budgets``,
the rounds at which ``summarize`` reports by default.

Every combination is built as a ``RunConfig`` before anything runs, so a typo
stops the sweep with one line naming the key, the value and what is allowed.
Combinations that are the same run (the same canonical config) count once.

>>> grid = parse_grid('strategy = ["random", "bald"]\\nseed = [0, 1]\\nrounds = [2]')
>>> [(c.strategy.name, c.seed) for c in grid.configs]
[('random', 0), ('random', 1), ('bald', 0), ('bald', 1)]
>>> parse_grid('stratgy = ["random"]')
Traceback (most recent call last):
...
specs.UserInputError: grid: unknown key 'stratgy'; allowed: dataset, scenarios, strategy, \
model, use_group_feature, seed, initial_size, batch_size, rounds, test_size, sweep \
(did you mean 'strategy'?)
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from components.config import RunConfig
from components.scenarios import SCENARIOS
from components.strategies import STRATEGIES
from specs import Spec, UserInputError, did_you_mean

#: A grid file is a few kilobytes; at most this much is read.
MAX_GRID_BYTES = 2**20
#: The most runs one grid may expand to.
MAX_RUNS = 20_000
SWEEP_TABLE = "sweep"
SWEEP_KEYS = ("budgets",)

MSG_FILE = "--grid: cannot read {path!r} ({reason}); allowed: a TOML grid file of at most 1 MB"
MSG_TOML = "--grid: {path!r} is not valid TOML ({detail}); allowed: key = [values] lines"
MSG_UNKNOWN_KEY = "grid: unknown key '{key}'; allowed: {allowed}{hint}"
MSG_EMPTY = "grid '{key}': {value!r} is an empty list; allowed: a non-empty list of values"
MSG_NO_KEYS = "grid: no run fields are set; allowed: {allowed}"
MSG_SCENARIO_LISTS = (
    "grid 'scenarios': {value!r} is not a list of scenario specs; "
    'allowed: a list of lists, e.g. [[], ["label_bias:flip=0.2"]]'
)
MSG_VALUE = "grid '{key}': value {value!r}: {problem}"
MSG_TOO_MANY = "grid: {sizes} = {n:,} runs; allowed: at most {limit:,} runs in one sweep"
MSG_SWEEP_KEY = "grid [sweep]: unknown key '{key}'; allowed: {allowed}{hint}"
MSG_BUDGETS = "grid [sweep] budgets: {value!r}; allowed: a non-empty list of rounds >= 0"
MSG_PARAM_LIST = "grid '{key}': spec {value!r} has an empty list for '{param}'; allowed: values"

RUN_FIELDS = tuple(f.name for f in fields(RunConfig))
SPEC_FIELDS = ("dataset", "strategy")


@dataclass(frozen=True)
class Grid:
    """The expanded grid: one ``RunConfig`` per run, with its key, in a stable order."""

    configs: tuple[RunConfig, ...]
    keys: tuple[str, ...]
    budgets: tuple[int, ...] = ()

    def __len__(self) -> int:
        return len(self.configs)


def canonical(config: RunConfig) -> RunConfig:
    """``config`` with every registry default filled in, without loading any data.

    Two configs that would run the same way are equal once canonical (a
    scenario's target group stays absent until the data names it).
    """
    from datasets.base import resolve_dataset_spec

    return replace(
        config,
        dataset=resolve_dataset_spec(config.dataset),
        scenarios=tuple(SCENARIOS.resolve(s) for s in config.scenarios),
        strategy=STRATEGIES.resolve(config.strategy),
    )


def run_key(config: RunConfig) -> str:
    """A run's key: SHA-256 of its canonical config as compact, key-sorted JSON.

    >>> run_key(RunConfig(rounds=2)) == run_key(RunConfig.from_dict({"rounds": "2"}))
    True
    """
    text = json.dumps(canonical(config).to_dict(), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_grid(path: str | Path) -> Grid:
    """Read, check and expand a grid file (at most ``MAX_GRID_BYTES``)."""
    from datasets.upload_read import FileRefused, read_bounded

    try:
        text = read_bounded(path, limit=MAX_GRID_BYTES).decode("utf-8")
    except FileRefused as exc:
        raise UserInputError(MSG_FILE.format(path=str(path), reason=exc.reason)) from None
    except UnicodeDecodeError:
        raise UserInputError(MSG_FILE.format(path=str(path), reason="not UTF-8 text")) from None
    return parse_grid(text, name=str(path))


def parse_grid(text: str, *, name: str = "grid") -> Grid:
    """Check and expand the text of a grid file; see the module docstring."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        detail = " ".join(str(exc).split())
        raise UserInputError(MSG_TOML.format(path=name, detail=detail)) from None
    allowed = RUN_FIELDS + (SWEEP_TABLE,)
    for key in data:
        if key not in allowed:
            raise UserInputError(
                MSG_UNKNOWN_KEY.format(
                    key=key, allowed=", ".join(allowed), hint=did_you_mean(key, allowed)
                )
            )
    budgets = _budgets(data.get(SWEEP_TABLE, {}))
    values = {key: _values(key, data[key]) for key in RUN_FIELDS if key in data}
    if not values:
        raise UserInputError(MSG_NO_KEYS.format(allowed=", ".join(RUN_FIELDS)))
    sizes = [len(v) for v in values.values()]
    n = math.prod(sizes)
    if n > MAX_RUNS:
        shown = " x ".join(f"{len(v)} {k}" for k, v in values.items())
        raise UserInputError(MSG_TOO_MANY.format(sizes=shown, n=n, limit=MAX_RUNS))
    configs: list[RunConfig] = []
    keys: list[str] = []
    seen: set[str] = set()
    names = list(values)
    for combo in itertools.product(*values.values()):
        config = _build(dict(zip(names, combo, strict=True)))
        key = run_key(config)
        if key not in seen:
            seen.add(key)
            configs.append(config)
            keys.append(key)
    return Grid(tuple(configs), tuple(keys), budgets)


def _build(combo: dict[str, Any]) -> RunConfig:
    try:
        return RunConfig.from_dict(combo)
    except UserInputError as exc:
        shown = {k: _show(v) for k, v in combo.items()}
        raise UserInputError(f"grid run {shown}: {exc}") from None


def _show(value: Any) -> Any:
    if isinstance(value, Spec):
        return str(value)
    if isinstance(value, tuple):
        return [_show(v) for v in value]
    return value


def _budgets(table: Any) -> tuple[int, ...]:
    if not isinstance(table, Mapping):
        raise UserInputError(MSG_BUDGETS.format(value=table))
    for key in table:
        if key not in SWEEP_KEYS:
            raise UserInputError(
                MSG_SWEEP_KEY.format(
                    key=key, allowed=", ".join(SWEEP_KEYS), hint=did_you_mean(key, SWEEP_KEYS)
                )
            )
    raw = table.get("budgets", [])
    if not isinstance(raw, list) or ("budgets" in table and not raw):
        raise UserInputError(MSG_BUDGETS.format(value=raw))
    for b in raw:
        if isinstance(b, bool) or not isinstance(b, int) or b < 0:
            raise UserInputError(MSG_BUDGETS.format(value=raw))
    return tuple(sorted(set(raw)))


def _values(key: str, raw: Any) -> list[Any]:
    """One key's alternatives, each checked on its own, so an error names the key and value."""
    if key == "scenarios":
        if not isinstance(raw, list) or not raw:
            raise UserInputError(
                MSG_EMPTY.format(key=key, value=raw)
                if isinstance(raw, list)
                else MSG_SCENARIO_LISTS.format(value=raw)
            )
        out = []
        for combo in raw:
            if not isinstance(combo, list):
                raise UserInputError(MSG_SCENARIO_LISTS.format(value=raw))
            options = [_specs(key, s, kind="scenario") for s in combo]
            out.extend(tuple(c) for c in itertools.product(*options))
        return out
    items = raw if isinstance(raw, list) else [raw]
    if not items:
        raise UserInputError(MSG_EMPTY.format(key=key, value=raw))
    if key in SPEC_FIELDS:
        return [s for item in items for s in _specs(key, item, kind=key)]
    out = []
    for item in items:
        try:
            out.append(getattr(RunConfig(**{key: item}), key))
        except (UserInputError, TypeError) as exc:
            raise UserInputError(MSG_VALUE.format(key=key, value=item, problem=exc)) from None
    return out


def _specs(key: str, item: Any, *, kind: str) -> list[Spec]:
    """The specs ``item`` stands for: one, or one per combination of its list-valued params."""
    try:
        if isinstance(item, Mapping) and isinstance(item.get("params"), Mapping):
            params = item["params"]
            names = list(params)
            choices = []
            for p in names:
                v = params[p]
                if isinstance(v, list) and not v:
                    raise UserInputError(MSG_PARAM_LIST.format(key=key, value=item, param=p))
                choices.append(v if isinstance(v, list) else [v])
            specs = [
                Spec(str(item["name"]), tuple(zip(names, combo, strict=True)))
                for combo in itertools.product(*choices)
            ]
        else:
            specs = [Spec.coerce(item, kind=kind)]
        for spec in specs:
            _check_spec(key, spec)
    except UserInputError as exc:
        if str(exc).startswith("grid "):
            raise
        raise UserInputError(MSG_VALUE.format(key=key, value=_show(item), problem=exc)) from None
    return specs


def _check_spec(key: str, spec: Spec) -> None:
    if key == "scenarios":
        RunConfig(scenarios=(spec,))
    else:
        RunConfig(**{key: spec})
