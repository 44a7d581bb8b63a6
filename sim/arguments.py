"""Command-line arguments, checked before any work starts.

Every argument a user types is checked when the command line is read, or,
for values that depend on a file (the default results folder), before the
first run: seeds, worker counts, ports, paths, languages, month lists and
scheduler addresses. A problem is one line, ``--option: expected <what>,
found <what>``, raised as :class:`ArgumentsError` (a
:class:`sim.errors.ScenarioError`), which ``sim.cli.main`` prints with exit
code 2. The functions named after a kind of value are ``type=`` callables
for argparse; the ``check_*`` functions check a value computed later.
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
import socket
import urllib.parse
from collections.abc import Callable
from pathlib import Path

from sim.errors import ScenarioError

MAX_SEED = 2**63 - 1  # seeds are stored as signed 64-bit integers, like an experiment's root seed
MAX_WORKERS = 1024
MAX_MONTHS = 600  # the longest horizon a scenario may have (run.horizon_months)
SCHEDULER_SCHEMES = ("tcp", "tls", "ws", "wss", "ucx")


class ArgumentsError(ScenarioError):
    """A command-line argument is malformed or out of range; the message is one line."""


def _describe(text: object) -> str:
    raw = repr(str(text))
    return raw if len(raw) <= 60 else raw[:57] + "..."


# ----------------------------------------------------------------------------- the parser
_CHOICE = re.compile(r"^argument (?P<arg>[^:]+): invalid choice: (?P<found>'[^']*'|\S+) \(choose from (?P<opts>.*)\)$")


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line (``--option: expected ..., found ...``), raised, not printed."""

    def error(self, message: str) -> None:  # type: ignore[override]
        """Raise the problem as one line instead of printing the usage and exiting."""
        raise ArgumentsError(self._one_line(message.replace("\n", " ")))

    def _one_line(self, message: str) -> str:
        m = _CHOICE.match(message)
        if m:
            options = [o.strip().strip("'") for o in m["opts"].split(",")]
            found = m["found"].strip("'")
            close = difflib.get_close_matches(found, options, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            return f"{_arg_name(m['arg'])}: expected one of {', '.join(options)}{hint}, found '{found}'"
        if message.startswith("argument "):
            arg, _, rest = message.removeprefix("argument ").partition(": ")
            if rest.startswith("expected "):
                return f"{_arg_name(arg)}: {rest}"
            return f"{_arg_name(arg)}: expected a valid value ({self.prog} --help), found {rest}"
        if message.startswith("the following arguments are required: "):
            names = message.removeprefix("the following arguments are required: ")
            return f"{self.prog}: expected the argument(s) {names}, found none ({self.prog} --help)"
        if message.startswith("unrecognized arguments: "):
            extra = message.removeprefix("unrecognized arguments: ")
            return f"{self.prog}: expected only the options of '{self.prog} --help', found {extra}"
        return f"{self.prog}: {message}"


def _arg_name(arg: str) -> str:
    """``--quiet/-q`` -> ``--quiet``; positional names stay as they are."""
    return arg.split("/")[0]


# ----------------------------------------------------------------------------- numbers
def whole(lo: int, hi: int, what: str = "a whole number") -> Callable[[str], int]:
    """A ``type=`` for a whole number from ``lo`` to ``hi``."""

    def parse(text: str) -> int:
        try:
            value = int(text.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {what} from {lo} to {hi}, found {_describe(text)}") from None
        if not lo <= value <= hi:
            raise argparse.ArgumentTypeError(f"expected {what} from {lo} to {hi}, found {value}")
        return value

    parse.__name__ = what
    return parse


seed = whole(0, MAX_SEED, "a seed")
workers = whole(1, MAX_WORKERS, "a number of workers")
port = whole(1, 65535, "a port")
positive = whole(1, 1_000_000, "a whole number")


def months(text: str) -> tuple[int, ...]:
    """A ``type=`` for a list of months such as ``12,24,36``: whole numbers from 1 to 600, at least one."""
    items = [t.strip() for t in text.split(",")]
    expected = f"whole numbers from 1 to {MAX_MONTHS} separated by commas (e.g. 12,24)"
    try:
        values = [int(t) for t in items if t]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected {expected}, found {_describe(text)}") from None
    if not values or any(not 1 <= v <= MAX_MONTHS for v in values):
        raise argparse.ArgumentTypeError(f"expected {expected}, found {_describe(text)}")
    return tuple(sorted(set(values)))


def scheduler(text: str) -> str:
    """A ``type=`` for a Dask scheduler address ``tcp://HOST:PORT`` (or tls, ws, wss, ucx)."""
    expected = f"a Dask scheduler address like tcp://HOST:PORT ({', '.join(SCHEDULER_SCHEMES)})"
    try:
        parts = urllib.parse.urlsplit(text.strip())
        ok = (parts.scheme in SCHEDULER_SCHEMES and bool(parts.hostname) and parts.port is not None
              and 1 <= parts.port and not parts.path.strip("/") and not parts.query)
    except ValueError:  # a port out of range or not a number
        ok = False
    if not ok:
        raise argparse.ArgumentTypeError(f"expected {expected}, found {_describe(text)}")
    return text.strip()


def host(text: str) -> str:
    """A ``type=`` for an address of this machine to listen on (default 127.0.0.1)."""
    try:
        socket.getaddrinfo(text, None, socket.AF_INET, socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise argparse.ArgumentTypeError(f"expected an IPv4 address or host name of this machine, "
                                         f"found {_describe(text)}") from None
    return text


# ----------------------------------------------------------------------------- paths
def _writable_dir(folder: Path) -> bool:
    return os.access(folder, os.W_OK | os.X_OK)


def _nearest_existing(path: Path) -> Path:
    for p in (path, *path.parents):
        if os.path.lexists(p):
            return p
    return Path(".")


def _folder_problem(path: Path) -> str | None:
    """Why files cannot be written into the folder ``path`` (made if missing), or None if they can."""
    if not str(path).strip():
        return "an empty path"
    existing = _nearest_existing(path.absolute())
    if existing == path.absolute() and not existing.is_dir():
        return f"a file at {path}"
    if not existing.is_dir():
        return f"that {existing} is a file, not a folder"
    if not _writable_dir(existing):
        return f"{existing} not writable by this user"
    return None


def output_dir(text: str) -> Path:
    """A ``type=`` for a folder to write into: not a file, not under a file, writable (created when missing)."""
    problem = _folder_problem(Path(text))
    if problem:
        raise argparse.ArgumentTypeError(f"expected a folder to write into, found {problem}")
    return Path(text)


def output_file(text: str) -> Path:
    """A ``type=`` for a file to write: not a folder, in a folder that can be written."""
    path = Path(text)
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"expected a file to write, found a folder at {path}")
    problem = _folder_problem(path.parent if str(path.parent) else Path("."))
    if problem:
        raise argparse.ArgumentTypeError(f"expected a file in a folder that can be written, found {problem}")
    return path


def input_dir(text: str) -> Path:
    """A ``type=`` for an existing folder to read (a results folder)."""
    path = Path(text)
    if path.is_file():
        raise argparse.ArgumentTypeError(f"expected a folder, found a file at {path}")
    if not path.is_dir():
        raise argparse.ArgumentTypeError(f"expected an existing folder, found no folder {path}")
    if not os.access(path, os.R_OK | os.X_OK):
        raise argparse.ArgumentTypeError(f"expected a folder this user can read, found {path} not readable")
    return path


def check_output_dir(path: Path, option: str) -> Path:
    """Check a folder computed after parsing (e.g. the default ``results/<name>``); raise ArgumentsError."""
    problem = _folder_problem(path)
    if problem:
        raise ArgumentsError(f"{option}: expected a folder to write into, found {problem}")
    return path
