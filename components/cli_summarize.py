"""``python -m components summarize DIR``: means and 95% intervals over seeds, and an HTML report."""

from __future__ import annotations

import argparse
from pathlib import Path

from components.cli import BadInput, terminal_text

MSG_NO_BUDGET = (
    "--budgets: {value!r} matches no round of any finished run; allowed: rounds from 0 to {last}"
)
MSG_OUT = "--out: cannot write to {path!r} ({reason}); allowed: a writable directory"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("summarize", help="a sweep's means and intervals over seeds, and a report")
    p.add_argument("folder", help="a sweep folder written by 'sweep'")
    p.add_argument("--budgets", help="rounds to summarise at, e.g. 10,20,30 (default: the last)")
    p.add_argument("--out", help="where to write summary.* and report.html (default: the folder)")
    p.set_defaults(func=handler)


def handler(args: argparse.Namespace) -> int:
    from components.records import safe_csv
    from components.sweep_report import write_report
    from components.sweep_summary import CELL, load_sweep, parse_budgets, summarize

    budgets = parse_budgets(args.budgets)
    sweep = load_sweep(args.folder)
    summary = summarize(sweep, budgets)
    if summary.empty:
        last = int(sweep.rounds["round"].max())
        raise BadInput(MSG_NO_BUDGET.format(value=args.budgets, last=last))
    curves = summarize(sweep, "all")
    out = Path(args.out) if args.out else sweep.folder
    try:
        out.mkdir(parents=True, exist_ok=True)
        summary.to_parquet(out / "summary.parquet", index=False)
        (out / "summary.csv").write_text(safe_csv(summary), encoding="utf-8", newline="")
        write_report(sweep, summary, curves, out / "report.html")
    except OSError as exc:
        raise BadInput(MSG_OUT.format(path=str(out), reason=exc.strerror or exc)) from None
    cells = len(summary[list(CELL)].drop_duplicates())
    budgets_done = sorted(int(r) for r in set(summary["round"]))
    print(
        terminal_text(
            f"{sweep.n_runs} runs, {cells} cells, rounds {budgets_done}: "
            f"wrote {out}/summary.csv, summary.parquet, report.html"
        )
    )
    return 0
