"""Query strategies: plain functions in a registry.

Adding a strategy is one function and one ``STRATEGIES.register(...)`` call;
the contract tests then cover it automatically. Import order sets list order.
"""
# isort: skip_file

from components.strategies.base import (
    STRATEGIES,
    Committee,
    Lookahead,
    PoolView,
    QueryContext,
    StrategyEntry,
    top_n,
)
from components.strategies import uncertainty  # noqa: F401  (registers random ... density)
from components.strategies import committee  # noqa: F401  (qbc_*, bald)
from components.strategies import coreset  # noqa: F401
from components.strategies import fair  # noqa: F401  (group_balanced, fair_uncertainty)
from components.strategies import fal  # noqa: F401
from components.strategies import minmax  # noqa: F401  (minmax_group)

__all__ = [
    "STRATEGIES",
    "Committee",
    "Lookahead",
    "PoolView",
    "QueryContext",
    "StrategyEntry",
    "top_n",
]
