"""The Qt binding, imported straight: PySide6 or PySide2, one per process.

The app imports Qt from here (``from ..engine.qt.QtCore import QObject``),
not through qtpy: importing qtpy's modules adds to start-up on top of the
binding's own, as qtpy loads QtWidgets, QtOpenGL and more to patch them
(bench/startup.py). What the two bindings name differently, and the app
uses, is covered here.

``QT_API`` chooses, as for qtpy (``pyside2`` or ``pyside6``); unset, the
first binding installed of PySide2 and PySide6, qtpy's order. Any other
value, or none installed, raises :exc:`ImportError`, with what to do.
"""

from __future__ import annotations

import importlib
import os
from types import ModuleType
from typing import Any

BINDINGS = ("PySide2", "PySide6")


def _choose() -> ModuleType:
    wanted = os.environ.get("QT_API", "").strip().lower()
    if wanted:
        names = [name for name in BINDINGS if name.lower() == wanted]
        if not names:
            raise ImportError(
                f"QT_API={wanted} names a binding this app does not run on: use QT_API=pyside2 or QT_API=pyside6"
            )
    else:
        names = list(BINDINGS)
    problem: ImportError | None = None
    for name in names:
        try:
            return importlib.import_module(name)
        except ImportError as error:
            problem = error
    raise ImportError(f"no Qt binding: install PySide6 (or PySide2 5.15 on Python 3.10 or older) ({problem})")


_binding = _choose()

#: "PySide2" or "PySide6".
NAME: str = _binding.__name__
#: The binding's own version, e.g. "6.11.3".
VERSION: str = _binding.__version__
#: Qt 6 (PySide6) rather than Qt 5.15 (PySide2).
QT6: bool = NAME == "PySide6"


def module(name: str) -> ModuleType:
    """The binding's module ``name``, e.g. ``module("QtCore")``."""
    return importlib.import_module(f"{NAME}.{name}")


def shiboken() -> ModuleType:
    """The binding's shiboken module (``isValid``, ``delete``)."""
    return importlib.import_module("shiboken6" if QT6 else "shiboken2")


def run_loop(loop: Any) -> int:
    """``loop.exec()``: PySide2 names it ``exec_``; PySide6 warns that ``exec_`` will go."""
    return int(loop.exec() if QT6 else loop.exec_())
