"""Files written atomically (a crash leaves the old file or the new one, never half of one) and JSON read with one-line errors."""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from sim.errors import one_line


def _create_temp(path: Path) -> tuple[int, Path]:
    """A new, empty temporary file beside ``path``, created with mode 0666 less the process umask.

    ``tempfile.mkstemp`` would create it 0600 whatever the umask, and the rename keeps that mode: a
    colleague, or a web server publishing a briefing, could not read the result.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    while True:
        tmp = path.parent / f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
        try:
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:
            continue


def atomic_write(path: Path, write: Callable[[BinaryIO], object]) -> None:
    """Write a file atomically: ``write(fh)`` fills a temporary file in the same folder, which is flushed to
    disk and renamed into place, so a crash at any moment leaves either the old file or the new one.
    The file gets the ordinary mode of a new file (0644 under the usual umask 022)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = _create_temp(path)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_json_object(path: Path, what: str, hint: str, error: type[Exception]) -> dict:
    """The JSON object in ``path``; if it cannot be read or is not an object, ``error`` with one line
    ``<path>: expected <what>, found <problem>; <hint>``."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise error(f"{path}: expected {what}, found {one_line(exc)}; {hint}") from None
    if not isinstance(data, dict):
        raise error(f"{path}: expected {what} (a JSON object), found a JSON {type(data).__name__}; {hint}")
    return data


def atomic_write_text(path: Path, text: str) -> None:
    """Write UTF-8 text atomically (see :func:`atomic_write`)."""
    atomic_write(path, lambda fh: fh.write(text.encode("utf-8")))


def replace_block(path: Path, begin: str, end: str, block: str, after: str | None = None) -> None:
    """Replace the generated block of the text file ``path`` that runs from the marker ``begin`` to the marker
    ``end`` with ``block`` (which carries both markers), atomically. A file without the markers gets the block after
    the line ``after`` when one is given; otherwise it is a one-line ValueError naming the file and the marker."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    if begin in text and end in text:
        start, stop = text.index(begin), text.index(end) + len(end)
        text = text[:start] + block + text[stop:]
    elif after is not None and after in text:
        at = text.index(after) + len(after)
        text = text[:at] + "\n\n" + block + text[at:]
    else:
        raise ValueError(f"{path}: key '{begin}': expected the markers of the generated block"
                         f"{' or ' + repr(after) if after else ''}, found none")
    atomic_write_text(path, text)
