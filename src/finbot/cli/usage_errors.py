"""A mistake on the command line (an unknown option, a missing argument, a bad value) as one
line in the user's language that names the help to read, instead of Click's three.

Typer raises these from its own copy of Click, whose messages are written in English only; the
kinds a user meets are recognised here by their class and said again from the catalog, with
the names and values they carry. Anything else keeps the parser's own text.
"""

from __future__ import annotations

import re
from typing import Any

from finbot.errors import FinbotError
from finbot.i18n import N_, Failure, Message

# the words of "missing option --coin", per kind of parameter
_KINDS = {"option": N_("option"), "argument": N_("argument"), "parameter": N_("parameter")}
_VALUE_ERROR = "Value error, "  # the prefix Typer's conversions put before their reason
_NOT_A_NUMBER = {  # pydantic's error types for a value that is no number
    "float_parsing": N_("{value} is not a number"),
    "int_parsing": N_("{value} is not a whole number"),
    "int_from_float": N_("{value} is not a whole number"),
}
_CHOICE = re.compile(r"(?P<value>.+) is not one of (?P<choices>.+?)\.?$")


def is_usage_error(exc: BaseException) -> bool:
    """Whether ``exc`` is Click's (or Typer's copy of Click's) ``UsageError`` or a subclass:
    matched by name, so that it holds for either. Not the "no arguments: show the help" signal
    of a group called bare, which prints the help page, nor finbot's own ``UsageError``."""
    names = {cls.__name__ for cls in type(exc).__mro__}
    ours = isinstance(exc, FinbotError)
    return not ours and "UsageError" in names and "NoArgsIsHelpError" not in names


def usage_failure(exc: Any) -> Failure:
    """The line for a usage error ``exc`` (exit code 2)."""
    ctx = getattr(exc, "ctx", None)
    command = ctx.command_path if ctx is not None else "finbot"
    said = Failure(
        "UsageError",
        N_("{message} (help: {command} -h)"),
        int(getattr(exc, "exit_code", 2)),
        {"message": _message(exc), "command": command},
    )
    return said


def _message(exc: Any) -> object:
    names = {cls.__name__ for cls in type(exc).__mro__}
    if "NoSuchOption" in names:
        if exc.possibilities:
            return Message(
                N_("no such option: {option} (did you mean {choices}?)"),
                option=exc.option_name,
                choices=", ".join(sorted(exc.possibilities)),
            )
        return Message(N_("no such option: {option}"), option=exc.option_name)
    if "MissingParameter" in names:
        kind = exc.param_type or getattr(exc.param, "param_type_name", "parameter")
        return Message(
            N_("missing {kind} {name}"),
            kind=Message(_KINDS.get(kind, N_("parameter"))),
            name=_hint(exc),
        )
    if "BadParameter" in names:
        return Message(
            N_("invalid value for {name}: {reason}"), name=_hint(exc), reason=_reason(exc)
        )
    if "BadOptionUsage" in names and str(exc.message).endswith("requires an argument."):
        return Message(N_("option {option} needs a value"), option=exc.option_name)
    return exc.format_message()


def _reason(exc: Any) -> object:
    """Why a value was refused: Typer's conversions (pydantic) say it in English, so the usual
    reasons are said again from the catalog; finbot's own reasons are already translated."""
    cause = exc.__cause__
    errors = cause.errors() if callable(getattr(cause, "errors", None)) else []
    kind = errors[0].get("type") if errors else None
    if kind in _NOT_A_NUMBER:
        return Message(_NOT_A_NUMBER[kind], value=repr(errors[0].get("input")))
    text = str(exc.message).removeprefix(_VALUE_ERROR)
    choice = _CHOICE.match(text)
    if choice:
        return Message(N_("{value} is not one of {choices}"), **choice.groupdict())
    return text


def _hint(exc: Any) -> str:
    hint = exc.param_hint
    if hint is None and exc.param is not None:
        hint = exc.param.get_error_hint()
    if isinstance(hint, list | tuple):
        return " / ".join(str(h) for h in hint)
    return str(hint or "")
