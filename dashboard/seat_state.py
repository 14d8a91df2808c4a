"""The annotator's seat page: its presets, its session keys and the seat cache.

A session keeps only the config and the answers it submitted
(``components.seat.Seat`` is rebuilt from them); seats are kept in a small
process-wide cache keyed by both, so a rerun or a reload finds its seat
again without replaying. A cached seat is never changed: a submit works on
a fork and caches the result under the new key. No streamlit here.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from typing import Any

from components.config import RunConfig
from components.seat import Seat
from specs import UserInputError

CONFIG = "seat.config"  # the config in use (JSON), set when a seat starts
HISTORY = "seat.history"  # the answers submitted, one dict per round
PRESET = "seat.preset"  # the preset widget
MESSAGE = "seat.message"  # one line for the page to show after a callback
PENDING = "seat.answer."  # + round.position: the answer widget of a batch row

EXPLORE = "explore"
#: Small runs a class can label in a few minutes. Each says what it teaches.
PRESETS: dict[str, tuple[str, dict[str, Any] | None]] = {
    EXPLORE: ("Explore's current settings (Adult with a label bias on women by default)", None),
    "adult": (
        "Adult census records, a label bias on women: 5 rounds of 8",
        {
            "dataset": "adult:group=sex",
            "scenarios": ["label_bias:group=Female,flip=0.4"],
            "strategy": "least_confidence",
            "initial_size": 20,
            "batch_size": 8,
            "rounds": 5,
        },
    ),
    "job_text": (
        "Job adverts (sentences): 5 rounds of 6",
        {"dataset": "job_text", "strategy": "least_confidence", "batch_size": 6, "rounds": 5},
    ),
    "digits": (
        "Handwritten digits (8x8 images): 5 rounds of 6",
        {"dataset": "digits", "strategy": "least_confidence", "batch_size": 6, "rounds": 5},
    ),
    "clusters": (
        "Two clusters, a 5-row seed set: the overlooked cluster, 3 rounds of 10",
        {
            "dataset": "clusters:n_samples=2000",
            "strategy": "least_confidence",
            "initial_size": 5,
            "batch_size": 10,
            "rounds": 3,
            "seed": 0,
        },
    ),
}
MSG_PRESET = "preset: {value!r} is not a preset; allowed: {allowed}"


def preset_config(name: str, explore: RunConfig) -> RunConfig:
    """The config of preset ``name``; ``explore`` is Explore's current config.

    >>> from dashboard.state import DEFAULT_CONFIG
    >>> preset_config("digits", DEFAULT_CONFIG).dataset.name
    'digits'
    >>> preset_config("nope", DEFAULT_CONFIG)
    Traceback (most recent call last):
    ...
    specs.UserInputError: preset: 'nope' is not a preset; allowed: explore, adult, job_text, \
digits, clusters
    """
    if name not in PRESETS:
        raise UserInputError(MSG_PRESET.format(value=str(name)[:40], allowed=", ".join(PRESETS)))
    data = PRESETS[name][1]
    return explore if data is None else RunConfig.from_dict(data)


def history_key(config_json: str, history: Sequence[Mapping[int, Any]]) -> tuple[str, str]:
    """The cache key of a seat: its config and its answers, as text.

    >>> history_key("{}", [{3: 1, 5: "simulated"}])[1]
    '[[[3, 1], [5, "simulated"]]]'
    """
    return config_json, json.dumps([sorted(h.items()) for h in history])


class SeatCache:
    """The last ``size`` seats built in this process, keyed by ``history_key``.

    Cached seats are settled (``Seat.settle``) and then only read;
    :meth:`submit` forks one, submits on the fork and caches that under its
    own key.
    """

    def __init__(self, size: int = 48) -> None:
        self._seats: OrderedDict[tuple[str, str], Seat] = OrderedDict()
        self._lock = threading.Lock()
        self.size = size

    def _put(self, key: tuple[str, str], seat: Seat) -> None:
        seat.settle()  # from here on it is only read, by any session
        with self._lock:
            self._seats[key] = seat
            self._seats.move_to_end(key)
            while len(self._seats) > self.size:
                self._seats.popitem(last=False)

    def get(self, config_json: str, history: Sequence[Mapping[int, Any]]) -> Seat:
        """The seat of ``(config, history)``: cached, or rebuilt by replaying the answers."""
        key = history_key(config_json, history)
        with self._lock:
            seat = self._seats.get(key)
            if seat is not None:
                self._seats.move_to_end(key)
                return seat
        seat = Seat(RunConfig.from_json(config_json), history)
        self._put(key, seat)
        return seat

    def from_codes(self, config_json: str, codes: str) -> list[dict[int, Any]]:
        """The answers a link's ``codes`` stand for (``Seat.from_codes``); the seat is cached.

        Raises ``UserInputError`` (one line) when the codes do not fit the run.
        """
        seat = Seat.from_codes(RunConfig.from_json(config_json), codes)
        self._put(history_key(config_json, seat.history), seat)
        return list(seat.history)

    def submit(
        self, config_json: str, history: Sequence[Mapping[int, Any]], labels: Mapping[Any, Any]
    ) -> dict[int, Any]:
        """Submit ``labels`` on the seat of ``(config, history)``; returns the checked answers.

        Raises ``UserInputError`` (one line) on bad answers; nothing changes then.
        """
        seat = self.get(config_json, history)
        checked = seat.check(labels)
        nxt = seat.fork()
        nxt.submit(checked)
        self._put(history_key(config_json, nxt.history), nxt)
        return checked

    def clear(self) -> None:
        with self._lock:
            self._seats.clear()


SEATS = SeatCache()
