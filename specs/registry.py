"""Registries: the ordered name -> entry mappings behind every choice a user makes.

Every registry (datasets, scenarios, strategies, learners) is a ``Registry`` of
frozen ``Entry`` objects. An entry declares its parameters as ``Param`` objects,
so the CLI, the dashboard's sliders and the validation all come from one place.
A registry made with a ``TypedEntry`` subclass holds declared fields (a
strategy's scorer, a scenario's ``acts_on``) and refuses any other keyword.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, fields
from types import MappingProxyType
from typing import Any, ClassVar

from specs.language import Param, Spec, UserInputError, Value, did_you_mean

MSG_UNKNOWN_NAME = "{kind}: '{value}' is not a known name; allowed: {allowed}{hint}"
MSG_UNKNOWN_PARAM = "{kind} '{name}': unknown parameter '{param}'; allowed: {allowed}{hint}"
MSG_ENTRY_FIELD = "{kind} '{name}': unknown entry field '{field}'; allowed: {allowed}{hint}"


@dataclass(frozen=True)
class Entry:
    """One registered callable with its declared parameters and its source.

    The plain ``Entry`` keeps any further registration keywords in ``extra``;
    typed registries use a ``TypedEntry`` subclass instead.
    """

    name: str
    func: Callable[..., Any]
    params: tuple[Param, ...]
    description: str
    citation: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)
    #: A short plain name for menus (at most 40 characters); the name, humanised, if empty.
    label: str = ""

    @property
    def title(self) -> str:
        """The short plain name shown in menus: ``label``, else the name humanised.

        >>> Entry("least_confidence", print, (), "d").title
        'Least confidence'
        """
        return self.label or self.name.replace("_", " ").strip().capitalize()

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(name)

    def resolve(self, spec: Spec, *, kind: str) -> Spec:
        """Check ``spec`` against the declared parameters, fill defaults, coerce types.

        Free-text parameters without a default stay absent, so a later step
        (which knows the data) can fill them.
        """
        names = [p.name for p in self.params]
        given = dict(spec.params)
        for key in given:
            if key not in names:
                raise UserInputError(
                    MSG_UNKNOWN_PARAM.format(
                        kind=kind,
                        name=self.name,
                        param=key,
                        allowed=", ".join(names) or "(none)",
                        hint=did_you_mean(key, names),
                    )
                )
        out: list[tuple[str, Value]] = []
        for p in self.params:
            if p.name in given:
                out.append((p.name, p.coerce(given[p.name], kind=kind, owner=self.name)))
            elif p.default is not None:
                out.append((p.name, p.default))
        return Spec(self.name, tuple(out))


@dataclass(frozen=True)
class TypedEntry(Entry):
    """An entry whose further fields are declared by its subclass.

    Registering with a keyword the subclass does not declare is a
    ``TypeError`` naming it. ``extra`` is a read-only view of the declared
    fields, for callers that read ``entry.extra.get(...)``.

    >>> @dataclass(frozen=True, kw_only=True)
    ... class ColourEntry(TypedEntry):
    ...     colour: str = "grey"
    >>> reg = Registry("thing", entry=ColourEntry)
    >>> _ = reg.register("a", description="A.", colour="red")(len)
    >>> reg["a"].colour, dict(reg["a"].extra)
    ('red', {'colour': 'red'})
    >>> reg.register("b", description="B.", color="red")
    Traceback (most recent call last):
    ...
    TypeError: thing 'b': unknown entry field 'color'; allowed: colour (did you mean 'colour'?)
    """

    extra: Mapping[str, Any] = field(init=False, repr=False, compare=False)

    #: Names of the fields ``Entry`` itself has; the rest are the subclass's.
    BASE_FIELDS: ClassVar[frozenset[str]] = frozenset(
        ("name", "func", "params", "description", "citation", "extra", "label")
    )

    def __post_init__(self) -> None:
        view = {f: getattr(self, f) for f in self.declared_fields()}
        object.__setattr__(self, "extra", MappingProxyType(view))

    @classmethod
    def declared_fields(cls) -> tuple[str, ...]:
        """The fields this entry type adds to ``Entry``, in declaration order."""
        return tuple(f.name for f in fields(cls) if f.name not in cls.BASE_FIELDS)

    @classmethod
    def check_options(cls, kind: str, name: str, options: Mapping[str, Any]) -> None:
        """Refuse a registration keyword that is not a declared field."""
        allowed = cls.declared_fields()
        for key in options:
            if key not in allowed:
                raise TypeError(
                    MSG_ENTRY_FIELD.format(
                        kind=kind,
                        name=name,
                        field=key,
                        allowed=", ".join(allowed) or "(none)",
                        hint=did_you_mean(key, allowed),
                    )
                )


@dataclass(frozen=True, kw_only=True)
class DatasetEntry(TypedEntry):
    """A dataset loader's entry.

    ``upload``: the data comes from a user's file (cached apart, never in a
    link). ``local_file``: the spec names a path on this machine (command line
    only).
    """

    upload: bool = False
    local_file: bool = False


class Registry(Mapping[str, Entry]):
    """An ordered name -> ``Entry`` mapping with a decorator to register.

    ``entry`` is the entry type; a ``TypedEntry`` subclass declares which
    further keywords ``register`` accepts.
    """

    def __init__(self, kind: str, *, entry: type[Entry] = Entry) -> None:
        self.kind = kind
        self.entry_type = entry
        self._entries: dict[str, Entry] = {}

    def register(
        self,
        name: str,
        *,
        params: tuple[Param, ...] = (),
        description: str,
        citation: str = "",
        label: str = "",
        **options: Any,
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Register the decorated callable under ``name``.

        Raises ``TypeError`` at once for a keyword the entry type does not
        declare, ``ValueError`` for a ``label`` longer than 40 characters.
        """
        if len(label) > 40:
            raise ValueError(f"{self.kind} '{name}': label {label!r} is over 40 characters")
        typed = issubclass(self.entry_type, TypedEntry)
        if typed:
            self.entry_type.check_options(self.kind, name, options)
        more = options if typed else {"extra": MappingProxyType(dict(options))}

        def deco(func: Callable[..., Any]) -> Callable[..., Any]:
            if name in self._entries:
                raise RuntimeError(f"{self.kind} '{name}' registered twice")
            self._entries[name] = self.entry_type(
                name=name,
                func=func,
                params=params,
                description=description,
                citation=citation,
                label=label,
                **more,
            )
            return func

        return deco

    def __getitem__(self, name: str) -> Entry:
        try:
            return self._entries[name]
        except KeyError:
            raise UserInputError(
                MSG_UNKNOWN_NAME.format(
                    kind=self.kind,
                    value=name,
                    allowed=", ".join(self._entries),
                    hint=did_you_mean(name, list(self._entries)),
                )
            ) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def resolve(self, spec: Spec | str | Mapping[str, Any]) -> Spec:
        spec = Spec.coerce(spec, kind=self.kind)
        return self[spec.name].resolve(spec, kind=self.kind)
