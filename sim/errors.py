"""The one form of a user's error: one line naming the file (or option), the key, what was expected and what was found."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any


class ScenarioError(ValueError):
    """A scenario (or experiment) file is missing, malformed or out of range; the message is one line."""


def error(path: Path | str, key: str, expected: str, found: str) -> ScenarioError:
    """The error ``<path>: key '<key>': expected <expected>, found <found>``, to raise."""
    return ScenarioError(f"{path}: key '{key}': expected {expected}, found {found}")


def describe(value: Any) -> str:
    """A value as the 'found' part of an error line: its repr, shortened to 60 characters."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def one_of(key: str, options: tuple[str, ...] | list[str]) -> str:
    """'one of a, b, c (did you mean 'x'?)', the expected part of an unknown-key error."""
    close = difflib.get_close_matches(key, list(options), n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return f"one of {', '.join(options)}{hint}"


def whole_number(path: Path | str, key: str, value: Any, lo: int, hi: int, what: str) -> int:
    """``value`` if it is a whole number from ``lo`` to ``hi`` (``what`` says what it counts), else the error."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise error(path, key, f"{what} (a whole number from {lo} to {hi})", describe(value))
    if not lo <= value <= hi:
        raise error(path, key, f"{what} from {lo} to {hi}", describe(value))
    return value


def one_line(exc: BaseException, limit: int = 120) -> str:
    """An exception's message on one line, shortened, for an error line that names a file."""
    return " ".join(str(exc).split())[:limit] or type(exc).__name__
