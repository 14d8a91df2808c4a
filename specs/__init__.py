"""The spec language and the registries: a leaf that imports nothing of the project.

``datasets`` and ``components`` both build on it; it builds on neither.
"""

from specs.language import (
    MSG_BAD_CHOICE,
    MSG_BAD_NUMBER,
    MSG_BAD_SPEC,
    MSG_OUT_OF_RANGE,
    Param,
    Spec,
    UserInputError,
    Value,
    did_you_mean,
)
from specs.registry import (
    MSG_ENTRY_FIELD,
    MSG_UNKNOWN_NAME,
    MSG_UNKNOWN_PARAM,
    DatasetEntry,
    Entry,
    Registry,
    TypedEntry,
)

__all__ = [
    "MSG_BAD_CHOICE",
    "MSG_BAD_NUMBER",
    "MSG_BAD_SPEC",
    "MSG_ENTRY_FIELD",
    "MSG_OUT_OF_RANGE",
    "MSG_UNKNOWN_NAME",
    "MSG_UNKNOWN_PARAM",
    "DatasetEntry",
    "Entry",
    "Registry",
    "TypedEntry",
    "UserInputError",
    "Param",
    "Spec",
    "Value",
    "did_you_mean",
]
