"""Property-based tests of the files users write, generated from the parameter schema (tests/propkit.py).

Scenario files, alone or in ``extends`` chains, as [tables], inline tables or
dotted keys: valid ones run (a small population, a short horizon); spoiled
ones (NaN, infinities, wrong types, out of range, unknown keys, one-letter
typos, shares that do not add up, empty files, non-UTF-8 bytes, broken TOML,
missing parents, extends cycles) end in exit code 2 and one line naming the
file that holds the problem and the key, and leave the output folder as it
was. Experiment files likewise, with their designs, overrides and numbers.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import math
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from propkit import (
    GROUPS,
    SINGLES,
    drop,
    examples,
    leaf_value,
    mutation,
    to_toml,
    toml_value,
    valid_data,
)

from sim.cli import main

ROOT = Path(__file__).resolve().parent.parent
STYLES = ("tables", "inline", "dotted")
SMALL_RUN = ["--set", "run.n_investors=1000", "--set", "run.horizon_months=12"]


def sim(args: list[str]) -> tuple[int, str, str]:
    """``sim ARGS`` in this process: exit code, stdout, stderr."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(args)
    return code, out.getvalue(), err.getvalue()


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` with a hash of its bytes and its modification time."""
    return {str(p.relative_to(folder)): f"{hashlib.sha256(p.read_bytes()).hexdigest()} {p.stat().st_mtime_ns}"
            for p in sorted(folder.rglob("*")) if p.is_file()}


def output_folder(tmp: Path) -> tuple[Path, dict[str, str]]:
    """An output folder that already holds a run's files (they must survive a refused command)."""
    out = tmp / "out"
    out.mkdir()
    (out / "summary.json").write_text('{"kept": true}\n', encoding="utf-8")
    (out / "notes.txt").write_text("earlier results\n", encoding="utf-8")
    return out, snapshot(out)


def assert_refused(code: int, err: str, file: Path, key: str, words=()) -> None:
    assert code == 2, err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert err.startswith(f"error: {file}: key '{key}"), err
    assert "expected" in err and "found" in err, err
    for w in words:
        assert w in err, (w, err)


def split(draw, data: dict, n_files: int) -> list[dict]:
    """``data`` spread over ``n_files`` tables (each top-level section in one of them)."""
    parts: list[dict] = [{} for _ in range(n_files)]
    for section, table in data.items():
        parts[draw(st.integers(0, n_files - 1))][section] = table
    return parts


def write_chain(folder: Path, parts: list[dict], style: str, texts: dict[int, bytes] | None = None) -> list[Path]:
    """Files f0 (loaded) extends f1 extends ...; ``texts`` replaces a file's content."""
    files = [folder / f"f{i}.toml" for i in range(len(parts))]
    for i, (path, data) in enumerate(zip(files, parts, strict=True)):
        meta = {"name": f"f{i}", "title": {"zh": "测试", "en": "Test"}}
        if i + 1 < len(files):
            meta["extends"] = files[i + 1].stem
        path.write_text(to_toml(data, style, meta=meta), encoding="utf-8")
        if texts and i in texts:
            path.write_bytes(texts[i])
    return files


# ----------------------------------------------------------------------------- scenario files
@settings(max_examples=examples(6))
@given(data=st.data(), params=valid_data(), style=st.sampled_from(STYLES), n_files=st.integers(1, 3),
       seed=st.integers(0, 2**63 - 1), n=st.integers(1000, 3000), horizon=st.integers(12, 24))
def test_valid_scenario_files_run(data, params, style, n_files, seed, n, horizon):
    with tempfile.TemporaryDirectory() as tmp:
        files = write_chain(Path(tmp), split(data.draw, params, n_files), style)
        out = Path(tmp) / "out"
        code, stdout, err = sim(["run", str(files[0]), "--out", str(out), "--seed", str(seed),
                                 "--set", f"run.n_investors={n}", "--set", f"run.horizon_months={horizon}"])
        assert code == 0, err
        summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
        assert summary["months"] == horizon
        # Finite everywhere, except a cohort rate no project could be followed for yet: NaN, not a rate of zero.
        assert all(math.isfinite(v) or (k.startswith("cohort_") and math.isnan(v))
                   for k, v in summary.items() if isinstance(v, float))


@settings(max_examples=examples(40))
@given(data=st.data(), params=valid_data(), mut=mutation(), style=st.sampled_from(STYLES),
       n_files=st.integers(1, 3))
def test_spoiled_scenario_files_are_refused_with_one_line(data, params, mut, style, n_files):
    parts = split(data.draw, params, n_files)
    where = data.draw(st.integers(0, n_files - 1), label="file holding the problem")
    for part in parts:  # a valid value elsewhere in the chain must not hide or take the blame
        for path in GROUPS.get(mut.key, [mut.path]):
            drop(part, path)
    mut.apply(parts[where])
    with tempfile.TemporaryDirectory() as tmp:
        files = write_chain(Path(tmp), parts, style)
        out, before = output_folder(Path(tmp))
        code, _, err = sim(["run", str(files[0]), "--out", str(out), *SMALL_RUN])
        assert_refused(code, err, files[where], mut.key, mut.words)
        assert snapshot(out) == before


FILE_PROBLEMS = {
    "empty": ("-", "found an empty file"),
    "comments_only": ("-", "found an empty file"),
    "non_utf8": ("-", "expected UTF-8 text"),
    "broken_toml": ("-", "expected valid TOML"),
    "missing_parent": ("scenario.extends", "no file"),
    "cycle": ("scenario.extends", "without cycles"),
}


@settings(max_examples=examples(20))
@given(data=st.data(), params=valid_data(), problem=st.sampled_from(sorted(FILE_PROBLEMS)),
       style=st.sampled_from(STYLES), n_files=st.integers(1, 3))
def test_broken_scenario_files_and_chains_are_refused_with_one_line(data, params, problem, style, n_files):
    parts = split(data.draw, params, n_files)
    where = data.draw(st.integers(0, n_files - 1), label="broken file")
    with tempfile.TemporaryDirectory() as tmp:
        files = write_chain(Path(tmp), parts, style)
        text = files[where].read_bytes()
        if problem == "empty":
            text = b""
        elif problem == "comments_only":
            text = b"# to be written\n\n"
        elif problem == "non_utf8":
            cut = data.draw(st.integers(0, text.count(b"\n")), label="line")
            lines = text.split(b"\n")
            lines.insert(cut, b"# caf\xe9 \xff\xfe")
            text = b"\n".join(lines)
        elif problem == "broken_toml":
            text += data.draw(st.sampled_from([b"x = = 1\n", b"[policy\n", b'title = "open\n', b"= 3\n"]))
        else:
            target = "nowhere" if problem == "missing_parent" else files[0].stem
            meta = f'[scenario]\nextends = "{target}"\n'.encode()
            body = to_toml(parts[where], "tables").encode()
            text = meta + body
        files[where].write_bytes(text)
        out, before = output_folder(Path(tmp))
        code, _, err = sim(["run", str(files[0]), "--out", str(out), *SMALL_RUN])
        key, words = FILE_PROBLEMS[problem]
        assert_refused(code, err, files[where], key, (words,))
        assert snapshot(out) == before


# ----------------------------------------------------------------------------- experiment files
DESIGN_KINDS = ("none", "factorial", "list", "lhs", "morris")
SINGLE_NUMBERS = [x for x in SINGLES if x.kind in ("float", "int")]


@st.composite
def design(draw) -> dict:
    """A small valid design (at most 4 points) over one or two numeric parameters."""
    kind = draw(st.sampled_from(DESIGN_KINDS))
    if kind == "none":
        return {"kind": "none"}
    leaves = draw(st.lists(st.sampled_from(SINGLE_NUMBERS), min_size=1,
                           max_size=1 if kind == "morris" else 2, unique_by=lambda x: x.path))
    if kind == "factorial":
        return {"kind": kind, "values": {x.key: draw(st.lists(leaf_value(x), min_size=1, max_size=2)) for x in leaves}}
    if kind == "list":
        points = [{x.key: draw(leaf_value(x)) for x in leaves} for _ in range(draw(st.integers(1, 2)))]
        return {"kind": kind, "points": points}
    ranges = {}
    for x in leaves:
        a, b = sorted(draw(st.lists(leaf_value(x), min_size=2, max_size=2, unique=True)))
        ranges[x.key] = [float(a), float(b)]
    if kind == "lhs":
        return {"kind": kind, "samples": draw(st.integers(1, 2)), "parameters": ranges}
    return {"kind": kind, "trajectories": 2, "levels": 4, "parameters": ranges}


def experiment_toml(exp: dict, overrides: dict, design_table: dict | None) -> str:
    lines = ["[experiment]"] + [f"{k} = {toml_value(v)}" for k, v in exp.items()]
    if overrides:
        lines += ["[overrides]"] + [f'{json.dumps(k)} = {toml_value(v)}' for k, v in _dotted(overrides)]
    if design_table:
        d = dict(design_table)
        points = d.pop("points", None)
        tables = {k: d.pop(k) for k in ("values", "parameters") if k in d}
        lines += ["[design]"] + [f"{k} = {toml_value(v)}" for k, v in d.items()]
        for name, table in tables.items():
            lines += [f"[design.{name}]"] + [f"{json.dumps(k)} = {toml_value(v)}" for k, v in table.items()]
        for p in points or []:
            lines += ["[[design.points]]"] + [f"{json.dumps(k)} = {toml_value(v)}" for k, v in p.items()]
    return "\n".join(lines) + "\n"


def _dotted(data: dict, prefix: str = "") -> list[tuple[str, object]]:
    out = []
    for k, v in data.items():
        if isinstance(v, dict) and v:
            out += _dotted(v, f"{prefix}{k}.")
        else:
            out.append((f"{prefix}{k}", v))
    return out


def experiment(tmp: Path, params: dict, n_scenarios: int) -> dict:
    files = []
    for i in range(n_scenarios):
        path = tmp / f"s{i}.toml"
        path.write_text(to_toml(params if i == 0 else {}, "tables", meta={"name": f"s{i}"}), encoding="utf-8")
        files.append(path.name)
    return {"name": "prop", "scenarios": files, "replications": 1, "root_seed": 5, "horizon_months": 12}


@settings(max_examples=examples(4))
@given(params=valid_data(max_leaves=3), shape=st.sampled_from([(1, 1), (1, 2), (2, 1)]),
       root_seed=st.integers(0, 2**63 - 1), design_table=design(), record=st.sampled_from(["summary", "monthly"]))
def test_valid_experiment_files_run(params, shape, root_seed, design_table, record):
    n_scenarios, reps = shape
    with tempfile.TemporaryDirectory() as tmp:
        exp = experiment(Path(tmp), params, n_scenarios) | {"replications": reps, "root_seed": root_seed,
                                                             "record": record}
        path = Path(tmp) / "exp.toml"
        path.write_text(experiment_toml(exp, {"run": {"n_investors": 1000}}, design_table), encoding="utf-8")
        out = Path(tmp) / "results"
        code, _, err = sim(["experiment", str(path), "--out", str(out), "--engine", "serial", "-q"])
        assert code == 0, err
        code, stdout, err = sim(["status", str(out)])
        assert code == 0 and "0 failed, 0 missing" in stdout, err + stdout


EXPERIMENT_PROBLEMS = {
    # name: (change to the [experiment] table or the text, key named, words)
    "replications_zero": ({"replications": 0}, "experiment.replications", "found 0"),
    "replications_float": ({"replications": 2.5}, "experiment.replications", "found 2.5"),
    "replications_nan": ({"replications": math.nan}, "experiment.replications", "found nan"),
    "root_seed_negative": ({"root_seed": -1}, "experiment.root_seed", "found -1"),
    "root_seed_inf": ({"root_seed": math.inf}, "experiment.root_seed", "found inf"),
    "root_seed_text": ({"root_seed": "seven"}, "experiment.root_seed", "found 'seven'"),
    "horizon_too_long": ({"horizon_months": 601}, "experiment.horizon_months", "found 601"),
    "horizon_nan": ({"horizon_months": math.nan}, "experiment.horizon_months", "found nan"),
    "record_unknown": ({"record": "daily"}, "experiment.record", "found 'daily'"),
    "typo_key": ({"replicatons": 2}, "experiment.replicatons", "did you mean 'replications'"),
    "missing_scenario": ({"scenarios": ["nowhere.toml"]}, "experiment.scenarios[0]", "no file"),
    "empty": (b"", "experiment", "found none"),
    "non_utf8": (b"[experiment]\n# caf\xe9\n", "-", "UTF-8"),
    "top_level_typo": ("[desing]\nkind = 'none'\n", "desing", "did you mean 'design'"),
}


@settings(max_examples=examples(25))
@given(data=st.data(), params=valid_data(max_leaves=3), mut=mutation(),
       where=st.sampled_from(["overrides", "design.values", "design.parameters", "experiment"]))
def test_spoiled_experiment_files_are_refused_with_one_line(data, params, mut, where):
    with tempfile.TemporaryDirectory() as tmp:
        exp = experiment(Path(tmp), params, 1)
        path = Path(tmp) / "exp.toml"
        overrides: dict = {"run": {"n_investors": 1000}}
        design_table = None
        if where == "overrides":
            for p, v in mut.values.items():
                node = overrides
                for part in p[:-1]:
                    node = node.setdefault(part, {})
                node[p[-1]] = v
            key, words = f"overrides.{mut.key}", mut.words
            text = experiment_toml(exp, overrides, None)
        elif where == "design.values":  # a bad value among good ones in a factorial sweep
            leaf = data.draw(st.sampled_from(SINGLE_NUMBERS))  # a share alone would break its group's sum
            bad = data.draw(st.sampled_from([math.nan, math.inf, -math.inf]))
            values = [data.draw(leaf_value(leaf)), bad]
            design_table = {"kind": "factorial", "values": {leaf.key: data.draw(st.permutations(values))}}
            key, words = f"design.values.{leaf.key}", ("found",)
            text = experiment_toml(exp, overrides, design_table)
        elif where == "design.parameters":  # a sampled range with a non-finite or missing end
            leaf = data.draw(st.sampled_from([x for x in SINGLE_NUMBERS if x.kind == "float"]))
            rng = data.draw(st.sampled_from([[math.nan, 1.0], [0.0, math.inf], [-math.inf, 0.0], [0.5], ["a", 1.0]]))
            design_table = {"kind": "lhs", "samples": 2, "parameters": {leaf.key: rng}}
            key, words = f"design.parameters.{leaf.key}", ("a range [low, high] of two finite numbers",)
            text = experiment_toml(exp, overrides, design_table)
        else:
            change, key, word = EXPERIMENT_PROBLEMS[data.draw(st.sampled_from(sorted(EXPERIMENT_PROBLEMS)))]
            words = (word,)
            if isinstance(change, dict):
                text = experiment_toml(exp | change, overrides, None)
            else:
                text = change if isinstance(change, bytes) else experiment_toml(exp, overrides, None) + change
        path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
        out, before = output_folder(Path(tmp))
        code, _, err = sim(["experiment", str(path), "--out", str(out), "--engine", "serial", "-q"])
        assert_refused(code, err, path, key, words)
        assert snapshot(out) == before
