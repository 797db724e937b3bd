"""The demo's types in the QML module ``Offthread``, beside the engine's.

QML files then declare ``required property Backend backend`` instead of an
untyped ``QtObject``, and QML tools know every property and slot: they read
the same types from ``qml/types/Offthread/offthread.qmltypes``, which
``scripts/qmltypes.py`` makes from these classes' source.
"""

from __future__ import annotations

from typing import Any

from ..engine.qmlmodule import ENGINE_TYPES, MAJOR, MINOR, MODULE, register_types
from .backend import Backend
from .lagmeter import LagMeter

__all__ = ["MAJOR", "MINOR", "MODULE", "TYPES", "register_qml_types"]

# Each type, and why QML cannot make one itself: the engine's, then the demo's.
TYPES: tuple[tuple[Any, str], ...] = ENGINE_TYPES + (
    (LagMeter, "the Backend makes its lag meter"),
    (Backend, "the app makes the Backend and hands it to the window"),
)


def register_qml_types() -> None:
    """Register the engine's and the demo's types in module ``Offthread 1.0`` (once)."""
    register_types(TYPES)
