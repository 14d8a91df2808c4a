"""Command line: ``python -m components list``, ``run ...`` and one verb per ``cli_<verb>.py``.

Bad input exits with code 2 and one line on stderr naming the field, the
value and what is allowed. Never a traceback. Files are read by
:func:`datasets.upload_read.read_bounded` (regular files, bounded size), and
text from a user's file reaches the terminal only through
:func:`terminal_text`.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from specs import Entry, Registry, UserInputError

EXIT_BAD_INPUT = 2
EXIT_BUG = 1
MSG_CONFIG_FILE = (
    "--config: cannot read {path!r} ({reason}); allowed: a config.json written by a run"
)
MSG_OUT = "--out: cannot write to {path!r} ({reason}); allowed: a writable directory"
MSG_CSV_WITH_DATASET = "--csv: cannot be combined with --dataset; allowed: one of the two"
MSG_CSV_ONLY = (
    "{flag}: goes only with --csv; allowed: --csv FILE --label COLUMN --group COLUMN[,COLUMN]"
)
MSG_CSV_NEEDS = "{flag}: is required with --csv; allowed: a column name of {path!r}"
MSG_CSV_FILE = "--csv: cannot read {path!r} ({reason}); allowed: a readable CSV file"
REASON_NOT_UTF8 = "not UTF-8 text"

# C0 and C1 controls, DEL, and the bidirectional overrides that reorder a line.
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def terminal_text(text: str) -> str:
    r"""``text`` with every control character written as an escape, safe to print.

    Column names and values from a user's file reach messages; an ANSI escape
    among them would recolour, retitle or rewrite the terminal. Newlines are
    escaped too: call this per line.

    >>> terminal_text("sex\x1b]0;title\x07 (\x9b2J)")
    'sex\\x1b]0;title\\x07 (\\x9b2J)'
    """
    return _UNSAFE.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match[0])
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


class BadInput(Exception):
    """Raised for input errors; turned into one line on stderr and exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, no usage block
        raise BadInput(f"{self.prog}: {message}")


def _registries() -> list[tuple[str, Registry]]:
    import datasets.base as dsb
    from components.learners import LEARNERS
    from components.scenarios import SCENARIOS
    from components.strategies import STRATEGIES

    dsb._ensure_loaders()
    return [
        ("datasets", dsb.DATASETS),
        ("scenarios", SCENARIOS),
        ("strategies", STRATEGIES),
        ("models", LEARNERS),
    ]


def _entry_json(entry: Entry) -> dict[str, Any]:
    return {
        "name": entry.name,
        "description": entry.description,
        "citation": entry.citation,
        "params": [
            {
                "name": p.name,
                "type": p.kind,
                "default": p.default,
                "allowed": p.bounds(),
                "help": p.help,
            }
            for p in entry.params
        ],
    }


def cmd_list(args: argparse.Namespace) -> int:
    regs = _registries()
    if args.json:
        print(json.dumps({k: [_entry_json(e) for e in r.values()] for k, r in regs}, indent=2))
        return 0
    for kind, reg in regs:
        print(kind.upper())
        for entry in reg.values():
            print(f"  {entry.name:<20} {entry.description}")
            for p in entry.params:
                default = (
                    "(smallest group)"
                    if kind == "scenarios" and p.name == "group" and p.default is None
                    else p.default
                )
                setting = f"{p.name}={default}"
                print(f"      {setting:<26} {p.bounds():<30} {p.help}")
        print()
    return 0


def _csv_dataset(args: argparse.Namespace) -> Any:
    """The ``csv`` dataset spec of ``--csv FILE --label ... --group ...``, or None.

    The spec carries the file's absolute path and SHA-256, so ``config.json``
    replays only the same file. Names are split at ``,`` (and groups at
    ``+`` too); names containing ``,`` or ``=`` cannot be given here.
    """
    from datasets.upload import UploadSpec, csv_spec, read_file, sha256_hex

    flags = {
        "--label": args.label,
        "--group": args.group,
        "--positive": args.positive,
        "--features": args.features,
    }
    if args.csv is None:
        given = [flag for flag, value in flags.items() if value is not None]
        if given:
            raise BadInput(MSG_CSV_ONLY.format(flag=given[0]))
        return None
    if args.dataset is not None:
        raise BadInput(MSG_CSV_WITH_DATASET)
    for flag in ("--label", "--group"):
        if not (flags[flag] or "").strip():
            raise BadInput(MSG_CSV_NEEDS.format(flag=flag, path=args.csv))
    data = read_file(args.csv, message=MSG_CSV_FILE)
    path = Path(args.csv).expanduser()
    groups = tuple(g for part in args.group.split(",") for g in part.split("+"))
    features = None if args.features is None else tuple(args.features.split(","))
    spec = UploadSpec(args.label, groups, args.positive, features)
    return csv_spec(path.resolve(), spec, sha256=sha256_hex(data))


def _read_config(arg: str) -> str:
    """The text of ``--config``: a ``config.json``, or a run directory holding one."""
    from components.config import MAX_CONFIG_BYTES
    from datasets.upload_read import FileRefused, read_bounded

    path = Path(arg)
    if path.is_dir():
        path = path / "config.json"
    try:
        return read_bounded(path, limit=MAX_CONFIG_BYTES).decode("utf-8")
    except FileRefused as exc:
        reason = exc.reason
    except UnicodeDecodeError:
        reason = REASON_NOT_UTF8
    raise BadInput(MSG_CONFIG_FILE.format(path=str(path), reason=reason))


def _config_from_args(args: argparse.Namespace) -> Any:
    from components.config import RunConfig

    data: dict[str, Any] = {}
    if args.config:
        data = RunConfig.from_json(_read_config(args.config)).to_dict()
    overrides = {
        "dataset": args.dataset,
        "strategy": args.strategy,
        "model": args.model,
        "seed": args.seed,
        "initial_size": args.initial,
        "batch_size": args.batch_size,
        "rounds": args.rounds,
        "test_size": args.test_size,
    }
    data.update({k: v for k, v in overrides.items() if v is not None})
    csv_dataset = _csv_dataset(args)
    if csv_dataset is not None:
        data["dataset"] = csv_dataset
    if args.scenario is not None:
        data["scenarios"] = args.scenario
    if args.use_group_feature:
        data["use_group_feature"] = True
    return RunConfig.from_dict(data)


def cmd_run(args: argparse.Namespace) -> int:
    from components.engine import Simulation
    from components.records import write_run

    config = _config_from_args(args)
    sim = Simulation(config)
    while not sim.done:
        rec = sim.step()
        if args.verbose:
            print(
                f"round {rec.round:>4}  labelled {rec.n_labeled:>6}  "
                f"accuracy {rec.overall['accuracy']:.3f}  "
                f"worst group {rec.overall['worst_group_accuracy']:.3f}",
                file=sys.stderr,
            )
    result = sim.result()
    if args.out:
        try:
            out = write_run(result, args.out)
        except OSError as exc:
            raise BadInput(MSG_OUT.format(path=args.out, reason=exc.strerror or exc)) from None
        print(terminal_text(f"wrote {out}/{{config.json,rounds.csv,groups.csv,queries.csv}}"))
    frames = result.frames()
    last = frames["groups"][frames["groups"]["round"] == result.records[-1].round]
    r = result.records[-1]
    print(
        terminal_text(
            f"{result.config.strategy} on {result.config.dataset}: round {r.round}, "
            f"{r.n_labeled} labelled, accuracy {r.overall['accuracy']:.3f} "
            f"(vs observed labels {r.overall['accuracy_observed']:.3f}), "
            f"worst-group accuracy {r.overall['worst_group_accuracy']:.3f}"
        )
    )
    shown = last[["group", "pool_share", "query_share_cum", "accuracy", "accuracy_observed"]]
    shown = shown.assign(group=shown["group"].map(lambda g: terminal_text(str(g))))
    print(shown.round(3).to_string(index=False))
    for warning in sim.dataset.notes.get("warnings", ()):  # what an upload's reading changed
        print(f"warning: {terminal_text(warning)}", file=sys.stderr)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m components",
        description="Simulate pool-based active learning under bias.",
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    p_list = sub.add_parser("list", help="every dataset, scenario, strategy and model")
    p_list.add_argument("--json", action="store_true", help="machine-readable output")
    p_list.set_defaults(func=cmd_list)

    p_run = sub.add_parser("run", help="run one simulation and write its records")
    p_run.add_argument("--config", help="replay a config.json (or a run directory)")
    p_run.add_argument("--dataset", help="dataset spec, e.g. 'adult:group=sex'")
    p_run.add_argument("--csv", help="your own CSV file instead of --dataset (at most 10 MB)")
    p_run.add_argument("--label", help="with --csv: the label column")
    p_run.add_argument("--group", help="with --csv: group column(s), e.g. sex or sex,race")
    p_run.add_argument("--positive", help="with --csv: the label value counted as positive")
    p_run.add_argument("--features", help="with --csv: feature columns A,B,... (default: all)")
    p_run.add_argument(
        "--scenario", action="append", help="scenario spec; repeat to compose, in order"
    )
    p_run.add_argument("--strategy", help="strategy spec, e.g. 'fal:alpha=0.3'")
    p_run.add_argument("--model", help="learner name, e.g. logistic")
    p_run.add_argument("--seed", help="seed of the whole run")
    p_run.add_argument("--initial", help="seed-set size")
    p_run.add_argument("--batch-size", dest="batch_size", help="rows labelled per round")
    p_run.add_argument("--rounds", help="query rounds after the seed set")
    p_run.add_argument("--test-size", dest="test_size", help="share held out for testing")
    p_run.add_argument(
        "--use-group-feature", action="store_true", help="give the model the group as a feature"
    )
    p_run.add_argument("--out", help="directory for config.json and the three CSVs")
    p_run.add_argument("-v", "--verbose", action="store_true", help="one line per round on stderr")
    p_run.set_defaults(func=cmd_run)
    for verb in verb_modules():
        verb.register(sub)
    return parser


def verb_modules() -> list[Any]:
    """The modules ``components/cli_<verb>.py``, each adding one verb through ``register(sub)``.

    A verb is one file: its parser arguments and its handler live together, and
    ``register`` calls ``sub.add_parser(...)`` and ``set_defaults(func=...)``.
    Handlers raise :class:`BadInput` or :class:`specs.UserInputError` for bad input.

    >>> [m.__name__ for m in verb_modules()] == sorted(m.__name__ for m in verb_modules())
    True
    """
    import importlib
    import pkgutil

    import components

    names = sorted(
        m.name for m in pkgutil.iter_modules(components.__path__) if m.name.startswith("cli_")
    )
    return [importlib.import_module(f"components.{name}") for name in names]


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        return int(args.func(args))
    except (BadInput, UserInputError) as exc:
        message = " ".join(str(exc).split())
        print(f"error: {terminal_text(message)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:  # e.g. piped into head
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 -- anything else is a bug, said as one
        message = " ".join(f"{type(exc).__name__}: {exc}".split())
        print(
            f"internal error (a bug, please report it): {terminal_text(message)}", file=sys.stderr
        )
        return EXIT_BUG
