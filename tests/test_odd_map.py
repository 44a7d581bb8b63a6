"""The map from docs/ODD.md to the tests (tests/README.md) is complete and names only tests that exist."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ODD = ROOT / "docs" / "ODD.md"
MAP = ROOT / "tests" / "README.md"
MAP_HEADING = "## Map from docs/ODD.md to the tests"
TOOLS_HEADING = "## Tests of the tools around the model"
NO_TEST = "No test yet"
TICKED = re.compile(r"`([^`]+)`")


def section_key(heading: str) -> str:
    """A section of docs/ODD.md as the map knows it: its heading without the code it names in brackets
    (``### 7.1 Leads (`sim/model/channels.py`)`` is ``7.1 Leads``)."""
    return heading.lstrip("#").strip().split(" (`")[0].strip()


def odd_sections(text: str) -> list[str]:
    """The sections (##) and subsections (###) of docs/ODD.md, in order, outside code blocks."""
    out, fenced = [], False
    for line in text.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and (line.startswith("## ") or line.startswith("### ")):
            out.append(section_key(line))
    return out


def map_entries(text: str) -> dict[str, list[str]]:
    """The map's entries: each section's heading and the lines under it."""
    body = text.split(MAP_HEADING, 1)[1].split(TOOLS_HEADING, 1)[0]
    entries: dict[str, list[str]] = {}
    current = None
    for line in body.splitlines():
        if line.startswith("### "):
            current = line[4:].strip()
            assert current not in entries, f"tests/README.md: section {current!r} has two entries"
            entries[current] = []
        elif current is not None and line.strip():
            entries[current].append(line)
    return entries


def named_tests(lines: list[str]) -> dict[str, set[str]]:
    """Test files named on list lines (``- `test_x.py`: `test_a`, `test_b```), with the functions named after them:
    a function belongs to the file named first on its line."""
    out: dict[str, set[str]] = {}
    for line in lines:
        if not line.startswith("- "):
            continue
        ticked = TICKED.findall(line)
        files = [t for t in ticked if re.fullmatch(r"test_\w+\.py", t)]
        for f in files:
            out.setdefault(f, set())
        if files:
            out[files[0]].update(t for t in ticked if re.fullmatch(r"test_\w+", t))
    return out


def defined(path: Path) -> set[str]:
    """Top-level functions of a test file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {n.name for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}


def test_every_section_of_the_odd_has_an_entry_and_every_entry_a_section():
    """Catches a section added to (or renamed in) docs/ODD.md that the map does not follow, and an entry for a
    section that is gone."""
    sections = odd_sections(ODD.read_text(encoding="utf-8"))
    entries = map_entries(MAP.read_text(encoding="utf-8"))
    assert len(sections) > 20
    missing = [s for s in sections if s not in entries]
    assert missing == [], f"tests/README.md: no entry for the docs/ODD.md sections {missing}"
    stale = [e for e in entries if e not in sections]
    assert stale == [], f"tests/README.md: entries for sections docs/ODD.md does not have {stale}"


def test_every_entry_names_tests_that_exist_or_says_none_does():
    """Catches an entry that names a test file or function that does not exist (renamed, moved or deleted), and an
    entry that names no test without saying so."""
    bad = []
    for section, lines in map_entries(MAP.read_text(encoding="utf-8")).items():
        tests = named_tests(lines)
        if not tests and not any(NO_TEST in line for line in lines):
            bad.append(f"{section}: names no test file and does not say '{NO_TEST}'")
        for file, functions in tests.items():
            path = ROOT / "tests" / file
            if not path.is_file():
                bad.append(f"{section}: tests/{file} does not exist")
                continue
            absent = sorted(functions - defined(path))
            if absent:
                bad.append(f"{section}: tests/{file} has no {absent}")
    assert bad == [], "tests/README.md: " + "; ".join(bad)


def test_every_test_file_is_in_an_entry():
    """Catches a test file (a new one, or one renamed) that the map does not place: each proves a section of
    docs/ODD.md or is listed among the tests of the tools around the model."""
    text = MAP.read_text(encoding="utf-8")
    mapped = set()
    for lines in map_entries(text).values():
        mapped |= set(named_tests(lines))
    tools = set(named_tests(text.split(TOOLS_HEADING, 1)[1].splitlines()))
    absent = sorted(t for t in tools if not (ROOT / "tests" / t).is_file())
    assert absent == [], f"tests/README.md: the tools' tests name files that do not exist: {absent}"
    files = {p.name for p in (ROOT / "tests").glob("test_*.py")}
    unplaced = sorted(files - mapped - tools)
    assert unplaced == [], f"tests/README.md: no entry names {unplaced}"


def test_every_test_file_the_odd_names_exists():
    """Catches docs/ODD.md pointing readers to a test file that was renamed or split."""
    named = set(re.findall(r"tests/(test_\w+\.py)", ODD.read_text(encoding="utf-8")))
    assert named, "docs/ODD.md names no test file"
    missing = sorted(n for n in named if not (ROOT / "tests" / n).is_file())
    assert missing == [], f"docs/ODD.md names test files that do not exist: {missing}"
