"""Checking the numbers that callers (Python code, QML bindings) hand to the backend."""

from __future__ import annotations

import logging
import math
import numbers
from typing import Any

log = logging.getLogger(__name__)


def whole_number_in_range(value: Any, name: str, low: int, high: int, current: int) -> int:
    """``value`` as a whole number within [low, high], for a setting called ``name``.

    - not a number at all (a string, None, a bool): TypeError, since only Python
      code can pass one (QML converts first);
    - not a whole number (NaN, infinity, 2.5): a warning, and ``current`` is kept;
    - out of range (0, 10**10): a warning, and the nearest end of the range.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a whole number from {low} to {high}, not {type(value).__name__}")
    number: Any = value  # a Real: int() and float() take it
    if isinstance(number, numbers.Integral) or (math.isfinite(number) and float(number).is_integer()):
        whole = int(number)
    else:
        log.warning("%s must be a whole number from %d to %d, not %r; it stays %d", name, low, high, value, current)
        return current
    if not low <= whole <= high:
        nearest = min(high, max(low, whole))
        log.warning("%s must be from %d to %d, not %s; using %d", name, low, high, f"{whole:,}", nearest)
        return nearest
    return whole
