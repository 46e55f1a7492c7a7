"""The ``casplan`` command (see :mod:`casplan.cli.main`)."""

from casplan.cli.main import build_parser, main

__all__ = ["main", "build_parser"]
