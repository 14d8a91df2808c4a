"""Run a grid of ``RunConfig`` s through joblib (loky or Dask) into a resumable folder.

Layout of a sweep folder ``DIR``::

    DIR/sweep.json              the grid: every run's key and config, and the budgets
    DIR/runs/<key>/config.json  a finished run's resolved config (replays with ``run --config``)
    DIR/runs/<key>/{rounds,groups,queries}.parquet   its records
    DIR/failed/<key>.json       a run that failed: its config and the one-line error
    DIR/{rounds,groups,queries}.parquet   every finished run, one tidy table per record kind

A run's key is the SHA-256 of its canonical config (:func:`components.sweep_grid.run_key`).
Workers compute and encode: each returns its records as parquet bytes to
this process, which writes the run's folder under a temporary name and
renames it into place, so a run is written once and whole. A rerun skips
every run whose folder exists and retries the failed ones. Results do not
depend on the backend or the number of workers: each run draws from its own
seed only.
"""

from __future__ import annotations

import io
import json
import math
import os
import shutil
import socket
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from components.config import RunConfig
from components.sweep_grid import Grid, canonical
from specs import UserInputError

BACKENDS = ("loky", "dask")
KINDS = ("rounds", "groups", "queries")
RUNS, FAILED, PLAN = "runs", "failed", "sweep.json"
SCENARIO_JOIN = " | "
NO_SCENARIO = "none"
#: How long ``--scheduler`` may take to answer.
CONNECT_TIMEOUT = "15s"

MSG_BACKEND = "--backend: {value!r} is not a backend; allowed: {allowed}"
MSG_SCHEDULER = (
    "--scheduler: cannot reach {address!r} ({reason}); "
    "allowed: the address of a running Dask scheduler, e.g. tcp://10.0.0.5:8786"
)
MSG_SCHEDULER_BACKEND = "--scheduler: goes only with --backend dask; allowed: --backend dask"
MSG_OUT = "--out: cannot write to {path!r} ({reason}); allowed: a writable directory"


@dataclass
class SweepOutcome:
    """What one call of :func:`run_sweep` did."""

    total: int
    skipped: int
    ran: int = 0
    failed: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    #: CPU seconds of this process, and of each worker process (``host:pid``) on its runs.
    cpu_seconds: float = 0.0
    worker_cpu: dict[str, float] = field(default_factory=dict)

    @property
    def finished(self) -> int:
        return self.total - len(self.failed)


# -- one run, in a worker --------------------------------------------------------
def run_one(config: dict[str, Any]) -> dict[str, Any]:
    """Run one config to its budget; the records, or the one-line error.

    Runs in a worker process: BLAS is pinned to one thread, since the workers
    already use every core.
    """
    from components.engine import Simulation, one_blas_thread

    try:
        with one_blas_thread():
            result = Simulation(RunConfig.from_dict(config)).run()
    except UserInputError as exc:
        return {"error": " ".join(str(exc).split())}
    except Exception as exc:  # noqa: BLE001 -- recorded, and the sweep goes on
        return {"error": " ".join(f"{type(exc).__name__}: {exc}".split())}
    return {"config": result.config.to_json(), **result.frames()}


# -- columns that describe a run ------------------------------------------------------
def main_param(name: str) -> str | None:
    """A scenario's strength parameter: its first numeric one other than the group.

    >>> main_param("label_bias"), main_param("none")
    ('flip', None)
    """
    from components.scenarios import SCENARIOS

    for p in SCENARIOS[name].params:
        if p.kind in ("int", "float") and p.name != "group":
            return p.name
    return None


def describe(config: RunConfig) -> dict[str, Any]:
    """The config as flat table columns, plus ``scenario``, ``strength`` and ``strategy_name``.

    ``scenario`` is the scenario's name (``none`` without one; names joined by
    ``+`` when several compose) and ``strength`` the value of its main
    parameter (NaN without one, or for several).

    >>> d = describe(RunConfig.from_dict({"scenarios": ["label_bias:flip=0.4"]}))
    >>> d["scenario"], d["strength"], d["strategy_name"]
    ('label_bias', 0.4, 'least_confidence')
    """
    canon = canonical(config)
    active = [s for s in canon.scenarios if s.name != NO_SCENARIO]
    strength = math.nan
    if len(active) == 1:
        param = main_param(active[0].name)
        if param is not None:
            strength = float(active[0].get(param))
    return {
        "dataset": str(config.dataset),
        "scenarios": SCENARIO_JOIN.join(str(s) for s in config.scenarios),
        "scenario": "+".join(s.name for s in active) or NO_SCENARIO,
        "strength": strength,
        "strategy": str(config.strategy),
        "strategy_name": config.strategy.name,
        "model": config.model,
        "use_group_feature": config.use_group_feature,
        "seed": config.seed,
        "initial_size": config.initial_size,
        "batch_size": config.batch_size,
        "rounds": config.rounds,
        "test_size": config.test_size,
    }


#: Columns that :func:`describe` adds to every table, in order.
CONFIG_COLUMNS = tuple(describe(RunConfig()))


# -- files ---------------------------------------------------------------------------
def _atomic_write(path: Path, write: Any) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{uuid.uuid4().hex}")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def _write_json(path: Path, data: Any) -> None:
    _atomic_write(path, lambda p: p.write_text(json.dumps(data, indent=2) + "\n", "utf-8"))


def _save_run(out: Path, key: str, payload: dict[str, Any]) -> None:
    """Write a finished run's folder under a temporary name, then rename it into place."""
    final = out / RUNS / key
    tmp = out / RUNS / f".tmp-{key}-{uuid.uuid4().hex}"
    tmp.mkdir(parents=True)
    try:
        (tmp / "config.json").write_text(payload["config"] + "\n", encoding="utf-8")
        for kind in KINDS:
            (tmp / f"{kind}.parquet").write_bytes(payload[kind])
        try:
            os.replace(tmp, final)
        except OSError:
            if not final.is_dir():  # another writer finishing the same run first is fine
                raise
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
    failed = out / FAILED / f"{key}.json"
    if failed.exists():
        failed.unlink()


def _save_failure(out: Path, key: str, config: RunConfig, error: str) -> None:
    (out / FAILED).mkdir(parents=True, exist_ok=True)
    _write_json(out / FAILED / f"{key}.json", {"config": config.to_dict(), "error": error})


def is_finished(out: str | Path, key: str) -> bool:
    return (Path(out) / RUNS / key / "config.json").is_file()


# -- backends ------------------------------------------------------------------------------
@contextmanager
def backend_context(backend: str, *, jobs: int, scheduler: str | None) -> Iterator[int]:
    """joblib's backend for the sweep; yields the ``n_jobs`` to pass to ``Parallel``."""
    import joblib

    if backend == "loky":
        with joblib.parallel_config(backend="loky", n_jobs=jobs):
            yield jobs
        return
    from dask.distributed import Client, LocalCluster

    cluster = None
    if scheduler is None:
        cluster = LocalCluster(
            n_workers=jobs, threads_per_worker=1, processes=True, dashboard_address=None
        )
        client = Client(cluster)
    else:
        try:
            client = Client(scheduler, timeout=CONNECT_TIMEOUT)
        except (OSError, TimeoutError, ValueError) as exc:
            reason = " ".join(str(exc).split()) or type(exc).__name__
            raise UserInputError(MSG_SCHEDULER.format(address=scheduler, reason=reason)) from None
    try:
        with joblib.parallel_config(backend="dask"):
            yield -1
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


# -- the sweep ----------------------------------------------------------------------------
def run_sweep(
    grid: Grid,
    out: str | Path,
    *,
    jobs: int = 1,
    backend: str = "loky",
    scheduler: str | None = None,
    quiet: bool = False,
) -> SweepOutcome:
    """Run every unfinished run of ``grid`` into ``out``, then write the tables.

    ``jobs`` workers with ``loky``; with ``dask``, a ``LocalCluster`` of
    ``jobs`` single-threaded worker processes, or the cluster at ``scheduler``.
    """
    from joblib import Parallel, delayed
    from tqdm import tqdm

    if backend not in BACKENDS:
        raise UserInputError(MSG_BACKEND.format(value=backend, allowed=", ".join(BACKENDS)))
    if scheduler is not None and backend != "dask":
        raise UserInputError(MSG_SCHEDULER_BACKEND)
    out = Path(out)
    started, cpu_started = time.perf_counter(), time.process_time()
    try:
        (out / RUNS).mkdir(parents=True, exist_ok=True)
        _write_json(
            out / PLAN,
            {
                "runs": [
                    {"key": k, "config": c.to_dict()}
                    for k, c in zip(grid.keys, grid.configs, strict=True)
                ],
                "budgets": list(grid.budgets),
            },
        )
    except OSError as exc:
        raise UserInputError(MSG_OUT.format(path=str(out), reason=exc.strerror or exc)) from None
    todo = [(k, c) for k, c in zip(grid.keys, grid.configs, strict=True) if not is_finished(out, k)]
    outcome = SweepOutcome(total=len(grid), skipped=len(grid) - len(todo))
    by_key = dict(todo)
    show = not quiet and sys.stderr.isatty()
    bar = tqdm(total=len(todo), desc="runs", unit="run", disable=not show, file=sys.stderr)
    if todo:
        with backend_context(backend, jobs=jobs, scheduler=scheduler) as n_jobs:
            tasks = (delayed(_keyed)(k, c.to_dict(), describe(c)) for k, c in todo)
            results = Parallel(n_jobs=n_jobs, return_as="generator_unordered")(tasks)
            for key, payload in results:
                worker = payload["worker"]
                outcome.worker_cpu[worker] = (
                    outcome.worker_cpu.get(worker, 0.0) + payload["cpu_seconds"]
                )
                if "error" in payload:
                    outcome.failed[key] = payload["error"]
                    _save_failure(out, key, by_key[key], payload["error"])
                else:
                    _save_run(out, key, payload)
                outcome.ran += 1
                bar.update(1)
                bar.set_postfix(failed=len(outcome.failed), refresh=False)
    bar.close()
    write_tables(out, grid)
    outcome.seconds = time.perf_counter() - started
    outcome.cpu_seconds = time.process_time() - cpu_started
    return outcome


def _keyed(key: str, config: dict[str, Any], columns: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """One task: run ``config`` and encode its records as parquet, in the worker.

    Each table starts with ``run_id`` and :data:`CONFIG_COLUMNS`, so the sweep's
    tables are the concatenation of the runs' tables.
    """
    started = time.process_time()
    payload = run_one(config)
    payload["worker"] = f"{socket.gethostname()}:{os.getpid()}"
    if "error" in payload:
        payload["cpu_seconds"] = time.process_time() - started
        return key, payload
    front = {"run_id": key, **columns}
    for kind in KINDS:
        frame = payload[kind]
        head = pd.DataFrame({c: [v] * len(frame) for c, v in front.items()})
        buffer = io.BytesIO()
        pd.concat([head, frame.reset_index(drop=True)], axis=1).to_parquet(buffer, index=False)
        payload[kind] = buffer.getvalue()
    payload["cpu_seconds"] = time.process_time() - started
    return key, payload


def write_tables(out: str | Path, grid: Grid) -> dict[str, int]:
    """``DIR/<kind>.parquet``: every finished run of ``grid``, in grid order; rows per kind.

    Each table holds ``run_id`` (the run's key) and :data:`CONFIG_COLUMNS`
    before the record columns. Without a finished run the tables are removed.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    out = Path(out)
    done = [key for key in grid.keys if is_finished(out, key)]
    rows = {}
    for kind in KINDS:
        path = out / f"{kind}.parquet"
        if not done:
            path.unlink(missing_ok=True)
            rows[kind] = 0
            continue
        parts = [
            pq.read_table(out / RUNS / key / f"{kind}.parquet", use_threads=False) for key in done
        ]
        table = pa.concat_tables(parts, promote_options="permissive")
        _atomic_write(path, lambda p, t=table: pq.write_table(t, p))
        rows[kind] = table.num_rows
    return rows


def failures(out: str | Path) -> dict[str, str]:
    """The failed runs recorded in ``out``: key -> one-line error."""
    folder = Path(out) / FAILED
    found = {}
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else ():
        found[path.stem] = json.loads(path.read_text(encoding="utf-8"))["error"]
    return found
