"""Import graph of ``src/finbot``: files and packages, cycles and layer violations.

Every ``import finbot...`` / ``from finbot... import`` counts, wherever it sits (module level,
inside a function, under ``TYPE_CHECKING``): a lazy import still ties two files together.

    python scripts/import_graph.py            # prints cycles and layer violations, exit 1 if any
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted((SRC / "finbot").rglob("*.py"))}


def _resolve(name: str, known: dict[str, Path]) -> str | None:
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name or None


def _imported(tree: ast.AST, here: str, is_pkg: bool) -> Iterator[str]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                pkg = here if is_pkg else here.rpartition(".")[0]
                for _ in range(node.level - 1):
                    pkg = pkg.rpartition(".")[0]
                base = f"{pkg}.{base}" if base else pkg
            yield base
            for alias in node.names:
                yield f"{base}.{alias.name}"


def file_graph() -> dict[str, set[str]]:
    known = modules()
    graph: dict[str, set[str]] = {}
    for name, path in known.items():
        deps: set[str] = set()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for target in _imported(tree, name, path.name == "__init__.py"):
            if not target.startswith("finbot"):
                continue
            resolved = _resolve(target, known)
            if resolved and resolved != name and not name.startswith(resolved + "."):
                deps.add(resolved)
        graph[name] = deps
    return graph


def package_of(name: str, depth: int) -> str:
    return ".".join(name.split(".")[:depth])


def package_graph(graph: dict[str, set[str]], depth: int) -> dict[str, set[str]]:
    """Collapse files into their package at ``depth`` dotted parts (2: ``finbot.storage``)."""
    out: dict[str, set[str]] = {}
    for src, deps in graph.items():
        a = package_of(src, depth)
        out.setdefault(a, set())
        for dst in deps:
            b = package_of(dst, depth)
            if a != b and not a.startswith(b + ".") and not b.startswith(a + "."):
                out[a].add(b)
    return out


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one node (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(root, iter(sorted(graph.get(root, ()))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    comp = []
                    while True:
                        top = stack.pop()
                        on_stack.discard(top)
                        comp.append(top)
                        if top == node:
                            break
                    if len(comp) > 1:
                        found.append(sorted(comp))
                continue
            if child not in index:
                index[child] = low[child] = counter
                counter += 1
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(sorted(graph.get(child, ())))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return found


def main() -> int:
    graph = file_graph()
    bad = 0
    for label, g in (
        ("file", graph),
        ("package", package_graph(graph, 2)),
        ("sub-package", package_graph(graph, 3)),
    ):
        for comp in cycles(g):
            bad += 1
            print(f"{label} cycle: {' <-> '.join(comp)}")
    print(f"{len(graph)} modules, {sum(len(d) for d in graph.values())} imports, {bad} cycles")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
