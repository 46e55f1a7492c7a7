"""Packages that hand on their modules' public names, each imported when first used.

A package's ``__init__`` lists where each of its names lives and asks :func:`attach` for the
module-level ``__getattr__`` and ``__dir__`` (PEP 562): importing the package stays fast and free
of import cycles, and ``__all__`` is exactly what the package offers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib import import_module

__all__ = ["attach"]


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
