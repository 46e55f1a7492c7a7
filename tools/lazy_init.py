"""Write a sub-package's ``__init__`` that hands on its modules' public names, imported when first used.

    .venv/bin/python tools/lazy_init.py eligibility checker,rules "docstring"

The package's ``__all__`` is the modules' ``__all__`` in the order given (a name may be public in
one module only); each name is imported from its own module on first use, so importing the package
is fast and free of import cycles. ``tests/test_packaging.py`` checks that every package agrees
with its modules.
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


def write(pkg: str, mods: str, doc: str) -> None:
    home: dict[str, str] = {}
    for mod in mods.split(","):
        for n in names_of(pkg, mod):
            if n in home:
                raise SystemExit(f"{n} is public in both casplan.{pkg}.{home[n]} and casplan.{pkg}.{mod}")
            home[n] = mod
    listed = "".join(f'    "{n}": "{m}",\n' for n, m in home.items())
    body = f'''"""{doc}"""

from casplan.lazy import attach

_HOME = {{
{listed}}}
__all__ = list(_HOME)
__getattr__, __dir__ = attach(__name__, _HOME)
'''
    (ROOT / "casplan" / pkg / "__init__.py").write_text(body, encoding="utf-8")


if __name__ == "__main__":
    write(*sys.argv[1:4])
