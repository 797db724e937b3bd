"""Progress reports: checked, clamped to 0-100, never truncated."""

from __future__ import annotations

import numbers
from fractions import Fraction
from typing import Any, Tuple

# What a task reports: (value, maximum or None for percent, text or None).
Report = Tuple[Any, Any, Any]


def _check_number(value: object, rule: str) -> None:
    """Raise TypeError or ValueError, saying ``rule``, unless ``value`` is a real number."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{rule}, not {type(value).__name__}")
    if value != value:  # NaN has no place on a progress bar
        raise ValueError(f"{rule}, not NaN")


def to_percent(value: Any) -> float:
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


# Whole numbers longer than this are shown in scientific form: 1.23e400.
_LONGEST_WHOLE = 15


def number_text(value: Any) -> str:
    """A progress count as people read it: "700,000", "2.5", "1.23e400"."""
    if isinstance(value, numbers.Integral):
        digits = str(abs(int(value)))
        if len(digits) <= _LONGEST_WHOLE:
            return f"{int(value):,}"
        sign = "-" if value < 0 else ""
        return f"{sign}{digits[0]}.{digits[1:3]}e{len(digits) - 1}"
    try:
        return f"{float(value):,.6g}"
    except (OverflowError, TypeError, ValueError):
        return str(value)


def percent_text(percent: float) -> str:
    """The text shown for a percent: "37.5 %"."""
    return f"{_short(percent)} %"


def _ratio(value: Any, maximum: Any) -> float:
    """``value / maximum`` for 0 < value < maximum, whatever their size or kind."""
    try:
        ratio = value / maximum
        return float(ratio)
    except (ArithmeticError, TypeError):  # a float beside an int too large for one, or mixed kinds
        return float(Fraction(value) / Fraction(maximum))


def check_report(report: Report) -> tuple[float, str]:
    """Return ``(percent, text)`` for a report, or raise TypeError/ValueError if it is not one.

    The text defaults to "37.5 %" for a percent and "3 / 10" for a value out of
    a maximum. Numbers of any size work: ``10**399`` out of ``10**400`` is 10 %.
    Nothing else is ever raised, whatever the numbers are made of.
    """
    try:
        return _check_report(report)
    except (TypeError, ValueError):
        raise
    except Exception as error:  # e.g. a number type whose arithmetic fails in its own way
        raise ValueError(f"progress must be a number that can be compared and divided: {error}") from error


def _check_report(report: Report) -> tuple[float, str]:
    value, maximum, text = report
    if text is not None and not isinstance(text, str):
        raise TypeError(f"progress text must be a string, not {type(text).__name__}")
    if maximum is None:
        percent = to_percent(value)
        return percent, text if text is not None else percent_text(percent)
    _check_number(value, "progress must be a number")
    _check_number(maximum, "the progress maximum must be a number above 0")
    if maximum <= 0:
        raise ValueError(f"the progress maximum must be a number above 0, not {number_text(maximum)}")
    if value <= 0:
        percent = 0.0
    elif value >= maximum:
        percent = 100.0
    else:
        percent = min(100.0, max(0.0, _ratio(value, maximum) * 100.0))
    return percent, text if text is not None else f"{number_text(value)} / {number_text(maximum)}"
