"""The package's layers depend one way: cli and the engine adapters on the core, never the reverse, and no cycles."""
from __future__ import annotations

import ast
from pathlib import Path

from conftest import SCRIPTS

PACKAGE = SCRIPTS / "claimkb"
# What each layer may import from the package. The engine adapters (site/mkdocs_plugin.py and its kin) may
# also reach the command line, for the page that documents it; render and the core never do.
ALLOWED = {
    "core": {"core"},
    "cite": {"core", "cite"},
    "site": {"core", "cite", "site"},
    "cli": {"core", "cite", "site", "cli"},
}
ADAPTERS = {"site/mkdocs_plugin.py"}


def _module(path: Path) -> str:
    rel = path.relative_to(SCRIPTS).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """Every claimkb module path imports, at any depth (imports inside functions count too)."""
    module = _module(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.startswith("claimkb"):
                found.add(target)
                found.update(f"{target}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("claimkb"))
    modules = {_module(p) for p in PACKAGE.rglob("*.py")}
    return {m for m in found if m in modules and m != module}


def _layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in ALLOWED else None


def test_layers_point_one_way() -> None:
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        layer = _layer(_module(path))
        if layer is None:
            continue
        allowed = ALLOWED[layer] | ({"cli"} if path.relative_to(PACKAGE).as_posix() in ADAPTERS else set())
        for target in sorted(_imports(path)):
            if _layer(target) not in allowed and _layer(target) is not None:
                wrong.append(f"{_module(path)} imports {target}")
    assert not wrong, "\n".join(wrong)


def test_no_import_cycles() -> None:
    graph = {_module(p): _imports(p) for p in PACKAGE.rglob("*.py")}
    # A package's __init__ re-exporting its own modules is not a dependency between them.
    graph = {m: {t for t in targets if not m.startswith(t + ".") and not t.startswith(m + ".")}
             for m, targets in graph.items()}
    state: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    assert not cycles, "\n".join(" -> ".join(c) for c in cycles)
