"""The package's import graph, read from the source (imports inside functions and under
TYPE_CHECKING count): no two modules import each other, directly or in a circle, and each
layer imports only the layers under it — the faces (CLI, web) are never imported by the
engine. The checker is proven on planted defects in a copy of the tree."""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "reelwright"

# Top-level parts of the package, top layer first. A module may import its own part and the
# parts of lower layers; parts of one layer never import each other, except in the core layer
# at the bottom, where only the no-circle rule applies.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("reelwright",),  # the package facade: lazy re-exports only
    ("cli",),  # the command line
    ("review", "testing"),  # the web app; the test kit (scripted endpoints, tiny models)
    ("evals",),  # suites, mutation runs, calibration
    ("api",),  # the Python API: run, resume, decide
    ("graphs",),  # the episode graph: nodes, state, routing, checkpointer
    ("critic", "package", "revisions", "verification"),  # the critic; the package; revisions
    ("agents", "approval", "audio", "compliance", "renderers"),
    ("llm", "media"),  # the LLM port; the content-addressed media store
    (  # core: the vocabulary, records, settings and small utilities
        "config",
        "data",  # package data (watchlist YAML), no code
        "errors",
        "images",
        "loading",
        "locks",
        "logs",
        "messages",
        "models",
        "paths",
        "records",
        "request",
        "staging",
        "subtitles",
        "version",
    ),
)
FACES = ("cli", "review")


def module_names(root: Path) -> dict[str, Path]:
    """Every module of the package under `root`, by dotted name."""
    names = {}
    for path in root.rglob("*.py"):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names[".".join(parts)] = path
    return names


def import_graph(root: Path) -> dict[str, set[str]]:
    """module -> the package's modules it imports, anywhere in its source."""
    modules = module_names(root)

    def known(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets: set[str | None] = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                targets |= {known(alias.name) for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*up, base] if base else up)
                for alias in node.names:
                    full = f"{base}.{alias.name}"
                    targets.add(full if full in modules else known(base))
        graph[name] = {t for t in targets if t and t != name}
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
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
    return found


def part(module: str) -> str:
    pieces = module.split(".")
    return pieces[1] if len(pieces) > 1 else pieces[0]


def layer_breaches(graph: dict[str, set[str]]) -> list[str]:
    """Imports that reach up, or sideways between parts of one layer (outside the core)."""
    rank = {name: i for i, layer in enumerate(LAYERS) for name in layer}
    core = len(LAYERS) - 1
    breaches = []
    for source, targets in sorted(graph.items()):
        for target in sorted(targets):
            a, b = part(source), part(target)
            if a == b:
                continue
            if a not in rank or b not in rank:
                breaches.append(f"{source} -> {target}: {a if a not in rank else b} has no layer")
            elif rank[b] < rank[a] or (rank[b] == rank[a] and rank[a] != core):
                breaches.append(f"{source} -> {target}: {a} may not import {b}")
    return breaches


def face_imports(graph: dict[str, set[str]]) -> list[str]:
    return [
        f"{source} -> {target}"
        for source, targets in sorted(graph.items())
        for target in sorted(targets)
        if part(target) in FACES and part(source) not in FACES and part(source) != "reelwright"
    ]


def test_no_module_imports_another_in_a_circle():
    assert circles(import_graph(PACKAGE)) == []


def test_each_layer_imports_only_the_layers_under_it():
    assert layer_breaches(import_graph(PACKAGE)) == []


def test_the_engine_never_imports_the_command_line_or_the_web_app():
    assert face_imports(import_graph(PACKAGE)) == []


def test_every_part_of_the_package_has_a_layer():
    modules = {p.stem for p in PACKAGE.glob("*.py") if not p.stem.startswith("_")}
    packages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    parts = modules | packages
    placed = {name for layer in LAYERS for name in layer}
    assert parts - placed == set()


@pytest.fixture
def tree_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "reelwright"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def plant(module: Path, line: str) -> None:
    """An import inside a function, appended to a module."""
    module.write_text(module.read_text() + f"\n\ndef _planted() -> None:\n    {line}\n")


def test_a_planted_circle_inside_a_function_is_found(tree_copy: Path):
    plant(tree_copy / "paths.py", "from reelwright.staging import claim_out  # noqa")
    found = circles(import_graph(tree_copy))
    assert any({"reelwright.paths", "reelwright.staging"} <= set(c) for c in found)


def test_a_planted_circle_through_a_relative_import_is_found(tree_copy: Path):
    plant(tree_copy / "llm" / "port.py", "from .client import OpenAILLM  # noqa")
    found = circles(import_graph(tree_copy))
    assert any({"reelwright.llm.port", "reelwright.llm.client"} <= set(c) for c in found)


def test_a_planted_upward_import_breaches_the_layers(tree_copy: Path):
    plant(tree_copy / "agents" / "writer.py", "import reelwright.graphs.state  # noqa")
    assert layer_breaches(import_graph(tree_copy)) == [
        "reelwright.agents.writer -> reelwright.graphs.state: agents may not import graphs"
    ]


def test_a_planted_engine_import_of_the_web_app_is_found(tree_copy: Path):
    plant(tree_copy / "graphs" / "gates.py", "from reelwright.review import app  # noqa")
    assert face_imports(import_graph(tree_copy)) == [
        "reelwright.graphs.gates -> reelwright.review.app"
    ]


UNTYPED_DICTS_MAX = 40  # was 124: what is left are JSON wire formats code still indexes into


def test_untyped_dicts_stay_few():
    """`dict[str, Any]` turns type checking off for every value: typed models, TypedDicts or
    `dict[str, object]` (values narrowed before use) instead, wherever the shape is known."""
    found = sum(p.read_text().count("dict[str, Any]") for p in PACKAGE.rglob("*.py"))
    assert found <= UNTYPED_DICTS_MAX, f"{found} uses of dict[str, Any]"
