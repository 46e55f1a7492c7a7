"""The package's shape holds (issue 15): truthful ``__all__``, one public face, no private name across
modules, no track of one year in the code, files read and written only through ``casplan.io``."""

from __future__ import annotations

import ast
import importlib
import json
import pkgutil
import re
import types
from pathlib import Path

import pytest

import casplan

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "casplan"
MODULES = sorted(m.name for m in pkgutil.walk_packages([str(PACKAGE)], prefix="casplan.")
                 if not m.name.endswith("__main__"))  # running them is the command
SOURCES = sorted(PACKAGE.rglob("*.py"))


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", MODULES)
def test_every_name_in_all_exists(name):
    module = importlib.import_module(name)
    for item in getattr(module, "__all__", ()):
        assert hasattr(module, item), f"{name}.__all__ names {item}, which it does not have"


def test_the_public_face_resolves_and_is_what_the_notebooks_use():
    for name in casplan.__all__:
        getattr(casplan, name)
    for nb in sorted((ROOT / "notebooks").glob("*.ipynb")) + [PACKAGE / "report" / "selection_report.ipynb"]:
        cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
        code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
        for line in code.splitlines():
            if re.match(r"\s*(from|import) casplan", line):
                assert re.match(r"\s*from casplan import ", line), f"{nb.name} imports past the public face: {line}"
                names = [n.strip() for n in line.split(" import ", 1)[1].split(",")]
                assert set(names) <= set(casplan.__all__), (nb.name, sorted(set(names) - set(casplan.__all__)))


def test_a_sub_package_name_is_never_shadowed_by_one_of_its_modules():
    """Importing every module first: a package's public name must still be the object, not a module of that name."""
    for name in MODULES:
        importlib.import_module(name)
    for name in MODULES:
        module = importlib.import_module(name)
        if not hasattr(module, "__path__"):
            continue
        for item in getattr(module, "__all__", ()):
            value = getattr(module, item)
            assert not isinstance(value, types.ModuleType) or module is casplan, f"{name}.{item} is a module"


def test_no_private_name_crosses_a_module():
    bad = []
    for path in SOURCES:
        for node in ast.walk(_tree(path)):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("casplan"):
                bad += [f"{path.relative_to(ROOT)}: from {node.module} import {a.name}" for a in node.names
                        if a.name.startswith("_") and not a.name.startswith("__")]
    assert not bad, bad


# The 2023 track ids: the code may not know them (docstrings and doctests may use them as examples).
# 精品/人社部 stay as names of the platform's own columns (精品项目, 同时申报人社部高研项目), not of tracks.
_TRACK_IDS = {"yanxiu", "duanqi", "jiangtan", "guanli"}


def _docstrings(tree: ast.Module) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                ids.add(id(first.value))
    return ids


def test_no_track_of_one_year_in_the_code():
    found = []
    for path in SOURCES:
        tree = _tree(path)
        docs = _docstrings(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs:
                hits = {w for w in _TRACK_IDS if re.search(rf"\b{w}\b", node.value)}
                if hits:
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno} {sorted(hits)}")
    assert not found, found


_FILE_CALLS = {"read_text", "write_text", "read_bytes", "write_bytes", "mkstemp", "NamedTemporaryFile"}


def test_files_are_read_and_written_through_casplan_io():
    """Outside casplan.io, only the report's run folder (casplan.report) handles files itself."""
    found = []
    for path in SOURCES:
        rel = path.relative_to(PACKAGE)
        if rel.parts[0] in ("io", "report"):
            continue
        tree = _tree(path)
        docs = _docstrings(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                f = node.func
                name = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""
                if name in _FILE_CALLS or name == "open" and isinstance(f, ast.Name):
                    found.append(f"{rel}:{node.lineno} {name}")
        del docs
    assert not found, found
