"""The code's layers run one way: no import cycle among ``sim`` modules, no import from a higher layer, no private
name taken from another module.

Every ``import`` of a ``sim`` module counts, at module level, inside a function or under ``TYPE_CHECKING``: an
import for a type hint ties two modules as much as one that runs (a mechanism names the model it is given as
``m: ModelState``, from ``sim.model.state``, not as the model class that imports it). The
layers are declared here, from the bottom (README, "Layout", says what each holds); a module belongs to the layer
of the longest prefix that names it and may import its own layer and the layers below.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

LAYERS: dict[str, tuple[str, ...]] = {
    "foundation": ("sim", "sim.params", "sim.region", "sim.calibration", "sim.calibration.priors", "sim.calibration.patterns",
                   "sim.model.units",
                   "sim.model.stages", "sim.model.registry", "sim.model.vocabulary", "sim.scenario", "sim.errors",
                   "sim.files", "sim.provenance", "sim.stats", "sim.paramdoc"),
    "model": ("sim.model",),
    "experiments": ("sim.experiment", "sim.calibration.targets", "sim.calibration.inference",
                    "sim.calibration.sampler", "sim.calibration.fingerprint"),
    "analysis": ("sim.analysis", "sim.calibration.posterior"),
    "presentation": ("sim.report", "sim.app", "sim.calibration.charts", "sim.calibration.markdown",
                     "sim.calibration.report"),
    "command line": ("sim.cli", "sim.__main__", "sim.commands", "sim.arguments", "sim.run", "sim.policy",
                     "sim.experiment.cli", "sim.analysis.cli", "sim.report.cli", "sim.app.serve"),
}
"""Layer -> module prefixes, from the bottom."""


def modules(root: Path = ROOT) -> dict[str, Path]:
    """Dotted name -> file of every module of the ``sim`` package (a package is its ``__init__.py``)."""
    out = {}
    for path in sorted((root / "sim").rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return out


def layer(module: str) -> int:
    """Position from the bottom of the layer whose longest prefix names ``module``. The root package ``sim``
    names only its own ``__init__``: a new module directly under ``sim/`` is placed in a layer on purpose."""
    named = [p for ps in LAYERS.values() for p in ps if module == p or (p != "sim" and module.startswith(p + "."))]
    assert named, f"{module}: expected a layer in tests/test_layers.py (LAYERS) naming it, found none"
    best = max(named, key=len)
    return next(i for i, ps in enumerate(LAYERS.values()) if best in ps)


def imports(mods: dict[str, Path]) -> list[tuple[str, str, str, int]]:
    """(importer, imported module, name taken from it or '', line) of every import of a ``sim`` module, anywhere
    in a file; ``module._name`` read from a module imported by name counts as taking ``_name``."""
    out = []
    for name, path in mods.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        tree = ast.parse(path.read_text(encoding="utf-8"))
        bound: dict[str, str] = {}  # local name -> module, for module._name
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for a in node.names:
                    if a.name in mods:
                        out.append((name, a.name, "", node.lineno))
                        bound[a.asname or a.name] = a.name
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = ".".join([*package.split(".")[: len(package.split(".")) - node.level + 1], base]).strip(".")
                for a in node.names if base in mods else ():
                    sub = f"{base}.{a.name}"
                    out.append((name, sub, "", node.lineno) if sub in mods else (name, base, a.name, node.lineno))
                    if sub in mods:
                        bound[a.asname or a.name] = sub
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in bound
                    and node.attr.startswith("_") and not node.attr.startswith("__")):
                out.append((name, bound[node.value.id], node.attr, node.lineno))
    return out


def cycles(edges: set[tuple[str, str]]) -> list[list[str]]:
    """The import cycles: groups of modules that reach each other (strongly connected, Tarjan), each sorted."""
    graph: dict[str, list[str]] = {}
    for a, b in sorted(edges):
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


def test_every_module_of_sim_belongs_to_one_declared_layer():
    prefixes = [p for ps in LAYERS.values() for p in ps]
    assert len(prefixes) == len(set(prefixes)), "a prefix is declared in two layers"
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


def test_no_private_name_is_taken_from_another_module():
    private = [f"{a}:{line} takes {name} from {b}" for a, b, name, line in imports(modules())
               if name.startswith("_") and not name.startswith("__") and a != b]
    assert private == []
