"""The package's layout: no import circle between its modules, and no hidden import between rooms.

The import graph is read from the source with `ast` (nothing is imported): an edge from module A to
module B for every ``import``/``from ... import`` of A that runs when A is imported (at module level or
in a class body, not inside a function), relative or absolute, including the packages Python imports
on the way (``from ..ensemble.plan import x`` runs ``ensemble/__init__.py`` first).
"""

import ast
from pathlib import Path

import pytest

import structural_plasticity

PACKAGE = "structural_plasticity"
ROOT = Path(structural_plasticity.__file__).parent

#: Modules whose function-level imports of package modules are checked (the command line, the ensemble
#: engine, results folders and their files). Each remaining one must say that it keeps NEST or pyplot
#: out of import time, or be listed in `LAZY_ALLOWED`.
LAZY_CHECKED = (
    "structural_plasticity.cli",
    "structural_plasticity.ensemble",
    "structural_plasticity.connectivity",
    "structural_plasticity.files",
    "structural_plasticity.folder",
    "structural_plasticity.output",
    "structural_plasticity.results",
)
#: Function-level imports left to other rooms: (module, imported module).
LAZY_ALLOWED = {
    # The signature of an experiment: analysis code, moving with the analysis package (issue 18).
    ("structural_plasticity.ensemble.scalars", "structural_plasticity.experiments.analysis"),
}


def _modules():
    """Return ``{module name: (path, is package)}`` for every module of the package."""
    modules = {}
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT.parent).with_suffix("").parts
        is_package = parts[-1] == "__init__"
        name = ".".join(parts[:-1] if is_package else parts)
        modules[name] = (path, is_package)
    return modules


MODULES = _modules()


def _absolute(node, module, is_package):
    """Return the absolute names a `from` import `node` in `module` imports (the module and its names)."""
    if node.level:
        base = module.split(".") if is_package else module.split(".")[:-1]
        base = base[: len(base) - (node.level - 1)]
        target = ".".join(base + ([node.module] if node.module else []))
    else:
        target = node.module
    return target, [f"{target}.{alias.name}" for alias in node.names]


def _imports(module, path, is_package, at_import_time=True):
    """Return ``[(line, imported module)]`` of `module`: those run at import (or only those inside functions)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found = []

    def visit(node, in_function):
        for child in ast.iter_child_nodes(node):
            inside = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            if isinstance(child, (ast.Import, ast.ImportFrom)) and inside != at_import_time:
                if isinstance(child, ast.Import):
                    names = [alias.name for alias in child.names]
                else:
                    target, members = _absolute(child, module, is_package)
                    # "from . import x" imports the submodule x; "from .a import b" imports a (and b, if a module).
                    names = [target] + [m for m in members if m in MODULES]
                for name in names:
                    if name == PACKAGE or name.startswith(PACKAGE + "."):
                        found.append((child.lineno, name))
            visit(child, inside)

    visit(tree, False)
    return found


def _graph():
    """Return ``{module: {imported module: line}}``: what importing each module imports, parents included."""
    graph = {}
    for module, (path, is_package) in MODULES.items():
        edges = graph.setdefault(module, {})
        own = set(_ancestors(module)) | ({module} if is_package else set())
        for line, name in _imports(module, path, is_package):
            while name not in MODULES and "." in name:  # "from .a import function": the module a
                name = name.rsplit(".", 1)[0]
            # Python imports the parent packages first; those of the importer itself are already under way.
            for target in [*_ancestors(name), name]:
                if target in MODULES and target not in own and target != module:
                    edges.setdefault(target, line)
    return graph


def _ancestors(name):
    parts = name.split(".")
    return [".".join(parts[:k]) for k in range(1, len(parts))]


def find_circle(graph):
    """Return one import circle of `graph` as a list of modules (first == last), or None."""
    state = {}
    stack = []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == "open":
                return stack[stack.index(target) :] + [target]
            if target not in state:
                circle = visit(target)
                if circle:
                    return circle
        stack.pop()
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state:
            circle = visit(node)
            if circle:
                return circle
    return None


def test_the_graph_sees_relative_absolute_and_package_imports():
    graph = _graph()
    assert "structural_plasticity.ensemble.plan" in graph["structural_plasticity.cli.ensemble"]
    assert "structural_plasticity.ensemble" in graph["structural_plasticity.cli.ensemble"]  # its __init__ runs first
    assert "structural_plasticity.cli.ensemble" in graph["structural_plasticity.cli"]  # "from .ensemble import ..."
    assert "structural_plasticity.cli" in graph["structural_plasticity.__main__"]
    assert "structural_plasticity.folder" in graph["structural_plasticity.results"]


def test_find_circle_names_the_circle():
    assert find_circle({"a": {"b": 1}, "b": {"c": 1}, "c": {"a": 1}}) == ["a", "b", "c", "a"]
    assert find_circle({"a": {"b": 1}, "b": {}, "c": {"a": 1}}) is None


def test_no_import_circle_in_the_package():
    graph = _graph()
    circle = find_circle(graph)
    if circle:
        steps = [f"{a} (line {graph[a][b]})" for a, b in zip(circle, circle[1:])]
        pytest.fail("import circle: " + " -> ".join(steps) + f" -> {circle[-1]}")


def test_function_level_imports_only_keep_nest_or_pyplot_out_of_import_time():
    """In the rooms of `LAZY_CHECKED`, a package module is imported inside a function only to keep NEST or pyplot
    out of import time (and says so), or by the exceptions of `LAZY_ALLOWED`."""
    hidden = []
    for module, (path, is_package) in MODULES.items():
        if not module.startswith(LAZY_CHECKED):
            continue
        lines = path.read_text(encoding="utf-8").splitlines()
        for line, name in _imports(module, path, is_package, at_import_time=False):
            while name not in MODULES and "." in name:
                name = name.rsplit(".", 1)[0]
            comment = lines[line - 1].partition("#")[2]
            if (module, name) not in LAZY_ALLOWED and not ("NEST" in comment or "pyplot" in comment):
                hidden.append(f"{path.relative_to(ROOT.parent)}:{line} imports {name}")
    assert not hidden, "function-level imports between package modules:\n" + "\n".join(hidden)


def test_the_ensemble_engine_never_imports_the_command_line():
    """``ensemble/`` is given the sub-commands (``commands``); no import of ``cli``, not even inside a function."""
    for module, (path, is_package) in MODULES.items():
        if module.startswith("structural_plasticity.ensemble"):
            imported = _imports(module, path, is_package) + _imports(module, path, is_package, at_import_time=False)
            assert not [name for _, name in imported if name.startswith("structural_plasticity.cli")], module
