"""``python -m components brief --config DIR --out brief.html``: a run's one-page HTML brief.

``--config`` names a run directory written by ``python -m components run
--out DIR`` or a ``config.json``. When the directory (or the file's
directory) holds the run's records (``rounds.csv`` and ``groups.csv``), the
brief reads them; otherwise it reruns the config, which gives the same
records (a run is deterministic).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from components.cli import BadInput, _read_config, terminal_text

MSG_ROUND = "--round: {value!r} is not a whole number; allowed: a round of the run, e.g. 0"
MSG_RECORDS = (
    "--config: cannot read the records in {path!r} ({reason}); "
    "allowed: a directory written by 'python -m components run --out DIR'"
)
MSG_OUT_FILE = "--out: cannot write {path!r} ({reason}); allowed: a file path in a writable folder"
MSG_URL = "--replay-url: {value!r} is not a web address; allowed: an http:// or https:// URL"
RECORDS = ("rounds.csv", "groups.csv")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("brief", help="write a one-page HTML brief of a run for decision-makers")
    p.add_argument(
        "--config", required=True, help="a run directory (from run --out) or its config.json"
    )
    p.add_argument("--out", required=True, help="the HTML file to write")
    p.add_argument("--round", help="the round to describe (default: the last)")
    p.add_argument("--replay-url", dest="replay_url", help="an http(s) link that replays the run")
    p.set_defaults(func=handler)


def parse_round(value: str | None) -> int | None:
    """``--round`` as an int (None when not given); else ``MSG_ROUND``.

    >>> parse_round("3"), parse_round(None)
    (3, None)
    """
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        raise BadInput(MSG_ROUND.format(value=value)) from None


def records_dir(arg: str) -> Path | None:
    """The directory holding the run's records for ``--config``, or None when there are none."""
    path = Path(arg)
    if not path.is_dir() and path.name != "config.json":
        return None  # a config of its own, not the one written beside the records
    folder = path if path.is_dir() else path.parent
    return folder if all((folder / name).is_file() for name in RECORDS) else None


def read_records(folder: Path) -> dict[str, Any]:
    """``rounds`` and ``groups`` frames from ``folder``, checked for the columns the brief reads."""
    import pandas as pd

    from components.records import GROUP_COLUMNS, ROUND_COLUMNS

    frames: dict[str, Any] = {}
    needed = {"rounds.csv": ROUND_COLUMNS, "groups.csv": GROUP_COLUMNS}
    for name, columns in needed.items():
        try:
            frame = pd.read_csv(
                folder / name, dtype={"group": str} if name == "groups.csv" else None
            )
        except (OSError, ValueError, pd.errors.ParserError) as exc:
            reason = f"{name}: {' '.join(str(exc).split())[:120]}"
            raise BadInput(MSG_RECORDS.format(path=str(folder), reason=reason)) from None
        missing = [c for c in columns if c not in frame.columns and not c.endswith("_seconds")]
        if missing:
            reason = f"{name} lacks column {missing[0]!r}"
            raise BadInput(MSG_RECORDS.format(path=str(folder), reason=reason))
        if frame.empty:
            raise BadInput(MSG_RECORDS.format(path=str(folder), reason=f"{name} has no rows"))
        frames[name.removesuffix(".csv")] = frame
    return frames


def handler(args: argparse.Namespace) -> int:
    from components.brief import brief_html, check_url
    from components.config import RunConfig
    from specs import UserInputError

    config = RunConfig.from_json(_read_config(args.config))
    r = parse_round(args.round)
    try:
        url = check_url(args.replay_url)
    except UserInputError:
        raise BadInput(MSG_URL.format(value=args.replay_url)) from None
    folder = records_dir(args.config)
    dataset = None
    if folder is not None:
        frames = read_records(folder)
        source = f"the records in {folder}"
    else:
        from components.engine import Simulation

        sim = Simulation(config)
        while not sim.done:
            sim.step()
        result = sim.result()
        config, frames, dataset = result.config, result.frames(), sim.dataset
        source = "a rerun of the config"
    try:
        html = brief_html(config, frames, round=r, replay_url=url, dataset=dataset)
    except UserInputError as exc:
        message = str(exc)
        raise BadInput("--" + message if message.startswith("round:") else message) from None
    out = Path(args.out)
    try:
        out.write_text(html, encoding="utf-8")
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise BadInput(MSG_OUT_FILE.format(path=str(out), reason=reason)) from None
    print(terminal_text(f"wrote {out} ({len(html):,} characters) from {source}"))
    return 0
