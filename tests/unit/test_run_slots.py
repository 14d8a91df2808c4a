"""At most N simulations at once, a visible place in line, and a left session's run stops."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest

from components.config import RunConfig
from dashboard.cache import RunSlots, TraceCache
from dashboard.hosting import Hosting, read_settings
from specs import Spec

SMALL = RunConfig.from_dict(
    {"dataset": "two_groups:n_samples=400", "strategy": "random", "rounds": 6}
).resolve()


class Gone(Exception):
    """What Streamlit raises in a script thread whose session has closed."""


def test_no_more_than_the_limit_run_together_and_waiters_see_their_place():
    slots = RunSlots(2)
    peak, lock, places = [0], threading.Lock(), []
    release = threading.Event()

    def job(i: int) -> None:
        with slots.slot(lambda ahead: places.append((i, ahead)), poll=0.01):
            with lock:
                peak[0] = max(peak[0], slots.active)
            release.wait(5)

    threads = [threading.Thread(target=job, args=(i,)) for i in range(5)]
    for t in threads:
        t.start()
        time.sleep(0.05)
    assert slots.active == 2 and slots.waiting == 3
    release.set()
    for t in threads:
        t.join(10)
    assert peak[0] == 2 and slots.active == 0 and slots.waiting == 0
    # the fifth caller was told about the four ahead of it (two running, two waiting)
    assert (4, 3) in places or (4, 4) in places, places


def test_a_waiter_whose_session_left_leaves_the_line():
    slots = RunSlots(1)
    hold = threading.Event()

    def holder() -> None:
        with slots.slot():
            hold.wait(5)

    t = threading.Thread(target=holder)
    t.start()
    time.sleep(0.05)

    def gone(ahead: int) -> None:
        raise Gone

    with pytest.raises(Gone):
        with slots.slot(gone, poll=0.01):
            pass
    assert slots.waiting == 0
    hold.set()
    t.join(5)
    with slots.slot():
        assert slots.active == 1


def test_a_run_whose_session_left_stops_frees_its_slot_and_caches_nothing():
    cache = TraceCache(slots=RunSlots(1))
    rounds_seen = []

    def progress(done: int, total: int) -> None:
        rounds_seen.append(done)
        if done >= 2:
            raise Gone

    with pytest.raises(Gone):
        cache.get_or_compute(SMALL, progress=progress)
    assert max(rounds_seen) == 2 < SMALL.rounds  # stopped, not run to the end
    assert len(cache) == 0 and cache.slots.active == 0
    trace = cache.get_or_compute(SMALL)  # the next visitor computes it whole
    assert len(cache) == 1 and trace.config == SMALL


def test_a_link_to_a_local_file_is_refused_by_the_cache_itself():
    cache = TraceCache(slots=RunSlots(1))
    bad = replace(SMALL, dataset=Spec.parse("csv:path=/etc/passwd,label=a,group=b"))
    with pytest.raises(ValueError, match="reads local files"):
        cache.get_or_compute(bad)


def test_host_settings_come_from_the_file_then_the_environment(tmp_path: Path):
    f = tmp_path / "hosting.toml"
    f.write_text("run_budget_seconds = 300\nmax_simulations = 3\n")
    assert read_settings(f, {}) == Hosting(run_budget_seconds=300.0, max_simulations=3)
    assert read_settings(f, {"WGL_MAX_SIMULATIONS": "1"}).max_simulations == 1
    assert read_settings(tmp_path / "none.toml", {}) == Hosting()


@pytest.mark.parametrize(
    ("text", "env", "said"),
    [
        ("max_simulations = 0\n", {}, "max_simulations=0 is not a whole number"),
        ("", {"WGL_RUN_BUDGET_SECONDS": "-5"}, "WGL_RUN_BUDGET_SECONDS: run_budget_seconds='-5'"),
        ("", {"WGL_RUN_BUDGET_SECONDS": "lots"}, "allowed: a number above 0"),
        ("max_simulations = [\n", {}, "not valid TOML"),
    ],
)
def test_bad_host_settings_say_which_and_what_is_allowed(tmp_path, text, env, said):
    f = tmp_path / "hosting.toml"
    f.write_text(text)
    with pytest.raises(ValueError, match=None) as e:
        read_settings(f, env)
    assert said in str(e.value)


def test_a_run_over_the_budget_is_refused_before_it_starts():
    cache = TraceCache(slots=RunSlots(1), budget_seconds=1e-6)
    started = []
    with pytest.raises(ValueError, match="above this server's budget") as e:
        cache.get_or_compute(SMALL, progress=lambda d, t: started.append(d))
    assert not started and len(cache) == 0
    assert "rounds" in str(e.value)


def test_many_runs_together_are_held_to_one_budget():
    one = TraceCache(slots=RunSlots(1)).budget_seconds
    cache = TraceCache(slots=RunSlots(1), budget_seconds=one)
    configs = [SMALL.with_changes(seed=s, rounds=6) for s in range(3)]
    cache.check_budget(*configs)  # small runs: fine together
    tight = TraceCache(slots=RunSlots(1), budget_seconds=1e-3)
    with pytest.raises(ValueError, match="3 runs together are estimated at"):
        tight.check_budget(*configs)
    assert len(tight) == 0
