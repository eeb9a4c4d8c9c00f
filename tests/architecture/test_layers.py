"""The layering, enforced: library packages know nothing of Django or the web, and no two
packages import each other in a circle.

The library (``stats``, ``readers``, ``engine``, ``analysis``, ``charts``, ``remiss`` and the
vocabulary modules) is what a notebook user imports; the application layer (``web``, ``bundle``,
``reports``, ``cli``) calls it, never the other way round. ``docs/architecture.md`` draws the same
picture.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"
PACKAGE = SRC / "skillnader"

#: The application layer: may use Django and every library package.
APPLICATION = {"web", "bundle", "reports", "cli", "__main__"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {
        _module_name(p): p
        for p in PACKAGE.rglob("*.py")
        if "migrations" not in p.parts and "__pycache__" not in p.parts
    }


def _is_application(module: str) -> bool:
    """The web, the bundle loader, the reports, and every package's command-line module."""
    parts = module.split(".")
    return (len(parts) > 1 and parts[1] in APPLICATION) or parts[-1] == "cli"


def _unit(module: str) -> str:
    """The unit the graph is drawn between: a top-level package, one Django app, or a
    package's command-line module (``skillnader.engine.cli`` is not part of the engine)."""
    parts = module.split(".")
    if parts[-1] == "cli":
        return module
    if len(parts) >= 3 and parts[1] == "web":
        return ".".join(parts[:3])
    return ".".join(parts[:2])


def _imports(module: str, path: Path) -> set[str]:
    """Every ``skillnader`` module imported anywhere in the file, inside functions included."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    is_package = path.name == "__init__.py"
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".") if is_package else module.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.add(target)
            # ``from skillnader import stats`` names a package, not an attribute
            found.update(f"{target}.{a.name}" for a in node.names if target == "skillnader")
    return {m for m in found if m.startswith("skillnader.")}


def _library_units() -> set[str]:
    units = {_unit(m) for m in _modules() if m != "skillnader"}
    return {u for u in units if not _is_application(u)}


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = defaultdict(set)
    for module, path in _modules().items():
        for target in _imports(module, path):
            a, b = _unit(module), _unit(target)
            if a != b and b != "skillnader":
                graph[a].add(b)
    return graph


def test_no_library_package_imports_the_application_layer():
    library = _library_units()
    offending = []
    for module, path in _modules().items():
        if _unit(module) not in library:
            continue
        for target in _imports(module, path):
            if _is_application(target):
                offending.append(f"{module} imports {target}")
    assert offending == []


def test_importing_every_library_module_loads_no_django():
    library = _library_units()
    modules = sorted(m for m in _modules() if m != "skillnader" and _unit(m) in library)
    assert "skillnader.stats.disclosure" in modules and "skillnader.readers.px" in modules
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}:\n"
        "    importlib.import_module(m)\n"
        "bad = sorted(k for k in sys.modules if k == 'django' or k.startswith('django.'))\n"
        "print(len(bad))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "0"


def _cycles(graph: dict[str, set[str]]) -> list[str]:
    cycles: list[str] = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                # one name per cycle whatever node the search entered it by: from its
                # alphabetically first package
                ring = stack[stack.index(nxt) :]
                first = ring.index(min(ring))
                ring = ring[first:] + ring[:first]
                cycles.append(" -> ".join([*ring, ring[0]]))
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return cycles


def test_the_package_graph_has_no_cycles():
    # application packages included: the city report's goal chapter is registered by the goals
    # app (skillnader.reports.sections), so the reports import no app that imports them
    assert _cycles(_graph()) == []


def test_the_graph_sees_the_goal_chapter_registration_as_goals_app_to_reports():
    graph = _graph()
    assert "skillnader.reports" in graph["skillnader.web.steering"]
    assert "skillnader.web.steering" not in graph["skillnader.reports"]


def test_the_cycle_finder_finds_a_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == ["a -> b -> c -> a"]
    # entered at "d" (from "a", outside it), the cycle is still named from its first package
    assert _cycles({"a": {"d"}, "d": {"b"}, "b": {"c"}, "c": {"d"}}) == ["b -> c -> d -> b"]
    assert _cycles({"a": {"b"}, "b": set()}) == []
