"""``python -m components sweep --grid FILE.toml --out DIR``: run a grid, resumably, in parallel."""

from __future__ import annotations

import argparse
import sys

from components.cli import BadInput, terminal_text

MSG_JOBS = "--jobs: {value!r} is not a whole number of workers; allowed: an integer in [1, 256]"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("sweep", help="run a grid of configs (strategies x scenarios x seeds ...)")
    p.add_argument("--grid", required=True, help="TOML file: RunConfig fields, each a list")
    p.add_argument("--out", required=True, help="sweep folder (a rerun resumes it)")
    p.add_argument("--jobs", default="2", help="workers (loky) or LocalCluster workers (dask)")
    p.add_argument("--backend", default="loky", help="loky (this machine) or dask")
    p.add_argument("--scheduler", help="with --backend dask: address of a running scheduler")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=handler)


def parse_jobs(value: str) -> int:
    try:
        jobs = int(value)
    except ValueError:
        raise BadInput(MSG_JOBS.format(value=value)) from None
    if not 1 <= jobs <= 256:
        raise BadInput(MSG_JOBS.format(value=value))
    return jobs


def handler(args: argparse.Namespace) -> int:
    from components.sweep import run_sweep
    from components.sweep_grid import read_grid

    jobs = parse_jobs(args.jobs)
    grid = read_grid(args.grid)
    outcome = run_sweep(
        grid,
        args.out,
        jobs=jobs,
        backend=args.backend,
        scheduler=args.scheduler,
        quiet=args.quiet,
    )
    print(
        terminal_text(
            f"{outcome.total} runs: {outcome.skipped} already finished, {outcome.ran} run now, "
            f"{len(outcome.failed)} failed, in {outcome.seconds:.1f} s; tables in {args.out}"
        )
    )
    for key, error in outcome.failed.items():
        print(terminal_text(f"failed {key[:12]}: {error}"), file=sys.stderr)
    return 0
