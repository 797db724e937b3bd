"""Handing a Qt object to C++ for good, so that exiting never waits for it."""

from __future__ import annotations

import ctypes
import glob
import logging
import os
from typing import Callable

from . import qt
from .qt.QtCore import QObject

log = logging.getLogger(__name__)

# Shiboken::Object::releaseOwnership(PyObject*), a public function of
# Shiboken's C++ API, as the Itanium (Linux, macOS) and MSVC (Windows) ABIs
# spell it. The shiboken Python module does not expose it.
_RELEASE_OWNERSHIP_SYMBOLS = (
    "_ZN8Shiboken6Object16releaseOwnershipEP7_object",
    "?releaseOwnership@Object@Shiboken@@YAXPEAU_object@@@Z",
)

_kept: list[QObject] = []


def _find_release_ownership() -> Callable[[object], None] | None:
    module = qt.shiboken()
    if module.__file__ is None:
        return None
    folder = os.path.dirname(module.__file__)
    for library in glob.glob(os.path.join(folder, f"*{module.__name__}*")):
        try:
            handle = ctypes.PyDLL(library)  # already loaded: this only looks it up
        except OSError:
            continue
        for symbol in _RELEASE_OWNERSHIP_SYMBOLS:
            function = getattr(handle, symbol, None)
            if function is not None:
                function.argtypes = [ctypes.py_object]
                function.restype = None
                release: Callable[[object], None] = function
                return release
    return None


def keep_past_exit(qt_object: QObject) -> None:
    """Detach ``qt_object`` and never destroy it, not even when Python exits.

    This is for a thread pool whose thread still runs a task that ignored its
    cancel request. Destroying a ``QThreadPool`` waits for its threads without
    limit, and at exit PySide destroys every QObject that Python owns, so a
    task blocked in ``time.sleep(60)`` would hold the exit for a minute.
    Giving ownership to C++ (where nothing deletes it) lets the process end
    at once; the operating system then stops the thread.
    """
    qt_object.setParent(None)
    _kept.append(qt_object)  # never destroyed while Python runs
    release = _find_release_ownership()
    if release is None:
        log.warning("cannot hand %s to C++; exiting may wait for its threads", type(qt_object).__name__)
        return
    release(qt_object)  # ... nor when PySide cleans up at exit


def threads_left_behind() -> bool:
    """Whether :func:`keep_past_exit` had to leave a thread pool running (a task ignored its cancel)."""
    return bool(_kept)
