"""Try it here: the number a lesson's "try this" changes, as a slider over the lesson's runs.

A lesson's try-this change is a config (``Lesson.try_config``). When it moves
one number of the base run (a run field such as the seed-set size, a
strategy's parameter such as ``fair_uncertainty``'s ``lam``, or a bias's
parameter), that number becomes a knob: a few evenly spaced values from the
base run's to the changed run's. Every lesson run it applies to (same
strategy, same model: the base run, and for instance the same strategy under
another bias) is drawn side by side at the chosen value, so a class sees both
on one screen. The runs come from the shared trace cache, one per value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from components.config import RunConfig
from specs import Spec

#: Run fields a knob may move (numbers a lesson's change can set).
FIELDS = ("initial_size", "batch_size", "rounds")
STEPS = 5


@dataclass(frozen=True)
class Knob:
    """One number of a run: where it lives, what it is called, its base and changed values.

    ``where`` is ``("field", name)``, ``("strategy", param)`` or
    ``("scenario", scenario, param)``.
    """

    where: tuple[str, ...]
    label: str
    start: float
    end: float
    integer: bool

    def values(self, n: int = STEPS) -> list[float | int]:
        """``n`` evenly spaced values from ``start`` to ``end`` (distinct, in order).

        >>> Knob(("strategy", "lam"), "lam", 1.0, 5.0, False).values()
        [1.0, 2.0, 3.0, 4.0, 5.0]
        >>> Knob(("field", "initial_size"), "seed set", 20, 50, True).values()
        [20, 28, 35, 42, 50]
        """
        raw = [self.start + (self.end - self.start) * i / (n - 1) for i in range(n)]
        out = [int(round(v)) if self.integer else round(v, 4) for v in raw]
        return list(dict.fromkeys(out))


def _numeric(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def find_knob(base: RunConfig, changed: RunConfig) -> Knob | None:
    """The first number ``changed`` moves in ``base`` (both resolved), or None.

    >>> from components.config import RunConfig
    >>> a = RunConfig.from_dict({"strategy": "fair_uncertainty:lam=1", "initial_size": 20})
    >>> a = a.resolve()
    >>> find_knob(a, a.with_changes(strategy=Spec("fair_uncertainty", (("lam", 5.0),))))
    Knob(where=('strategy', 'lam'), label='lam of fair_uncertainty', start=1.0, end=5.0, integer=False)
    >>> find_knob(a, a.with_changes(initial_size=50)).where
    ('field', 'initial_size')
    >>> find_knob(a, a.with_changes(strategy=Spec.parse("random"))) is None
    True
    """
    for name in FIELDS:
        x, y = getattr(base, name), getattr(changed, name)
        if x != y:
            return Knob(("field", name), name.replace("_", " "), x, y, True)
    if base.strategy.name == changed.strategy.name:
        for (k, x), (_, y) in _pairs(base.strategy.params, changed.strategy.params):
            return Knob(("strategy", k), f"{k} of {base.strategy.name}", x, y, isinstance(x, int))
    old = {s.name: s for s in base.scenarios}
    for s in changed.scenarios:
        if s.name in old:
            for (k, x), (_, y) in _pairs(old[s.name].params, s.params):
                return Knob(("scenario", s.name, k), f"{k} of {s.name}", x, y, isinstance(x, int))
    return None


def _pairs(a: tuple, b: tuple) -> list[tuple[tuple[str, Any], tuple[str, Any]]]:
    """Numeric parameters present in both with different values, in ``a``'s order."""
    other = dict(b)
    return [
        ((k, x), (k, other[k]))
        for k, x in a
        if k in other and _numeric(x) and _numeric(other[k]) and x != other[k]
    ]


def applies(knob: Knob, config: RunConfig) -> bool:
    """Whether ``config`` has the number ``knob`` moves."""
    kind = knob.where[0]
    if kind == "field":
        return True
    if kind == "strategy":
        return config.strategy.get(knob.where[1]) is not None
    return any(
        s.name == knob.where[1] and s.get(knob.where[2]) is not None for s in config.scenarios
    )


def apply(knob: Knob, config: RunConfig, value: float | int) -> RunConfig:
    """``config`` with the knob's number set to ``value``.

    >>> from components.config import RunConfig
    >>> a = RunConfig.from_dict({"strategy": "fair_uncertainty:lam=1"}).resolve()
    >>> k = Knob(("strategy", "lam"), "lam", 1.0, 5.0, False)
    >>> apply(k, a, 3.0).strategy.get("lam")
    3.0
    """
    kind = knob.where[0]
    if kind == "field":
        return config.with_changes(**{knob.where[1]: int(value)})
    if kind == "strategy":
        s = config.strategy
        return config.with_changes(strategy=Spec(s.name, _set(s.params, knob.where[1], value)))
    scen = tuple(
        Spec(s.name, _set(s.params, knob.where[2], value)) if s.name == knob.where[1] else s
        for s in config.scenarios
    )
    return config.with_changes(scenarios=scen)


def _set(params: tuple, key: str, value: Any) -> tuple:
    return tuple((k, value if k == key else v) for k, v in params)


def related(base: RunConfig, others: list[RunConfig], knob: Knob, most: int = 2) -> list[int]:
    """Indices into ``others`` of the runs drawn beside ``base``: same strategy and
    model, the knob applies, and different from ``base`` once the knob is set.

    >>> from components.config import RunConfig
    >>> a = RunConfig.from_dict({"strategy": "fair_uncertainty:lam=1", "seed": 0}).resolve()
    >>> b = a.with_changes(seed=1)
    >>> k = Knob(("strategy", "lam"), "lam", 1.0, 5.0, False)
    >>> related(a, [a, b, b.with_changes(model="naive_bayes")], k)
    [1]
    """
    seen = {apply(knob, base, knob.end).to_json()}
    out: list[int] = []
    for i, c in enumerate(others):
        if c.strategy.name != base.strategy.name or c.model != base.model:
            continue
        if not applies(knob, c):
            continue
        key = apply(knob, c, knob.end).to_json()
        if key in seen:
            continue
        seen.add(key)
        out.append(i)
        if len(out) + 1 >= most:
            break
    return out


def describe(config: RunConfig) -> str:
    """A run's bias in a few words, to tell side-by-side runs apart (plain text).

    >>> from components.config import RunConfig
    >>> describe(RunConfig.from_dict({"scenarios": ["label_bias:group=Female,flip=0.7"]}))
    'label_bias on Female (flip 0.7)'
    >>> describe(RunConfig.from_dict({}))
    'no bias added'
    """
    parts = []
    for s in config.scenarios:
        rest = ", ".join(f"{k} {v}" for k, v in s.params if k not in ("group", "direction"))
        group = s.get("group")
        parts.append(
            f"{s.name}" + (f" on {group}" if group else "") + (f" ({rest})" if rest else "")
        )
    return "; ".join(parts) or "no bias added"
