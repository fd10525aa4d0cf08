"""Typed reading of a saved model's JSON: each field is checked as it is read, and a mismatch
is one ``ModelError`` line naming the file, the field and what was expected."""

from __future__ import annotations

import math
from pathlib import Path

from finbot.errors import ModelError
from finbot.i18n import N_

SHOWN_CHARS = 40


def one_line(text: object) -> str:
    """``text`` on one line, whitespace runs collapsed."""
    return " ".join(str(text).split())


def _shown(value: object) -> str:
    text = one_line(repr(value))
    return text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 3] + "..."


class Fields:
    """One JSON object of the file at ``path``; ``where`` is its place (``"model."``)."""

    def __init__(self, value: object, path: Path, where: str = "") -> None:
        if not isinstance(value, dict):
            raise ModelError(
                N_("{path}: malformed volatility model: {where} is not an object (got {value})"),
                path=path,
                where=where or "the file",
                value=_shown(value),
            )
        self.value: dict[str, object] = value
        self.path = path
        self.where = where

    def fail(self, key: str, expected: str, got: object) -> ModelError:
        return ModelError(
            N_("{path}: malformed volatility model: {where}{key}: expected {expected}, got {got}"),
            path=self.path,
            where=self.where,
            key=key,
            expected=expected,
            got=_shown(got),
        )

    def raw(self, key: str) -> object:
        if key not in self.value:
            raise ModelError(
                N_("{path}: malformed volatility model: {where}{key} is missing"),
                path=self.path,
                where=self.where,
                key=key,
            )
        return self.value[key]

    def child(self, key: str) -> Fields:
        value = self.raw(key)
        if not isinstance(value, dict):
            raise self.fail(key, "an object", value)
        return Fields(value, self.path, f"{self.where}{key}.")

    def text(self, key: str) -> str:
        value = self.raw(key)
        if not isinstance(value, str) or not value:
            raise self.fail(key, "a non-empty string", value)
        return value

    def integer(self, key: str, *, minimum: int | None = None) -> int:
        value = self.raw(key)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(key, "an integer", value)
        if minimum is not None and value < minimum:
            raise self.fail(key, f"an integer of at least {minimum}", value)
        return value

    def number(self, key: str, *, minimum: float = -math.inf, strict: bool = False) -> float:
        """A finite number at least ``minimum`` (above it when ``strict``)."""
        value = self.raw(key)
        return _checked(self, key, value, minimum, strict)

    def nullable(self, key: str) -> float:
        """A finite number, or null (read as NaN: a figure that could not be measured)."""
        value = self.raw(key)
        return math.nan if value is None else _checked(self, key, value, -math.inf, False)

    def numbers(self, key: str, count: int) -> tuple[float, ...]:
        value = self.raw(key)
        if not isinstance(value, list) or len(value) != count:
            raise self.fail(key, f"a list of {count} numbers", value)
        return tuple(
            _checked(self, f"{key}[{i}]", v, -math.inf, False) for i, v in enumerate(value)
        )


def _checked(fields: Fields, key: str, value: object, minimum: float, strict: bool) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise fields.fail(key, "a finite number", value)
    number = float(value)
    if number < minimum or (strict and number == minimum):
        bound = "above" if strict else "at least"
        raise fields.fail(key, f"a number {bound} {minimum:g}", value)
    return number
