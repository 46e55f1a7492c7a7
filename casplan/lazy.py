"""Packages that hand on their modules' public names, each imported when first used.

A package's ``__init__`` lists where each of its names lives and asks :func:`attach` for the
module-level ``__getattr__`` and ``__dir__`` (PEP 562): importing the package stays fast and free
of import cycles, and ``__all__`` is exactly what the package offers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib import import_module

__all__ = ["attach", "skip_iri_grammars"]


def attach(package: str, home: Mapping[str, str]) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``package`` whose public name ``n`` lives in ``package.home[n]``.

    >>> getattr_, dir_ = attach("casplan.policy", {"Quota": "model"})
    >>> getattr_("Quota").__name__, dir_()
    ('Quota', ['Quota'])
    """
    names = sorted(home)

    def __getattr__(name: str) -> object:
        if name in home:
            return getattr(import_module(f"{package}.{home[name]}"), name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__() -> list[str]:
        return list(names)

    return __getattr__, __dir__


def skip_iri_grammars() -> bool:
    """Keep ``jsonschema`` from compiling its IRI grammars at import: 1.5 s of every report, twice.

    ``nbformat`` (which papermill, and plotly's notebook renderer, import) pulls in ``jsonschema``,
    whose ``_format`` module imports ``rfc3987_syntax`` when it is installed (the
    ``format-nongpl`` extra brings it); that package builds some 35 Lark parsers at import time
    (python-jsonschema/jsonschema#1428). No schema papermill or plotly validates uses the ``iri``
    formats, the only ones it serves, so the report's process and its kernel mark it absent before
    ``jsonschema`` is first imported: ``jsonschema`` then has no ``iri`` format checker, and nothing
    else changes. Does nothing (returns False) once ``jsonschema``'s formats are loaded.

    """
    import sys

    if "jsonschema._format" in sys.modules or "rfc3987_syntax" in sys.modules:
        return False
    sys.modules["rfc3987_syntax"] = None  # type: ignore[assignment]  # import raises ImportError
    return True
