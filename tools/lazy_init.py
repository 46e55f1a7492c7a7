"""Write a sub-package's ``__init__`` that hands on its main module's public names, imported when first used.

    .venv/bin/python tools/lazy_init.py intake read "docstring"

The package's ``__all__`` is copied from the module's (a test checks they agree).
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def names_of(pkg: str, mod: str) -> list[str]:
    tree = ast.parse((ROOT / "casplan" / pkg / f"{mod}.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "__all__" for t in node.targets):
            return list(ast.literal_eval(node.value))
    raise SystemExit(f"casplan/{pkg}/{mod}.py has no __all__")


def write(pkg: str, mod: str, doc: str) -> None:
    names = names_of(pkg, mod)
    listed = "".join(f'    "{n}",\n' for n in names)
    body = f'''"""{doc}"""

from importlib import import_module

__all__ = [
{listed}]


def __getattr__(name: str):
    """The public names of :mod:`casplan.{pkg}.{mod}`, imported when first used (no import cycle, fast start)."""
    if name in __all__:
        return getattr(import_module("casplan.{pkg}.{mod}"), name)
    raise AttributeError(f"module 'casplan.{pkg}' has no attribute {{name!r}}")
'''
    (ROOT / "casplan" / pkg / "__init__.py").write_text(body, encoding="utf-8")


if __name__ == "__main__":
    write(*sys.argv[1:4])
