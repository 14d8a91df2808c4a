"""``RunConfig``: everything needed to replay a run, validated when built, JSON-friendly."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from components.learners import LEARNERS
from components.scenarios import SCENARIOS
from components.strategies import STRATEGIES
from specs import Param, Spec, UserInputError, did_you_mean

MSG_UNKNOWN_FIELD = "config: unknown field '{field}'; allowed: {allowed}{hint}"
MSG_BAD_JSON = (
    "config: the file is not valid JSON ({detail}); allowed: a config.json written by a run"
)
#: A ``config.json`` is a few hundred bytes; the CLI reads at most this much.
MAX_CONFIG_BYTES = 2**20
#: A ``config.json`` nests 4 levels (config, scenarios, a scenario, its params).
MAX_JSON_DEPTH = 16
DETAIL_TOO_DEEP = "nested deeper than {limit} levels"
DETAIL_LONG_NUMBER = "a number with more than {limit:,} digits"
MSG_SCENARIOS_TYPE = "config: scenarios={value!r} is not a list; allowed: a list of scenario specs"
MSG_GROUP_FREE = (
    "scenario '{name}': group={value!r} is not a group of {dataset}; allowed: {allowed}{hint}"
)

#: The numeric fields and their bounds, checked when a ``RunConfig`` is built.
FIELDS = {
    "seed": Param("seed", "int", 0, "Seed of the whole run.", low=0, high=2**32 - 1),
    "initial_size": Param(
        "initial_size", "int", 20, "Rows labelled before the first query.", low=1, high=100_000
    ),
    "batch_size": Param("batch_size", "int", 10, "Rows labelled per round.", low=1, high=100),
    "rounds": Param("rounds", "int", 30, "Query rounds after the seed set.", low=0, high=10_000),
    "test_size": Param(
        "test_size", "float", 0.25, "Share of rows held out as the test set.", low=0.05, high=0.9
    ),
    "use_group_feature": Param(
        "use_group_feature", "bool", False, "Give the model the group as a feature."
    ),
}


#: The web app's ceilings on what one visitor may ask for, inside ``FIELDS``' bounds.
#: Its widgets and its link reader take their ranges from these two tables only.
WEB_HIGH = {"rounds": 200, "initial_size": 2000, "test_size": 0.8}


@dataclass(frozen=True)
class RunConfig:
    """One run: data, bias, strategy, model, sizes and seed.

    A ``RunConfig`` is checked when it is built (``dataclasses.replace`` too),
    so one that exists is valid: names are registered, parameter values are in
    range, and the numeric fields hold their declared types. What needs the
    data (a group name) is checked by :meth:`resolve`.

    >>> cfg = RunConfig.from_dict({"dataset": "two_groups", "strategy": "random", "rounds": 2})
    >>> RunConfig.from_json(cfg.to_json()) == cfg
    True
    >>> RunConfig(rounds=-1)
    Traceback (most recent call last):
    ...
    specs.UserInputError: config 'rounds': rounds=-1 is out of range; \
allowed: an integer in [0, 10000]
    """

    dataset: Spec = Spec("two_groups")
    scenarios: tuple[Spec, ...] = ()
    strategy: Spec = Spec("least_confidence")
    model: str = "logistic"
    use_group_feature: bool = False
    seed: int = 0
    initial_size: int = 20
    batch_size: int = 10
    rounds: int = 30
    test_size: float = 0.25

    def __post_init__(self) -> None:
        set_field = object.__setattr__  # frozen: normalise in place, once
        set_field(self, "dataset", Spec.coerce(self.dataset, kind="dataset"))
        raw = self.scenarios
        if isinstance(raw, (str, Mapping, Spec)):
            raw = [raw]
        if raw is not None and not isinstance(raw, (list, tuple)):
            raise UserInputError(MSG_SCENARIOS_TYPE.format(value=raw))
        set_field(self, "scenarios", tuple(Spec.coerce(s, kind="scenario") for s in raw or ()))
        set_field(self, "strategy", Spec.coerce(self.strategy, kind="strategy"))
        set_field(self, "model", str(self.model))
        for name, param in FIELDS.items():
            set_field(self, name, param.coerce(getattr(self, name), kind="config", owner=name))
        LEARNERS[self.model]
        from datasets.base import resolve_dataset_spec

        resolve_dataset_spec(self.dataset)
        for spec in self.scenarios:
            SCENARIOS.resolve(spec)
        STRATEGIES.resolve(self.strategy)

    # -- construction -------------------------------------------------------
    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RunConfig:
        """Build from a mapping (specs as strings or dicts)."""
        allowed = [f.name for f in fields(cls)]
        for key in data:
            if key not in allowed:
                raise UserInputError(
                    MSG_UNKNOWN_FIELD.format(
                        field=key, allowed=", ".join(allowed), hint=did_you_mean(key, allowed)
                    )
                )
        return cls(**data)

    @classmethod
    def from_json(cls, text: str) -> RunConfig:
        """Build and validate from the text of a ``config.json``.

        Parameters
        ----------
        text : str
            A JSON object; nested at most ``MAX_JSON_DEPTH`` levels.

        Raises
        ------
        UserInputError
            ``MSG_BAD_JSON`` for text that is not such an object (deep nesting
            and overlong numbers included), else as :meth:`from_dict`.

        Examples
        --------
        >>> RunConfig.from_json('{"rounds": 2}').rounds
        2
        >>> RunConfig.from_json("[" * 100_000)
        Traceback (most recent call last):
        ...
        specs.UserInputError: config: the file is not valid JSON \
(nested deeper than 16 levels); allowed: a config.json written by a run
        """
        too_deep = MSG_BAD_JSON.format(detail=DETAIL_TOO_DEEP.format(limit=MAX_JSON_DEPTH))
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise UserInputError(MSG_BAD_JSON.format(detail=exc.msg)) from None
        except RecursionError:  # the parser's own stack guard; the depth check is below
            raise UserInputError(too_deep) from None
        except ValueError:  # an integer literal past Python's digit limit
            detail = DETAIL_LONG_NUMBER.format(limit=sys.get_int_max_str_digits())
            raise UserInputError(MSG_BAD_JSON.format(detail=detail)) from None
        if not isinstance(data, dict):
            raise UserInputError(MSG_BAD_JSON.format(detail="not an object"))
        if _json_depth(data) > MAX_JSON_DEPTH:
            raise UserInputError(too_deep)
        return cls.from_dict(data)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["dataset"] = self.dataset.to_json()
        out["scenarios"] = [s.to_json() for s in self.scenarios]
        out["strategy"] = self.strategy.to_json()
        return out

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=False)

    def with_changes(self, **changes: Any) -> RunConfig:
        return replace(self, **changes)

    def validate(self) -> RunConfig:
        """Return self: a ``RunConfig`` is checked when it is built."""
        return self

    def resolve(self, *, dataset: Any = None) -> RunConfig:
        """Fill every default (the scenario's target group too) and check group names.

        The result is what ``config.json`` holds, so a replay never depends on
        defaults that might change. ``dataset`` (a ``Dataset``) replaces the one
        the spec names, for callers that bring their own data.
        """
        from datasets.base import load, resolve_dataset_spec

        dataset_spec = resolve_dataset_spec(self.dataset)
        ds = dataset if dataset is not None else load(dataset_spec)
        scenarios = []
        for spec in self.scenarios:
            spec = SCENARIOS.resolve(spec)
            entry = SCENARIOS[spec.name]
            if any(p.name == "group" for p in entry.params):
                group = spec.get("group")
                if group is None:
                    spec = Spec(spec.name, (("group", ds.smallest_group),) + spec.params)
                elif group not in ds.groups:
                    raise UserInputError(
                        MSG_GROUP_FREE.format(
                            name=spec.name,
                            value=group,
                            dataset=str(dataset_spec),
                            allowed=", ".join(ds.groups),
                            hint=did_you_mean(group, ds.groups),
                        )
                    )
            scenarios.append(spec)
        return replace(
            self,
            dataset=dataset_spec,
            scenarios=tuple(scenarios),
            strategy=STRATEGIES.resolve(self.strategy),
        )


def _json_depth(value: Any) -> int:
    """Nesting depth of parsed JSON (a scalar is 0), without recursion."""
    depth, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            depth = max(depth, level)
            stack.extend((child, level + 1) for child in item)
    return depth
