"""What the host of a class server may set: the run budget and concurrent simulations.

Read from ``.streamlit/hosting.toml`` (next to Streamlit's own ``config.toml``,
which refuses keys it does not know) and overridden by environment variables:

========================  ==============================  =======
setting                   environment variable            default
========================  ==============================  =======
``run_budget_seconds``    ``WGL_RUN_BUDGET_SECONDS``      120
``max_simulations``       ``WGL_MAX_SIMULATIONS``         2
========================  ==============================  =======

The upload store's folder is ``WGL_UPLOAD_DIR`` (see :mod:`datasets.upload_store`).
"""

from __future__ import annotations

import os
import sys
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from components.cost import DEFAULT_BUDGET_SECONDS
from specs import UserInputError

FILE = Path(__file__).resolve().parents[1] / ".streamlit" / "hosting.toml"
ENV = {"run_budget_seconds": "WGL_RUN_BUDGET_SECONDS", "max_simulations": "WGL_MAX_SIMULATIONS"}

MSG_SETTING = "{where}: {name}={value!r} is not {kind}; allowed: {allowed}"


@dataclass(frozen=True)
class Hosting:
    """The host's limits; see the module docstring."""

    run_budget_seconds: float = DEFAULT_BUDGET_SECONDS
    max_simulations: int = 2


def read_settings(file: Path = FILE, environ: Mapping[str, str] | None = None) -> Hosting:
    """Settings from ``file`` (if it exists), then the environment.

    Raises
    ------
    ValueError
        Naming the file or variable, the value and what is allowed.

    >>> read_settings(Path("/nonexistent"), {"WGL_MAX_SIMULATIONS": "4"}).max_simulations
    4
    >>> read_settings(Path("/nonexistent"), {"WGL_MAX_SIMULATIONS": "many"})
    Traceback (most recent call last):
    specs.UserInputError: WGL_MAX_SIMULATIONS: max_simulations='many' is not a whole number; allowed: a whole number, 1 or more
    """
    environ = os.environ if environ is None else environ
    values: dict[str, tuple[str, object]] = {}
    if file.is_file():
        try:
            data = tomllib.loads(file.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise UserInputError(
                f"{file}: not valid TOML ({exc}); allowed: key = value lines"
            ) from None
        for name in ENV:
            if name in data:
                values[name] = (str(file), data[name])
    for name, var in ENV.items():
        if environ.get(var, "").strip():
            values[name] = (var, environ[var].strip())
    kw: dict[str, float | int] = {}
    for name, (where, raw) in values.items():
        whole = name == "max_simulations"
        try:
            x = float(str(raw))
        except ValueError:
            x = float("nan")
        ok = x >= 1 and x == int(x) if whole else 0 < x < float("inf")
        if not ok:
            kind, allowed = (
                ("a whole number", "a whole number, 1 or more")
                if whole
                else ("a positive number of seconds", "a number above 0")
            )
            raise UserInputError(
                MSG_SETTING.format(where=where, name=name, value=raw, kind=kind, allowed=allowed)
            )
        kw[name] = int(x) if whole else x
    return Hosting(**kw)


MSG_FALLBACK = "{problem} -- the server uses the default limits until this is fixed"


@lru_cache(maxsize=1)
def _read_once() -> tuple[Hosting, str | None]:
    try:
        return read_settings(), None
    except UserInputError as exc:
        problem = MSG_FALLBACK.format(
            problem=str(exc).replace(str(FILE), ".streamlit/hosting.toml")
        )
        print(f"who-gets-labeled: {problem}", file=sys.stderr, flush=True)
        return Hosting(), problem


def settings() -> Hosting:
    """The server's settings, read once per process.

    A malformed file or variable does not stop the app: the conservative
    defaults apply, the server's terminal gets one line, and ``problem()``
    says it for the pages to show.
    """
    return _read_once()[0]


def problem() -> str | None:
    """What was wrong with the host's settings (None when they were read as given).

    >>> problem() is None or "default limits" in problem()
    True
    """
    return _read_once()[1]
