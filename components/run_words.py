"""A run's config in plain words, from the registries' short names: for headers, briefs, lessons.

Plain text; callers escape it for Markdown or HTML.
"""

from __future__ import annotations

from components.config import RunConfig
from components.learners import LEARNERS
from components.scenario_registry import SCENARIOS
from components.strategies import STRATEGIES
from datasets import loaders  # noqa: F401  (registers every loader)
from datasets.base import DATASETS
from specs import Spec


def dataset_words(spec: Spec) -> str:
    """The dataset's short name and its groups.

    >>> dataset_words(Spec.parse("adult:group=sex"))
    'Adult census income (1994), groups by sex'
    """
    entry = DATASETS[spec.name]
    words = "your uploaded CSV" if entry.extra.get("upload") else entry.title
    group = spec.get("group")
    return f"{words}, groups by {str(group).replace('+', ' and ')}" if group else words


def scenario_words(spec: Spec) -> str:
    """One scenario: its short name, its target group and its settings.

    >>> scenario_words(Spec.parse("label_bias:group=Female,flip=0.4"))
    'Label bias on Female (flip 0.4)'
    """
    entry = SCENARIOS[spec.name]
    group = spec.get("group")
    target = f" on {group}" if group is not None else ""
    rest = ", ".join(f"{k} {v}" for k, v in spec.params if k != "group")
    return f"{entry.title}{target}" + (f" ({rest})" if rest else "")


def strategy_words(spec: Spec) -> str:
    """The strategy's short name and its settings.

    >>> strategy_words(Spec.parse("fal:alpha=0.3"))
    'Fair Active Learning (FAL) (alpha 0.3)'
    """
    rest = ", ".join(f"{k} {v}" for k, v in spec.params)
    return STRATEGIES[spec.name].title + (f" ({rest})" if rest else "")


def run_in_words(cfg: RunConfig) -> str:
    """The whole run in one or two plain sentences.

    >>> from components.config import RunConfig
    >>> print(run_in_words(RunConfig.from_dict({"dataset": "adult:group=sex",
    ...     "scenarios": ["label_bias:group=Female,flip=0.4"], "seed": 3})))
    ... # doctest: +NORMALIZE_WHITESPACE
    Least confidence chooses the rows to label for a logistic regression model, on Adult census
    income (1994), groups by sex. Bias: label bias on Female (flip 0.4). Seed 3; 20 seed labels,
    then 30 rounds of 10; the model does not see the group.
    """
    strategy = strategy_words(cfg.strategy)
    bias = "; ".join(scenario_words(s) for s in cfg.scenarios) or "none added"
    bias = bias[0].lower() + bias[1:] if bias[:1].isupper() and bias[1:2].islower() else bias
    sees = "sees" if cfg.use_group_feature else "does not see"
    return (
        f"{strategy} chooses the rows to label for a {LEARNERS[cfg.model].title.lower()} "
        f"model, on {dataset_words(cfg.dataset)}. Bias: {bias}. Seed {cfg.seed}; "
        f"{cfg.initial_size} seed labels, then {cfg.rounds} rounds of {cfg.batch_size}; "
        f"the model {sees} the group."
    )


def run_stamp(cfg: RunConfig, r: int) -> str:
    """The run and the round in one short line, for a chart that must stand alone.

    >>> from components.config import RunConfig
    >>> run_stamp(RunConfig.from_dict({"dataset": "adult:group=sex",
    ...     "scenarios": ["label_bias:group=Female,flip=0.4"]}), 30)
    'Round 30 · Adult census income (1994) · Label bias on Female (flip 0.4) · Least confidence · logistic regression · seed 0'
    """
    bias = " + ".join(scenario_words(s) for s in cfg.scenarios) or "no added bias"
    title = DATASETS[cfg.dataset.name].title
    return (
        f"Round {r} · {title} · {bias} · {strategy_words(cfg.strategy)} · "
        f"{LEARNERS[cfg.model].title.lower()} · seed {cfg.seed}"
    )
