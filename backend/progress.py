"""Progress reports: checked, clamped to 0-100, never truncated."""
from __future__ import annotations

import numbers
from typing import Any, Tuple

# What a task reports: (value, maximum or None for percent, text or None).
Report = Tuple[Any, Any, Any]


def _check_number(value: object, rule: str) -> None:
    """Raise TypeError or ValueError, saying ``rule``, unless ``value`` is a real number."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{rule}, not {type(value).__name__}")
    if value != value:  # NaN has no place on a progress bar
        raise ValueError(f"{rule}, not NaN")


def to_percent(value: object) -> float:
    """Return ``value`` as a float clamped to [0, 100].

    The tutorial emits floats into ``Signal(int)``, which truncates 99.9 to 99
    and overflows on huge numbers; here ints and floats of any size keep their
    value, and anything out of range is clamped, so 100 always arrives as 100.
    """
    _check_number(value, "progress must be a number from 0 to 100")
    # Compare before converting: float() of a huge int overflows.
    if value <= 0:
        return 0.0
    if value >= 100:
        return 100.0
    return float(value)


def _short(number: float) -> str:
    return f"{number:.1f}".rstrip("0").rstrip(".")


def check_report(report: Report) -> Tuple[float, str]:
    """Return ``(percent, text)`` for a report, or raise TypeError/ValueError if it is not one.

    The text defaults to "37.5 %" for a percent and "3 / 10" for a value out of a maximum.
    """
    value, maximum, text = report
    if text is not None and not isinstance(text, str):
        raise TypeError(f"progress text must be a string, not {type(text).__name__}")
    if maximum is None:
        percent = to_percent(value)
        return percent, text if text is not None else f"{_short(percent)} %"
    _check_number(value, "progress must be a number")
    _check_number(maximum, "the progress maximum must be a number above 0")
    if maximum <= 0:
        raise ValueError(f"the progress maximum must be a number above 0, not {maximum}")
    if value <= 0:
        percent = 0.0
    elif value >= maximum:
        percent = 100.0
    else:
        percent = float(value) * 100.0 / float(maximum)
    return percent, text if text is not None else f"{value} / {maximum}"

