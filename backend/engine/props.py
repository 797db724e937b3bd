"""Properties for QML that notify only on a real change."""

from __future__ import annotations

from typing import Any


def assign(owner: object, attribute: str, value: Any, changed: Any) -> bool:
    """Set ``owner.attribute`` to ``value`` and emit ``changed`` (a bound signal) only if it differs.

    Each notify costs QML an update of every binding on the property: a
    value set again unchanged must cost nothing. Returns whether it changed.
    """
    if getattr(owner, attribute) == value:
        return False
    setattr(owner, attribute, value)
    changed.emit()
    return True
