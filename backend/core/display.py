"""A task's result as text for the window: made once per value, never longer than a screenful."""

from __future__ import annotations

import reprlib
from typing import Any

from .errors import safe_str

# The longest text shown for a result; the rest is cut, with "…". A view
# has no use for more, and a longer string costs every binding that reads it.
TEXT_LIMIT = 10_000

# Containers are shown through reprlib, which stops after this many items
# (or levels) instead of rendering millions first and cutting after.
_CONTAINERS = reprlib.Repr()
_CONTAINERS.maxlist = _CONTAINERS.maxtuple = _CONTAINERS.maxset = 1000
_CONTAINERS.maxfrozenset = _CONTAINERS.maxdeque = _CONTAINERS.maxarray = 1000
_CONTAINERS.maxdict = 500
_CONTAINERS.maxlevel = 4
_CONTAINERS.maxstring = _CONTAINERS.maxother = TEXT_LIMIT


def display_text(value: Any, limit: int = TEXT_LIMIT) -> str:
    """``value`` as text of at most ``limit`` characters (and "…"); "" for None."""
    if value is None:
        return ""
    kind = type(value)
    if kind is int or kind is float or kind is bool:  # the usual result, at the cost of str() alone
        text = safe_str(value)  # an int past the digits Python will print says so
    elif isinstance(value, str):
        text = value
    elif isinstance(value, (bytes, bytearray, memoryview)):
        data = memoryview(value).cast("B") if isinstance(value, memoryview) else value
        text = f"{len(data):,} bytes: {bytes(data[:limit]).__repr__()}"
    elif isinstance(value, (list, tuple, set, frozenset, dict)):
        try:
            text = _CONTAINERS.repr(value)
        except Exception:  # an item whose repr raises
            text = safe_str(value)
        if len(value) > _CONTAINERS.maxlist:  # reprlib left most out: say how many there are
            text = f"{len(value):,} items: {text}"
    else:
        text = safe_str(value)
    return text if len(text) <= limit else text[:limit] + "…"
