"""The package's layout rules, checked on its source (docs/architecture.md states them).

- Data flows one way: a module imports only from its own layer and the layers below it.
- protocol/ knows no I/O library, driver/ no SSH and no optio engine, hosts/ no conversation;
  only task/ and the layers above it (and testing/, which runs real engines) know optio-core.
- No hand-written module over 500 lines; no function over 60 lines unless the line above its
  ``def`` is a comment starting ``# Long:`` that says why.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "optio_codex"
GENERATED = {"protocol/wire.py"}
MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 60

# Lower number = lower layer. Leaf modules (no package imports) sit below everything.
LAYERS: dict[str, int] = {
    "_version": 0,
    "binary": 0,
    "mappings": 0,
    "info": 0,  # AGENT_INFO (optio-agents' AgentInfo only)
    "blob_crypto": 0,  # encryption at rest for GridFS blobs (seeds, snapshots)
    "protocol": 1,
    "transport": 2,
    "driver": 3,
    "hosts": 4,
    "task": 5,
    "ui": 6,
    "credentials": 6,
    "snapshots": 6,
    "tui": 6,
    "factory": 7,  # create_codex_task: puts task/ and the layers beside ui/ together
    "testing": 8,
    "cli": 9,
    "__init__": 10,  # the public face: re-exports only
    "types": 10,  # the published module path of the config vocabulary: re-exports only
    "account": 10,  # the published module path of the account helpers
}
# Third-party packages a layer must not know, and why.
FORBIDDEN_LIBRARIES: dict[str, tuple[str, ...]] = {
    "protocol": ("asyncssh", "optio_core", "optio_host", "optio_agents", "websockets"),
    "transport": ("optio_core", "optio_host", "optio_agents"),
    "driver": ("asyncssh", "optio_core", "optio_host"),
    "hosts": ("optio_core",),
}
# Layer pairs that the order alone would allow but the design forbids.
FORBIDDEN_LAYERS: dict[str, tuple[str, ...]] = {
    "hosts": ("driver",),  # hosts knows nothing of conversations
}


def modules() -> Iterator[tuple[str, Path]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path.relative_to(PACKAGE).as_posix(), path


def layer_of(relative: str) -> str:
    head = relative.split("/", 1)[0]
    return head.removesuffix(".py")


def imported_modules(tree: ast.AST) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module


def test_every_module_has_a_layer() -> None:
    unknown = {layer_of(rel) for rel, _ in modules()} - set(LAYERS)
    assert not unknown, f"modules outside the known layers: {sorted(unknown)}"


@pytest.mark.parametrize("relative", [rel for rel, _ in modules()])
def test_imports_flow_one_way(relative: str) -> None:
    own = layer_of(relative)
    tree = ast.parse((PACKAGE / relative).read_text())
    problems = []
    for lineno, name in imported_modules(tree):
        top = name.split(".", 1)[0]
        if top == "optio_codex":
            parts = name.split(".")
            if len(parts) < 2:
                continue
            target = parts[1]
            if target not in LAYERS:
                problems.append(f"{relative}:{lineno} imports {name}: not a known layer")
            elif LAYERS[target] > LAYERS[own] or target in FORBIDDEN_LAYERS.get(own, ()):
                problems.append(f"{relative}:{lineno} ({own}) imports {name} ({target})")
        elif top in FORBIDDEN_LIBRARIES.get(own, ()):
            problems.append(f"{relative}:{lineno} ({own}) must not use {top}")
    assert not problems, "\n".join(problems)


def test_leaf_modules_import_nothing_of_the_package() -> None:
    for relative, path in modules():
        if LAYERS.get(layer_of(relative)) != 0:
            continue
        names = [n for _, n in imported_modules(ast.parse(path.read_text()))]
        assert not [n for n in names if n.startswith("optio_codex")], relative


def test_modules_are_small() -> None:
    big = {
        rel: n
        for rel, path in modules()
        if rel not in GENERATED and (n := len(path.read_text().splitlines())) > MAX_MODULE_LINES
    }
    assert not big, f"modules over {MAX_MODULE_LINES} lines: {big}"


def long_functions(path: Path) -> Iterator[str]:
    source = path.read_text()
    lines = source.splitlines()
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
        length = (node.end_lineno or node.lineno) - node.lineno + 1
        above = lines[first - 2].strip() if first >= 2 else ""
        if length > MAX_FUNCTION_LINES and not above.startswith("# Long:"):
            yield f"{node.name} (line {node.lineno}, {length} lines)"


def test_functions_are_short_or_say_why() -> None:
    found = {
        rel: found
        for rel, path in modules()
        if rel not in GENERATED and (found := list(long_functions(path)))
    }
    assert not found, f"functions over {MAX_FUNCTION_LINES} lines without '# Long:': {found}"
