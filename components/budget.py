"""The run budget: refuse a run (or a visitor's runs together) estimated above it.

Estimates come from :mod:`components.cost`; the refusal names the estimate, the
budget and the knobs whose halving saves most, in one line.
"""

from __future__ import annotations

from dataclasses import replace

from components.config import RunConfig
from components.cost import committee_members, estimate_seconds
from components.strategies import STRATEGIES
from specs import UserInputError

MSG_OVER_BUDGET = (
    "run: estimated {estimate} of computing, above this server's budget of {budget}; "
    "allowed: at most {budget}; {advice}"
)


def format_seconds(seconds: float) -> str:
    """A duration in words a student reads at a glance.

    >>> format_seconds(42), format_seconds(600), format_seconds(9000)
    ('42 s', '10 min', '2.5 h')
    """
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def what_to_lower(
    config: RunConfig, n_samples: int, *, n_features: int | None, n_groups: int
) -> str:
    """What to change, largest saving first: each knob halved, members 2, model logistic."""

    def est(changed: RunConfig, n: int = n_samples) -> float:
        return estimate_seconds(changed, n, n_features=n_features, n_groups=n_groups)

    total = est(config)
    options = []  # (seconds saved, phrase; "" for the model)
    for knob in ("rounds", "initial_size", "batch_size"):
        value = getattr(config, knob)
        if value > 1:
            options.append(
                (total - est(replace(config, **{knob: value // 2})), f"{knob} ({value})")
            )
    params = dict(STRATEGIES.resolve(config.strategy).params)
    halved = {"members": 2} if committee_members(config) > 2 else {}
    if config.strategy.name == "fal":
        halved = {k: max(1, int(params[k]) // 2) for k in ("candidates", "eval_size")}
    for key, low in halved.items():
        changed = replace(config, strategy=config.strategy.with_params(**{key: low}))
        options.append((total - est(changed), f"{key} ({params[key]})"))
    options.append((total - est(config, n_samples // 2), f"dataset rows ({n_samples:,})"))
    if config.model != "logistic":
        options.append((total - est(replace(config, model="logistic")), ""))
    options.sort(key=lambda o: -o[0])
    top = [phrase for saved, phrase in options[:3] if saved >= 0.1 * total]
    top = top or [options[0][1]]
    knobs = [phrase for phrase in top if phrase]
    model = f"choose a faster model than {config.model}" if "" in top else ""
    if not knobs:
        return model
    lower = "lower " + ", ".join(knobs[:-1] if not model and len(knobs) > 1 else knobs)
    if model:
        return f"{lower} or {model}"
    return f"{lower} or {knobs[-1]}" if len(knobs) > 1 else lower


def check_budget(
    config: RunConfig,
    n_samples: int,
    budget_seconds: float,
    *,
    n_features: int | None = None,
    n_groups: int = 2,
) -> None:
    """Refuse a run whose estimate is above ``budget_seconds``.

    Parameters
    ----------
    config : RunConfig
    n_samples : int
        Rows of the data set before the pool/test split.
    budget_seconds : float
        The server's budget (``dashboard.hosting``).
    n_features, n_groups : int, optional
        As in :func:`estimate_parts`.

    Raises
    ------
    ValueError
        ``MSG_OVER_BUDGET``, naming the estimate, the budget and the knobs
        whose halving saves most.

    Examples
    --------
    >>> probe = RunConfig.from_dict({"model": "random_forest", "strategy": "bald:members=25",
    ...                              "initial_size": 2000, "batch_size": 100, "rounds": 200})
    >>> check_budget(probe.with_changes(initial_size=20, batch_size=10, rounds=10), 4000, 600)
    >>> check_budget(probe, 500_000, 120, n_features=2)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    specs.UserInputError: run: estimated ... h of computing, above this server's budget of 2 min; \
allowed: at most 2 min; lower ...
    """
    estimate = estimate_seconds(config, n_samples, n_features=n_features, n_groups=n_groups)
    if estimate > budget_seconds:
        advice = what_to_lower(config, n_samples, n_features=n_features, n_groups=n_groups)
        raise UserInputError(
            MSG_OVER_BUDGET.format(
                estimate=format_seconds(estimate),
                budget=format_seconds(budget_seconds),
                advice=advice,
            )
        )


MSG_OVER_BUDGET_MANY = (
    "runs: {n} runs together are estimated at {estimate} of computing, above this server's "
    "budget of {budget}; allowed: at most {budget}; choose fewer strategies or seeds, or "
    "lower rounds ({rounds})"
)


def check_total_budget(
    configs: list[RunConfig],
    n_samples: int,
    budget_seconds: float,
    *,
    n_features: int | None = None,
    n_groups: int = 2,
) -> None:
    """Refuse runs (one visitor's, on the same data) whose summed estimate is above the budget.

    One run gets :func:`check_budget`'s advice; several get ``MSG_OVER_BUDGET_MANY``.

    Examples
    --------
    >>> cfg = RunConfig.from_dict({"strategy": "bald", "rounds": 30})
    >>> check_total_budget([cfg] * 2, 2000, 600)
    >>> check_total_budget([cfg] * 20, 2000, 1)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    specs.UserInputError: runs: 20 runs together are estimated at ... above this server's budget ...
    """
    if len(configs) == 1:
        check_budget(
            configs[0], n_samples, budget_seconds, n_features=n_features, n_groups=n_groups
        )
        return
    total = sum(
        estimate_seconds(c, n_samples, n_features=n_features, n_groups=n_groups) for c in configs
    )
    if total > budget_seconds:
        raise UserInputError(
            MSG_OVER_BUDGET_MANY.format(
                n=len(configs),
                estimate=format_seconds(total),
                budget=format_seconds(budget_seconds),
                rounds=max(c.rounds for c in configs),
            )
        )
