"""The spec mini-language: ``name:key=value,...``, declared parameters, input errors.

A spec names one registered thing and sets some of its parameters::

    label_bias:group=Female,flip=0.4

A ``Param`` declares one parameter (kind, default, bounds, choices, help) and
coerces values from the command line or a link. Bad input raises
``UserInputError``, a ``ValueError`` whose message names the field, the value
and what is allowed.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

Value = float | int | str | bool

MSG_BAD_NUMBER = "{kind} '{name}': {param}={value!r} is not {type}; allowed: {bounds}"
MSG_OUT_OF_RANGE = "{kind} '{name}': {param}={value!r} is out of range; allowed: {bounds}"
MSG_BAD_CHOICE = "{kind} '{name}': {param}={value!r} is not allowed; allowed: {allowed}{hint}"
MSG_BAD_SPEC = "{kind}: '{value}' is not a valid spec; use name:key=value,key=value"


class UserInputError(ValueError):
    """Bad input from a user (a name, a value, a spec, a file), not a bug.

    The message names the field, the value and what is allowed; the CLI prints
    it on one line and the app shows it with ``st.error``.
    """

    __module__ = "specs"  # how tracebacks and doctests name it: specs.UserInputError


def did_you_mean(value: str, allowed: list[str] | tuple[str, ...]) -> str:
    """Return ``" (did you mean 'x'?)"`` for the closest allowed name, or ``""``.

    >>> did_you_mean("lable_bias", ["label_bias", "none"])
    " (did you mean 'label_bias'?)"
    """
    close = difflib.get_close_matches(str(value), [str(a) for a in allowed], n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


@dataclass(frozen=True)
class Param:
    """One parameter of a registered callable.

    ``kind`` is ``"float"``, ``"int"``, ``"str"`` or ``"bool"``. Numbers may carry
    inclusive bounds ``low``/``high``; strings may carry ``choices``. A ``str``
    parameter with ``choices=None`` is free text checked later (a group name is
    only known once the dataset is loaded).
    """

    name: str
    kind: str
    default: Value | None
    help: str
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] | None = None

    def bounds(self) -> str:
        """Human-readable description of the allowed values."""
        if self.choices is not None:
            return ", ".join(self.choices)
        if self.kind == "bool":
            return "true or false"
        if self.kind == "str":
            return "text"
        lo = "-inf" if self.low is None else _num(self.low)
        hi = "inf" if self.high is None else _num(self.high)
        word = "an integer" if self.kind == "int" else "a number"
        return f"{word} in [{lo}, {hi}]"

    def coerce(self, value: Any, *, kind: str, owner: str) -> Value:
        """Convert ``value`` (often a string from the CLI or a URL) and check it.

        Raises
        ------
        UserInputError
            Naming the owner, the parameter, the value and what is allowed.
        """
        fmt = dict(kind=kind, name=owner, param=self.name, value=value, bounds=self.bounds())
        if self.kind == "bool":
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text in ("1", "true", "yes", "on"):
                return True
            if text in ("0", "false", "no", "off"):
                return False
            raise UserInputError(MSG_BAD_NUMBER.format(type="a boolean", **fmt))
        if self.kind in ("int", "float"):
            if isinstance(value, bool):
                raise UserInputError(
                    MSG_BAD_NUMBER.format(
                        type="an integer" if self.kind == "int" else "a number", **fmt
                    )
                )
            try:
                number = float(value)
            except (TypeError, ValueError):
                raise UserInputError(
                    MSG_BAD_NUMBER.format(
                        type="an integer" if self.kind == "int" else "a number", **fmt
                    )
                ) from None
            if number != number or number in (float("inf"), float("-inf")):
                raise UserInputError(MSG_OUT_OF_RANGE.format(**fmt))
            if self.kind == "int":
                if number != int(number):
                    raise UserInputError(MSG_BAD_NUMBER.format(type="an integer", **fmt))
                number = int(number)
            if (self.low is not None and number < self.low) or (
                self.high is not None and number > self.high
            ):
                raise UserInputError(MSG_OUT_OF_RANGE.format(**fmt))
            return number
        text = str(value)
        if self.choices is not None and text not in self.choices:
            raise UserInputError(
                MSG_BAD_CHOICE.format(
                    allowed=", ".join(self.choices), hint=did_you_mean(text, self.choices), **fmt
                )
            )
        return text


@dataclass(frozen=True)
class Spec:
    """A registered name plus parameter values, hashable and JSON-friendly.

    >>> s = Spec.parse("label_bias:group=Female,flip=0.4")
    >>> s.name, s.get("flip")
    ('label_bias', '0.4')
    >>> str(s)
    'label_bias:group=Female,flip=0.4'
    """

    name: str
    params: tuple[tuple[str, Value], ...] = ()

    @classmethod
    def parse(cls, text: str, *, kind: str = "spec") -> Spec:
        """Parse ``name:key=value,...``. Values stay strings until validated.

        A value holding ``,`` or ``"`` (a group named ``Black, non-Hispanic``)
        is written in double quotes, with ``""`` for a quote inside.

        >>> Spec.parse('label_bias:group="Black, non-Hispanic",flip=0.4').get("group")
        'Black, non-Hispanic'
        """
        if not isinstance(text, str) or not text.strip():
            raise UserInputError(MSG_BAD_SPEC.format(kind=kind, value=text))
        name, _, rest = text.strip().partition(":")
        name = name.strip()
        if not name:
            raise UserInputError(MSG_BAD_SPEC.format(kind=kind, value=text))
        params: list[tuple[str, Value]] = []
        if rest.strip():
            try:
                items = _split_items(rest)
            except ValueError:
                raise UserInputError(MSG_BAD_SPEC.format(kind=kind, value=text)) from None
            for key, value in items:
                if not key:
                    raise UserInputError(MSG_BAD_SPEC.format(kind=kind, value=text))
                params.append((key, value))
        keys = [k for k, _ in params]
        if len(set(keys)) != len(keys):
            raise UserInputError(
                MSG_BAD_SPEC.format(kind=kind, value=text) + " (a key is repeated)"
            )
        return cls(name, tuple(params))

    @classmethod
    def coerce(cls, value: Spec | str | Mapping[str, Any], *, kind: str = "spec") -> Spec:
        """Accept a ``Spec``, a spec string, or ``{"name": ..., "params": {...}}``."""
        if isinstance(value, Spec):
            return value
        if hasattr(value, "name") and hasattr(value, "params") and not isinstance(value, Mapping):
            # a Spec from an earlier import of this module (Streamlit reloads
            # modules when their files change, and session state keeps old objects)
            return cls(str(value.name), tuple(value.params))
        if isinstance(value, str):
            return cls.parse(value, kind=kind)
        if isinstance(value, Mapping) and "name" in value:
            params = value.get("params") or {}
            if not isinstance(params, Mapping):
                raise UserInputError(MSG_BAD_SPEC.format(kind=kind, value=value))
            return cls(str(value["name"]), tuple(params.items()))
        raise UserInputError(MSG_BAD_SPEC.format(kind=kind, value=value))

    def get(self, key: str, default: Any = None) -> Any:
        return dict(self.params).get(key, default)

    def with_params(self, **changes: Value) -> Spec:
        merged = dict(self.params)
        merged.update(changes)
        return Spec(self.name, tuple(merged.items()))

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "params": dict(self.params)}

    def __str__(self) -> str:
        if not self.params:
            return self.name
        body = ",".join(f"{k}={_fmt(v)}" for k, v in self.params)
        return f"{self.name}:{body}"


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def _fmt(value: Value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    text = str(value)
    if "," in text or '"' in text or text != text.strip():
        return '"' + text.replace('"', '""') + '"'
    return text


def _split_items(body: str) -> list[tuple[str, str]]:
    """``key=value`` pairs of a spec body; a value may be double-quoted.

    Raises ``ValueError`` on an item without ``=`` or an unclosed quote.
    """
    items: list[tuple[str, str]] = []
    i, n = 0, len(body)
    while i <= n:
        eq = body.find("=", i)
        comma = body.find(",", i)
        if eq < 0 or (0 <= comma < eq):
            raise ValueError(body)
        key = body[i:eq].strip()
        j = eq + 1
        while j < n and body[j] == " ":
            j += 1
        if j < n and body[j] == '"':
            out, j = [], j + 1
            while True:
                q = body.find('"', j)
                if q < 0:
                    raise ValueError(body)
                out.append(body[j:q])
                if body[q + 1 : q + 2] == '"':
                    out.append('"')
                    j = q + 2
                    continue
                j = q + 1
                break
            value = "".join(out)
            rest = body.find(",", j)
            tail = body[j : n if rest < 0 else rest]
            if tail.strip():
                raise ValueError(body)
        else:
            rest = body.find(",", j)
            value = body[j : n if rest < 0 else rest].strip()
        items.append((key, value))
        if rest < 0:
            break
        i = rest + 1
    return items
