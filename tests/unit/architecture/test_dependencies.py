"""Dependencies flow one way: no package of chalicelib/ imports one that imports it back.

Read from the source (every import, TYPE_CHECKING ones included), so a cycle
hidden behind a deferred import counts too. Capabilities depend downward;
cross-capability workflows live in chalicelib/orchestration, above them.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

from chalicelib.config import PROJECT_ROOT

CHALICELIB = PROJECT_ROOT / "chalicelib"


def _package_of(path: Path) -> str:
    return path.relative_to(CHALICELIB).parts[0].removesuffix(".py")


def _imported_packages(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        names: list[str] = []
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "chalicelib" and len(parts) > 1:
                found.add(parts[1])
    return found


def package_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = defaultdict(set)
    for path in CHALICELIB.rglob("*.py"):
        package = _package_of(path)
        graph[package] |= _imported_packages(path) - {package}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one package (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_package_level_import_cycle_in_chalicelib() -> None:
    graph = package_graph()
    loops = cycles(graph)
    detail = {" ↔ ".join(loop): {p: sorted(graph[p] & set(loop)) for p in loop} for loop in loops}
    assert loops == [], f"import cycles between packages: {detail}"


def test_the_check_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_orchestration_is_above_every_capability() -> None:
    graph = package_graph()
    assert not [p for p, targets in graph.items() if "orchestration" in targets], (
        "no capability may import orchestration"
    )


def test_nothing_in_chalicelib_imports_the_laptop_tools() -> None:
    for path in CHALICELIB.rglob("*.py"):
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith("classreel"), path
