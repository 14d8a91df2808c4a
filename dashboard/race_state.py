"""You vs the model: presets, session keys, the race cache and the picking helpers.

A session keeps only its config (JSON), the batches it submitted and the
points it has picked so far; ``components.race.Race`` is rebuilt from the
first two. Races are kept in a small process-wide cache keyed by both, so a
rerun or a reload finds its race again without replaying. A cached race is
never changed: a submit works on a fork and caches that under its new key.
No streamlit here.
"""

from __future__ import annotations

import json
import re
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from components.config import RunConfig
from components.race import PRESETS as RACE_PRESETS
from components.race import Race
from specs import UserInputError

CONFIG = "race.config"  # the config in use (JSON), set when a race starts
BATCHES = "race.batches"  # the person's batches so far, one list of positions per round
PICKED = "race.picked"  # the points picked for the next batch
MESSAGE = "race.message"  # one line for the page to show after a callback
PRESET = "race.preset"  # the preset widget
SEED = "race.seed"  # the seed widget
RUNNING = "race.running"  # (preset, seed) of the race in progress, for its link
IDS = "race.ids"  # the point-numbers text input
BOX = "race.box."  # + x0, x1, y0, y1: the rectangle form's inputs

#: The races a page offers (``components.race.PRESETS``), each with what it shows.
PRESETS: dict[str, tuple[str, dict[str, Any]]] = {
    "clusters": (
        "The overlooked cluster (clusters)",
        RACE_PRESETS["clusters"],
    ),
    "two_groups": (
        "Two groups, a label bias on the minority",
        RACE_PRESETS["two_groups"],
    ),
}
MSG_PRESET = "preset: {value!r} is not a preset; allowed: {allowed}"
MSG_IDS = "point numbers: {value!r} is not a number; allowed: whole numbers separated by commas"
MSG_SEED = "seed: {value!r} is not allowed; allowed: a whole number from 0 to {high}"
SEED_HIGH = 9999
MSG_BOX = "rectangle: {field} from {lo} to {hi} is empty; allowed: a 'from' below the 'to'"


def preset_config(name: str, seed: int = 0) -> RunConfig:
    """The config of preset ``name`` at ``seed``.

    >>> preset_config("clusters", 3).seed
    3
    >>> preset_config("nope")
    Traceback (most recent call last):
    ...
    specs.UserInputError: preset: 'nope' is not a preset; allowed: clusters, two_groups
    """
    if name not in PRESETS:
        raise UserInputError(MSG_PRESET.format(value=str(name)[:40], allowed=", ".join(PRESETS)))
    return RunConfig.from_dict({**PRESETS[name][1], "seed": seed})


def url_seed(raw: str) -> int:
    """A seed read from a link, or one ``UserInputError``.

    >>> url_seed("7")
    7
    >>> url_seed("-1")
    Traceback (most recent call last):
    ...
    specs.UserInputError: seed: '-1' is not allowed; allowed: a whole number from 0 to 9999
    """
    text = str(raw)[:20]
    if not text.isdigit() or int(text) > SEED_HIGH:
        raise UserInputError(MSG_SEED.format(value=text, high=SEED_HIGH))
    return int(text)


MSG_PICKS = (
    "picks: the link's batches are not readable ({detail}); allowed: point numbers joined "
    "by '.', batches joined by '_'"
)
#: Longest ``picks`` value read from a link (a full race of 200 rounds of 10 fits).
MAX_PICKS_CHARS = 12_000


def picks_to_url(batches: Sequence[Sequence[int]]) -> str:
    """The batches as a link value: point numbers joined by ``.``, batches by ``_``.

    >>> picks_to_url([[3, 1], [5]])
    '3.1_5'
    """
    return "_".join(".".join(str(int(p)) for p in b) for b in batches)


def picks_from_url(text: str) -> list[list[int]]:
    """Batches read from a link value (``picks_to_url``'s form); the race checks them.

    >>> picks_from_url("3.1_5")
    [[3, 1], [5]]
    >>> picks_from_url("")
    []
    >>> picks_from_url("3.x")
    Traceback (most recent call last):
    ...
    specs.UserInputError: picks: the link's batches are not readable ('x' is not a point \
number); allowed: point numbers joined by '.', batches joined by '_'
    """
    if len(text) > MAX_PICKS_CHARS:
        raise UserInputError(MSG_PICKS.format(detail=f"longer than {MAX_PICKS_CHARS} characters"))
    out = []
    for part in text.split("_") if text else []:
        batch = []
        for tok in part.split("."):
            if not tok.isdigit() or len(tok) > 9:
                raise UserInputError(MSG_PICKS.format(detail=f"{tok[:20]!r} is not a point number"))
            batch.append(int(tok))
        out.append(batch)
    return out


def race_key(config_json: str, batches: Sequence[Sequence[int]]) -> tuple[str, str]:
    """The cache key of a race: its config and its batches, as text.

    >>> race_key("{}", [[3, 1], [5]])[1]
    '[[3, 1], [5]]'
    """
    return config_json, json.dumps([[int(p) for p in b] for b in batches])


class RaceCache:
    """The last ``size`` races built in this process, keyed by ``race_key``.

    Cached races are only read; :meth:`submit` forks one, submits on the fork
    and caches that under its own key.
    """

    def __init__(self, size: int = 32) -> None:
        self._races: OrderedDict[tuple[str, str], Race] = OrderedDict()
        self._lock = threading.Lock()
        self.size = size

    def _put(self, key: tuple[str, str], race: Race) -> None:
        with self._lock:
            self._races[key] = race
            self._races.move_to_end(key)
            while len(self._races) > self.size:
                self._races.popitem(last=False)

    def get(self, config_json: str, batches: Sequence[Sequence[int]]) -> Race:
        """The race of ``(config, batches)``: cached, or rebuilt by replaying the batches."""
        key = race_key(config_json, batches)
        with self._lock:
            race = self._races.get(key)
            if race is not None:
                self._races.move_to_end(key)
                return race
        race = Race(RunConfig.from_json(config_json), batches)
        self._put(key, race)
        return race

    def submit(
        self, config_json: str, batches: Sequence[Sequence[int]], picked: Sequence[int]
    ) -> list[int]:
        """Submit ``picked`` on the race of ``(config, batches)``; returns the batch as stored.

        Raises ``UserInputError`` (one line) on a bad batch; nothing changes then.
        """
        race = self.get(config_json, batches)
        pos = race.check(picked)
        nxt = race.fork()
        nxt.submit(pos)
        self._put(race_key(config_json, nxt.batches), nxt)
        return [int(p) for p in pos]

    def clear(self) -> None:
        with self._lock:
            self._races.clear()


RACES = RaceCache()


# ------------------------------------------------------------------ picking


def unlabelled(race: Race) -> np.ndarray:
    """Pool positions the person may still pick, ascending: the pick map's selectable points."""
    return np.flatnonzero(~race.labelled("you"))


def from_selection(selection: Mapping[str, Any], positions: np.ndarray, curve: int) -> list[int]:
    """The pool positions of a plotly selection's points on trace ``curve``.

    Parameters
    ----------
    selection : mapping
        Streamlit's plotly selection state (``points`` with ``curve_number``
        and ``point_index``).
    positions : ndarray of int
        The pool position of each point of trace ``curve``, in trace order.
    curve : int
        The index of the selectable trace.

    Returns
    -------
    list of int
        Sorted, without repeats.

    Examples
    --------
    >>> sel = {"points": [{"curve_number": 3, "point_index": 1},
    ...                   {"curve_number": 0, "point_index": 0},
    ...                   {"curve_number": 3, "point_index": 0}]}
    >>> from_selection(sel, np.array([10, 20, 30]), 3)
    [10, 20]
    """
    out = set()
    for point in selection.get("points") or []:
        if point.get("curve_number") != curve:
            continue
        i = point.get("point_index", point.get("point_number"))
        if isinstance(i, int) and 0 <= i < len(positions):
            out.add(int(positions[i]))
    return sorted(out)


def in_rectangle(
    xy: np.ndarray, free: np.ndarray, x: tuple[float, float], y: tuple[float, float]
) -> list[int]:
    """The ``free`` positions whose point lies in the rectangle ``x`` by ``y`` (edges in).

    >>> xy = np.array([[0, 0], [1, 1], [2, 2]], dtype=float)
    >>> in_rectangle(xy, np.array([0, 1, 2]), (0.5, 2.0), (0.0, 1.5))
    [1]
    >>> in_rectangle(xy, np.array([0]), (1.0, 0.0), (0.0, 1.0))
    Traceback (most recent call last):
    ...
    specs.UserInputError: rectangle: x1 from 1.0 to 0.0 is empty; allowed: a 'from' below the 'to'
    """
    for name, (lo, hi) in (("x1", x), ("x2", y)):
        if not lo <= hi:
            raise UserInputError(MSG_BOX.format(field=name, lo=lo, hi=hi))
    p = xy[free]
    ok = (p[:, 0] >= x[0]) & (p[:, 0] <= x[1]) & (p[:, 1] >= y[0]) & (p[:, 1] <= y[1])
    return [int(v) for v in free[ok]]


def parse_ids(text: str) -> list[int]:
    """Point numbers typed as text: whole numbers separated by commas or spaces.

    >>> parse_ids("12, 7 3")
    [12, 7, 3]
    >>> parse_ids("4, x")
    Traceback (most recent call last):
    ...
    specs.UserInputError: point numbers: 'x' is not a number; allowed: whole numbers \
separated by commas
    """
    out = []
    for tok in re.split(r"[\s,;]+", text.strip()):
        if not tok:
            continue
        if not tok.isdigit() or len(tok) > 9:
            raise UserInputError(MSG_IDS.format(value=tok[:20]))
        out.append(int(tok))
    return out


def nearest_middle(xy: np.ndarray, picked: Sequence[int], n: int) -> list[int]:
    """The ``n`` picked points nearest the middle (mean) of the picked points.

    Ties go to the smaller position, so the result is the same every time.

    >>> xy = np.array([[0, 0], [1, 0], [2, 0], [9, 0]], dtype=float)
    >>> nearest_middle(xy, [0, 1, 2, 3], 2)
    [1, 2]
    """
    pos = np.asarray(sorted(set(int(p) for p in picked)), dtype=np.int64)
    if len(pos) <= n:
        return pos.tolist()
    d = np.linalg.norm(xy[pos] - xy[pos].mean(axis=0), axis=1)
    keep = pos[np.lexsort((pos, d))[:n]]
    return sorted(int(p) for p in keep)
