"""Ctrl+C and SIGTERM, from the first line of ``main.py`` to its last.

A signal must end the app cleanly (exit code 0, nothing on stderr) at any
moment. Python's defaults do not: SIGINT raises KeyboardInterrupt wherever
the main thread happens to be (a traceback), and SIGTERM kills the process
(exit code -15), which leaves its worker processes to fend for themselves.

So ``main.py`` first calls :func:`hold`: from then on a signal is only
noted. Once the event loop can act on one, :class:`~offthread.app.interrupts.QuitOnSignals`
takes over and quits through the app's usual shutdown; it hands the signals
back to this module's handler afterwards, so one that comes during the
teardown is noted too, not fatal. Last, :func:`ignore` covers the
interpreter's own exit. Nothing here imports Qt: it runs before Qt is loaded.
"""

from __future__ import annotations

import signal
import sys
from types import FrameType

QUIT_SIGNALS = (signal.SIGINT, signal.SIGTERM)

_requested = False


def _note(signum: int, frame: FrameType | None) -> None:
    global _requested
    _requested = True


def hold() -> None:
    """Note SIGINT and SIGTERM from now on instead of dying of them (main thread only).

    Also unblocks them: a launcher may block them until the handlers are in
    place, so that one sent while the interpreter starts is not lost.
    """
    restore()
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, set(QUIT_SIGNALS))


def restore() -> None:
    """Put the noting handler back (after another one, such as QuitOnSignals's, is done)."""
    for signum in QUIT_SIGNALS:
        signal.signal(signum, _note)


def requested() -> bool:
    """Whether a quit signal came while only this module was listening."""
    return _requested


def ignore() -> None:
    """Ignore them from now on: for the interpreter's exit, which would put back the
    defaults while it tears itself down (the app has nothing left to quit by then)."""
    for signum in QUIT_SIGNALS:
        signal.signal(signum, signal.SIG_IGN)


def interrupted_before_main() -> bool:
    """Whether a Ctrl+C came while the interpreter itself started, and it carried on.

    CPython's start-up checks whether ``main.py`` is an import path entry, and
    a KeyboardInterrupt raised there is printed ("Failed checking if argv[0]
    is an import path entry") and dropped: the script then runs as if no
    signal had come. The one trace left is ``sys.last_exc`` (``last_value``
    before 3.12), which printing an exception sets. ``main.py`` asks this
    right after :func:`hold`, and quits if so. Only an interrupt raised in
    the interpreter's own frozen import code, called from C, counts: one
    an interactive console printed earlier (``%run main.py`` in IPython
    after a Ctrl+C there) is not a request to quit this app.

    One kind of loss leaves no trace: a KeyboardInterrupt raised inside a
    weakref callback of importlib's, which CPython reports as "Exception
    ignored" (python/cpython#95959). A second Ctrl+C quits as usual then.
    """
    last = getattr(sys, "last_exc", None) or getattr(sys, "last_value", None)
    if not isinstance(last, KeyboardInterrupt) or last.__traceback__ is None:
        return False
    return last.__traceback__.tb_frame.f_code.co_filename.startswith("<frozen ")
