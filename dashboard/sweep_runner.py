"""Small sweeps started from the app: a bounded grid, run by the server in the background.

A visitor's grid is small by construction (:data:`LIMITS`) and its whole
estimated cost must fit the server's run budget (``components.cost``). The
sweep runs in one background thread owned by the server process, not by the
visitor's session, so a page reload (a new session) finds it still running and
reads its progress. Runs go one at a time, each through the server's
simulation slots (it waits its turn like a visitor's run), and each finished
run is written atomically into the sweep's folder in the core's layout
(``components.sweep``), so the folder is resumable from the command line too.
Cancel stops the sweep between runs; the tables then hold the runs that
finished. At most one sweep runs per server.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path

from components import sweep as core
from components.budget import check_total_budget
from components.config import RunConfig
from components.sweep_grid import Grid, parse_grid
from specs import UserInputError

_log = logging.getLogger(__name__)

#: The most of each axis a visitor's grid may have.
LIMITS = {"strategies": 4, "strengths": 4, "seeds": 5, "rounds": 30}

MSG_BUSY = (
    "sweep: {name!r} is already running on this server ({done} of {total} runs done); "
    "allowed: one sweep at a time; wait for it to finish or cancel it"
)
MSG_LIMIT = "sweep {field}: {n} chosen; allowed: 1 to {most}"
MSG_EXISTS = (
    "sweep name: {name!r} already holds a different grid; allowed: a new name, "
    "or the same grid to resume it"
)


@dataclass(frozen=True)
class SmallGrid:
    """What the page's grid editor holds; ``toml()`` is the grid file it stands for.

    >>> g = SmallGrid("two_groups:n_samples=400", "label_bias", "flip", (0.2,), True,
    ...               ("random", "bald"), 2, 4)
    >>> len(g.grid())
    8
    """

    dataset: str
    scenario: str
    param: str | None
    strengths: tuple[float | int, ...]
    baseline: bool
    strategies: tuple[str, ...]
    seeds: int
    rounds: int

    def check(self) -> None:
        for name, n, most in (
            ("strategies", len(self.strategies), LIMITS["strategies"]),
            ("seeds", self.seeds, LIMITS["seeds"]),
            ("rounds", self.rounds, LIMITS["rounds"]),
        ):
            if not 1 <= n <= most:
                raise UserInputError(MSG_LIMIT.format(field=name, n=n, most=most))
        if len(self.strengths) > LIMITS["strengths"]:
            raise UserInputError(
                MSG_LIMIT.format(field="strengths", n=len(self.strengths), most=LIMITS["strengths"])
            )
        if not self.baseline and not (self.scenario != "none" and self.strengths):
            raise UserInputError(
                "sweep conditions: none chosen; allowed: no bias, a scenario with 1 to "
                f"{LIMITS['strengths']} strengths, or both"
            )

    def toml(self) -> str:
        """The grid as a grid file (``python -m components sweep --grid``)."""
        self.check()
        conditions = ["[]"] if self.baseline else []
        if self.scenario != "none" and self.strengths:
            if self.param is None:
                conditions.append(f'["{self.scenario}"]')
            else:
                values = ", ".join(repr(v) for v in self.strengths)
                conditions.append(
                    f'[{{ name = "{self.scenario}", params = {{ {self.param} = [{values}] }} }}]'
                )
        strategies = ", ".join(f'"{s}"' for s in self.strategies)
        seeds = ", ".join(str(k) for k in range(self.seeds))
        return (
            f'dataset = ["{self.dataset}"]\n'
            f"scenarios = [{', '.join(conditions)}]\n"
            f"strategy = [{strategies}]\n"
            f"seed = [{seeds}]\n"
            f"rounds = [{self.rounds}]\n"
        )

    def grid(self) -> Grid:
        return parse_grid(self.toml(), name="sweep grid")


def check_cost(grid: Grid, budget_seconds: float) -> None:
    """Refuse a grid whose runs together are estimated above ``budget_seconds``."""
    from datasets.base import load

    by_dataset: dict[str, list[RunConfig]] = {}
    for config in grid.configs:
        by_dataset.setdefault(str(config.dataset), []).append(config)
    total: list[RunConfig] = []
    shape = None
    for configs in by_dataset.values():
        ds = load(configs[0].dataset)
        shape = (ds.n_samples, int(ds.X.shape[1]), len(ds.groups))
        total.extend(configs)
    assert shape is not None
    check_total_budget(total, shape[0], budget_seconds, n_features=shape[1], n_groups=shape[2])


@dataclass
class Job:
    """One background sweep: its folder, its grid and where it stands."""

    name: str
    folder: Path
    grid: Grid
    done: int = 0
    failed: int = 0
    state: str = "running"  # running, finished, cancelled, error
    error: str = ""
    cancel: threading.Event = field(default_factory=threading.Event)

    @property
    def total(self) -> int:
        return len(self.grid)

    @property
    def running(self) -> bool:
        return self.state == "running"


def _plan(grid: Grid) -> dict:
    return {
        "runs": [
            {"key": k, "config": c.to_dict()} for k, c in zip(grid.keys, grid.configs, strict=True)
        ],
        "budgets": list(grid.budgets),
    }


class SweepRunner:
    """The server's one background sweep at a time (shared by every session)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._jobs: dict[str, Job] = {}
        self._thread: threading.Thread | None = None

    def current(self) -> Job | None:
        """The sweep running now, if any."""
        with self._lock:
            return next((j for j in self._jobs.values() if j.running), None)

    def job(self, name: str) -> Job | None:
        """The last sweep of that name started on this server since it started."""
        with self._lock:
            return self._jobs.get(name)

    def start(self, name: str, folder: Path, grid: Grid) -> Job:
        """Start ``grid`` into ``folder`` in the background; refuse if a sweep is running."""
        plan = folder / core.PLAN
        if plan.is_file():
            import json

            old = [r["key"] for r in json.loads(plan.read_text("utf-8")).get("runs", [])]
            if not set(old) <= set(grid.keys):  # a plan cut short by a stop may resume
                raise UserInputError(MSG_EXISTS.format(name=name))
        with self._lock:
            busy = next((j for j in self._jobs.values() if j.running), None)
            if busy is not None:
                raise UserInputError(
                    MSG_BUSY.format(name=busy.name, done=busy.done, total=busy.total)
                )
            job = Job(name, folder, grid)
            (folder / core.RUNS).mkdir(parents=True, exist_ok=True)
            write_plan(folder, grid)  # listed at once, by every session
            self._jobs[name] = job
            self._thread = threading.Thread(
                target=self._work, args=(job,), name=f"sweep-{name}", daemon=True
            )
            self._thread.start()
        return job

    def cancel(self, name: str) -> bool:
        """Ask the sweep ``name`` to stop after the run in progress; True if it was running."""
        job = self.job(name)
        if job is None or not job.running:
            return False
        job.cancel.set()
        return True

    def wait(self, timeout: float | None = None) -> None:
        """Wait for the background thread (tests and shutdown)."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def _work(self, job: Job) -> None:
        """Run the grid one run at a time through the core's ``run_sweep``.

        Each call gets the runs finished so far plus the next one, so it runs
        just that one (finished runs are skipped, earlier failures not
        retried) and leaves the folder's plan and tables describing the runs
        so far. At the end the plan names the whole grid, as the command line's.
        """
        from dashboard.cache import TRACES

        out, grid = job.folder, job.grid
        keys: list[str] = []
        configs: list[RunConfig] = []
        try:
            for key, config in zip(grid.keys, grid.configs, strict=True):
                if job.cancel.is_set():
                    break
                if not core.is_finished(out, key):
                    step = Grid((*configs, config), (*keys, key), grid.budgets)
                    with TRACES.slots.slot():
                        outcome = core.run_sweep(step, out, jobs=1, quiet=True)
                    job.failed += len(outcome.failed)
                if core.is_finished(out, key):
                    keys.append(key)
                    configs.append(config)
                job.done += 1
            write_plan(out, grid)
            core.write_tables(out, grid)
            job.state = "cancelled" if job.done < job.total else "finished"
        except Exception as exc:  # noqa: BLE001 -- said on the page, logged for the host
            _log.error("sweep %s failed", job.name, exc_info=exc)
            job.error = " ".join(f"{type(exc).__name__}: {exc}".split())
            job.state = "error"


def write_plan(out: Path, grid: Grid) -> None:
    """``DIR/sweep.json`` naming every run of ``grid`` (the layout of docs/sweeps.md), atomically."""
    import json
    import os

    path = out / core.PLAN
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}-{threading.get_ident()}")
    tmp.write_text(json.dumps(_plan(grid), indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)


#: The one runner of this server process.
RUNNER = SweepRunner()
