"""The chart builders and their plumbing under one name, for callers that want all of them.

The code lives in ``dashboard.figures`` (styles, palette, layout, sending),
``dashboard.run_charts`` (one run's record frames), ``dashboard.pool_charts``
(the pool map and scores) and ``dashboard.compare_charts`` (several
strategies). ``dashboard.chart_list`` says which chart goes where.
"""

from dashboard.compare_charts import (
    STRATEGY_COLORS,
    STRATEGY_SYMBOLS,
    compare_lines_figure,
    panel_title,
    strategy_lines_figure,
)
from dashboard.figures import (
    DASHES,
    FIGURE_LEGEND,
    GHOST,
    PALETTE,
    PATTERNS,
    STRATEGY_DASHES,
    SYMBOLS,
    TEMPLATE,
    Chart,
    Style,
    _decoded,
    _encoded,
    axis,
    copy_containers,
    figure,
    group_colors,
    line_trace,
)
from dashboard.pool_charts import (
    MAX_MAP_POINTS,
    PLAY_MAP_POINTS,
    map_drawn,
    map_figure,
    map_sample,
    scores_figure,
    trace_map_figure,
)
from dashboard.run_charts import (
    FAIRNESS_SERIES,
    accuracy_figure,
    budget_range,
    composition_figure,
    fairness_figure,
    ledger_figure,
)

__all__ = [
    "DASHES",
    "FAIRNESS_SERIES",
    "FIGURE_LEGEND",
    "GHOST",
    "MAX_MAP_POINTS",
    "PALETTE",
    "PATTERNS",
    "PLAY_MAP_POINTS",
    "STRATEGY_COLORS",
    "STRATEGY_DASHES",
    "STRATEGY_SYMBOLS",
    "SYMBOLS",
    "TEMPLATE",
    "Chart",
    "Style",
    "_decoded",
    "_encoded",
    "accuracy_figure",
    "axis",
    "budget_range",
    "compare_lines_figure",
    "composition_figure",
    "copy_containers",
    "fairness_figure",
    "figure",
    "group_colors",
    "ledger_figure",
    "line_trace",
    "map_drawn",
    "map_figure",
    "map_sample",
    "panel_title",
    "scores_figure",
    "strategy_lines_figure",
    "trace_map_figure",
]
