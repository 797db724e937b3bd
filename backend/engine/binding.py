"""The one place that knows which Qt binding runs: PySide2 (Qt 5.15) or PySide6.

Everything else imports Qt from ``qtpy``, which picks the binding (``QT_API``
overrides its choice). What qtpy does not cover is here.
"""

from __future__ import annotations

import importlib
import os
from types import ModuleType

import qtpy

#: "PySide2" or "PySide6".
NAME: str = qtpy.API_NAME
#: The Qt version the binding was built against, e.g. "5.15.2".
QT_VERSION: str = qtpy.QT_VERSION or ""
#: Qt 6 (PySide6) rather than Qt 5.15 (PySide2).
QT6: bool = bool(qtpy.QT6)


def shiboken_module() -> ModuleType:
    """The binding's own shiboken module (``qtpy.shiboken`` only re-exports its names)."""
    return importlib.import_module("shiboken6" if qtpy.PYSIDE6 else "shiboken2")


_style_set = False


def use_basic_controls_style() -> None:
    """Style Qt Quick Controls as on Qt 5, where qml/ was designed; call before QML loads.

    Qt 5's default style is "Default". Qt 6 renamed it "Basic" and defaults to
    the platform's style instead: Fusion on Linux, which draws the DANGER!
    button's red as a pale gradient, and native styles on Windows and macOS,
    which do not support the QML's own backgrounds (they warn). A style chosen
    with QT_QUICK_CONTROLS_STYLE is kept. The style is process-wide and set
    once: setting it again after QML imported QtQuick.Controls only warns.
    """
    global _style_set
    if _style_set or not QT6 or os.environ.get("QT_QUICK_CONTROLS_STYLE"):
        return
    from qtpy.QtQuickControls2 import QQuickStyle

    QQuickStyle.setStyle("Basic")
    _style_set = True


def describe() -> str:
    """One line for logs and ``--version``: binding, its version and Qt's."""
    return f"{NAME} {qtpy.PYSIDE_VERSION} (Qt {QT_VERSION})"
