"""pydantic's complaint about a configuration value, kept translatable.

A validator of ``models.py`` raises ``ValueError(Message(...))``: its message id travels in
pydantic's error context. pydantic's own complaints (a bound, a type, an unknown key) are
matched by their error type to a message id here; the English line is pydantic's own text,
checked to be exactly what the id writes, so an unknown type or a changed wording of a new
pydantic reads as pydantic wrote it (English)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from finbot.i18n import N_, Message

# pydantic's error types and their English text (pydantic 2), with its ``ctx`` placeholders
PYDANTIC: dict[str, str] = {
    "greater_than": N_("Input should be greater than {gt}"),
    "greater_than_equal": N_("Input should be greater than or equal to {ge}"),
    "less_than": N_("Input should be less than {lt}"),
    "less_than_equal": N_("Input should be less than or equal to {le}"),
    "bool_parsing": N_("Input should be a valid boolean, unable to interpret input"),
    "bool_type": N_("Input should be a valid boolean"),
    "string_type": N_("Input should be a valid string"),
    "int_type": N_("Input should be a valid integer"),
    "int_parsing": N_("Input should be a valid integer, unable to parse string as an integer"),
    "int_from_float": N_("Input should be a valid integer, got a number with a fractional part"),
    "float_type": N_("Input should be a valid number"),
    "float_parsing": N_("Input should be a valid number, unable to parse string as a number"),
    "dict_type": N_("Input should be a valid dictionary"),
    "list_type": N_("Input should be a valid list"),
    "tuple_type": N_("Input should be a valid tuple"),
    "extra_forbidden": N_("Extra inputs are not permitted"),
    "missing": N_("Field required"),
}
# a choice among literals or an enum's values (``ctx["expected"]``: "'a', 'b' or 'c'")
CHOICES: dict[str, str] = {
    "literal_error": N_("Input should be {head} or {last}"),
    "enum": N_("Input should be {head} or {last}"),
}
_VALUE_ERROR = "Value error, "


def _plain(value: object) -> object:
    """A bound as pydantic writes it: ``1.0`` is ``1``."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def complaint(err: Mapping[str, Any]) -> tuple[str, bool]:
    """What pydantic said of one value (a Message when finbot knows its id, else its text),
    and whether that line names the value found itself (a validator's own message does)."""
    return (said, True) if (said := _validators(err)) is not None else (_pydantics(err), False)


def _validators(err: Mapping[str, Any]) -> Message | None:
    context: Mapping[str, Any] = err.get("ctx") or {}
    raised = context.get("error")
    said = raised.args[0] if isinstance(raised, ValueError) and raised.args else None
    return said if isinstance(said, Message) else None


def _pydantics(err: Mapping[str, Any]) -> str:
    context: Mapping[str, Any] = err.get("ctx") or {}
    text = str(err["msg"]).removeprefix(_VALUE_ERROR)
    values = {k: _plain(v) for k, v in context.items()}
    template = PYDANTIC.get(err["type"])
    if err["type"] in CHOICES:  # "'a', 'b' or 'c'": the "or" is said in each language
        head, _, last = str(context.get("expected", "")).rpartition(" or ")
        template, values = CHOICES[err["type"]], {"head": head, "last": last}
    if template is None:
        return text
    try:
        line = Message(template, **values)
    except (KeyError, IndexError, ValueError):
        return text
    return line if line == text else text
