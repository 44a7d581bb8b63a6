"""The code's layers run one way: no import cycle, no import from a higher layer, no private name across modules.

Every ``import`` of a ``sim`` module counts, at module level or inside a function. The layers, from the
bottom (a module belongs to the longest prefix listed; README "Layout" says what each holds):
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

LAYERS: dict[str, tuple[str, ...]] = {
    "foundation": ("sim", "sim.params", "sim.scenario", "sim.errors", "sim.files", "sim.provenance", "sim.stats",
                   "sim.paramdoc", "sim.calibration", "sim.calibration.priors", "sim.model.units",
                   "sim.model.stages"),
    "model": ("sim.model",),
    "experiments": ("sim.experiment", "sim.calibration.inference", "sim.calibration.sampler",
                    "sim.calibration.targets"),
    "analysis": ("sim.analysis", "sim.calibration.posterior"),
    "presentation": ("sim.report", "sim.app", "sim.calibration.charts", "sim.calibration.markdown",
                     "sim.calibration.report"),
    "command line": ("sim.cli", "sim.commands", "sim.arguments", "sim.__main__", "sim.run", "sim.policy",
                     "sim.experiment.cli", "sim.analysis.cli", "sim.report.cli", "sim.app.serve"),
}
"""Layer name -> module prefixes, from the bottom: a module may import its own layer and the layers below."""


def modules(root: Path = ROOT) -> dict[str, Path]:
    """Dotted name -> file of every module of the ``sim`` package."""
    out = {}
    for path in sorted((root / "sim").rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return out


def layer(module: str) -> int:
    """Position from the bottom of the layer whose longest prefix holds ``module``."""
    best = max((p for ps in LAYERS.values() for p in ps if module == p or module.startswith(p + ".")), key=len)
    return next(i for i, ps in enumerate(LAYERS.values()) if best in ps)


def imports(mods: dict[str, Path]) -> list[tuple[str, str, str, int]]:
    """(importer, imported module, imported name or '', line) of every import of a ``sim`` module, anywhere."""
    out = []
    for name, path in mods.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                out += [(name, a.name, "", node.lineno) for a in node.names if a.name in mods]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = ".".join([*package.split(".")[: len(package.split(".")) - node.level + 1], base]).strip(".")
                for a in node.names if base in mods else ():
                    sub = f"{base}.{a.name}"
                    out.append((name, sub, "", node.lineno) if sub in mods else (name, base, a.name, node.lineno))
    return out


def cycles(edges: set[tuple[str, str]]) -> list[list[str]]:
    """The import cycles: strongly connected groups of more than one module (Tarjan), each sorted."""
    graph: dict[str, list[str]] = {}
    for a, b in edges:
        graph.setdefault(a, []).append(b)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = stack[stack.index(v):]
            del stack[stack.index(v):]
            if len(group) > 1:
                found.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_every_module_of_sim_belongs_to_a_layer():
    prefixes = {p for ps in LAYERS.values() for p in ps}
    assert len(prefixes) == sum(len(ps) for ps in LAYERS.values()), "a prefix is declared in two layers"
    for name in modules():
        layer(name)


def test_no_import_cycle_among_sim_modules():
    edges = {(a, b) for a, b, _, _ in imports(modules()) if a != b}
    assert cycles(edges) == []


def test_no_module_imports_from_a_higher_layer():
    names = list(LAYERS)
    upward = [f"{a}:{line} ({names[layer(a)]}) imports {b} ({names[layer(b)]})"
              for a, b, _, line in imports(modules()) if layer(b) > layer(a)]
    assert upward == []


def test_no_private_name_is_imported_from_another_module():
    private = [f"{a}:{line} imports {name} from {b}" for a, b, name, line in imports(modules())
               if name.startswith("_") and a != b]
    assert private == []
