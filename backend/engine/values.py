"""Values crossing between QML and Python: what ``run()`` receives and what a task object shows.

Python to QML (:func:`to_js`): ``None`` becomes ``null``; bools, numbers and
strings become JS values; lists and tuples become arrays; dicts with string
keys become objects, nested. Anything else becomes its display text, as the
task list shows it (``display_text``). An int beyond what a JS number holds
exactly (2**53) becomes its decimal text rather than a rounded number.

The result is a ``QJSValue``, made once: QML reads it by reference, so a
large result is never copied again on each read (a ``QVariant`` property
holding a dict would be converted to a new JS object on every read).

QML to Python (:func:`from_js`): what ``QJSValue.toVariant()`` gives, with
JS numbers that have no fraction as ints (JS has only doubles: ``3`` from QML
is ``range()``-ready). QML objects (an item passed as an argument) stay
QObjects.
"""

from __future__ import annotations

import math
from typing import Any

from ..core.display import display_text
from .qt.QtQml import QJSEngine, QJSValue

# The largest int a JS number holds exactly.
_EXACT = 2**53

# How deep nested lists and dicts are converted; deeper ones are shown as text
# (a list that contains itself would recurse for ever).
MAX_DEPTH = 64


def to_js(engine: QJSEngine, value: Any, depth: int = 0) -> QJSValue:
    """``value`` as a JS value of ``engine`` (see the module's rules)."""
    if value is None:
        return QJSValue(QJSValue.SpecialValue.NullValue)
    # Numbers and bools through the engine: PySide2 picks QJSValue's int
    # constructor for a float (2.5 became 2) and for a bool (True became 1).
    if isinstance(value, bool):
        return engine.toScriptValue(value)
    if isinstance(value, int):
        return engine.toScriptValue(float(value)) if -_EXACT <= value <= _EXACT else QJSValue(str(value))
    if isinstance(value, float):
        return engine.toScriptValue(value)
    if isinstance(value, str):
        return QJSValue(value)
    if depth < MAX_DEPTH:
        if isinstance(value, (list, tuple)):
            array = engine.newArray(len(value))
            for index, item in enumerate(value):
                array.setProperty(index, to_js(engine, item, depth + 1))
            return array
        if isinstance(value, dict) and all(isinstance(key, str) for key in value):
            target = engine.newObject()
            for key, item in value.items():
                target.setProperty(key, to_js(engine, item, depth + 1))
            return target
    return QJSValue(display_text(value))


def from_js(value: Any) -> Any:
    """A JS value from QML (a ``QJSValue`` or what Qt made of one) as the Python value a task gets."""
    if isinstance(value, QJSValue):
        if value.isUndefined() or value.isNull():
            return None
        if value.isQObject():
            return value.toQObject()
        value = value.toVariant()
    return _plain(value)


def _plain(value: Any) -> Any:
    if isinstance(value, float):
        if value.is_integer() and abs(value) <= _EXACT and not (value == 0 and math.copysign(1, value) < 0):
            return int(value)
        return value
    if isinstance(value, list):
        items: list[Any] = [_plain(item) for item in value]
        return items
    if isinstance(value, dict):
        mapping: dict[str, Any] = {str(key): _plain(item) for key, item in value.items()}
        return mapping
    return value
