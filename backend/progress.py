"""Percent-done values: validated and clamped, never truncated."""
from __future__ import annotations

import numbers


def to_percent(value: object) -> float:
    """Return ``value`` as a float clamped to [0, 100].

    The tutorial emits floats into ``Signal(int)``, which truncates 99.9 to 99
    and overflows on huge numbers; here ints and floats of any size keep their
    value, and anything out of range is clamped, so 100 always arrives as 100.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"progress must be a number from 0 to 100, not {type(value).__name__}")
    if value != value:  # NaN: no place on a progress bar
        raise ValueError("progress must be a number from 0 to 100, not NaN")
    # Compare before converting: float() of a huge int overflows.
    if value <= 0:
        return 0.0
    if value >= 100:
        return 100.0
    return float(value)
