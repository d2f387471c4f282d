"""Imports run one way: web -> archive -> indexer. A module never imports a layer above it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import REPO

ABOVE = {"indexer": {"archive", "web"}, "archive": {"web"}}
# Imports still running upward; none are left (`web` registers `serve` through the entry point
# group `archive.commands`). Do not add to this list.
KNOWN: set[tuple[str, str]] = set()


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("layer", sorted(ABOVE))
def test_no_module_imports_a_layer_above_it(layer):
    upward = set()
    for path in sorted((REPO / layer).rglob("*.py")):
        relative = path.relative_to(REPO).as_posix()
        for module in imported_modules(path):
            if module.split(".")[0] in ABOVE[layer] and (relative, module) not in KNOWN:
                upward.add((relative, module))
    assert not upward, f"{layer}/ imports from a layer above it: {sorted(upward)}"


def test_the_known_exceptions_still_exist():
    for relative, module in KNOWN:
        assert module in imported_modules(REPO / relative), f"{relative} no longer imports {module}: drop it"
