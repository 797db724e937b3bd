"""The app's entry point, for ``offthread`` and ``python main.py``. No Qt before it is needed."""

from __future__ import annotations

import logging
import os
import sys

from . import quitsignals

# The oldest version of each binding that the app accepts, and how to say it.
# PySide2 5.13 (what pip picks for PySide2 on Python 3.11+) lacks QtQuick 2.15;
# PySide6 is tested from 6.11 (README).
REQUIRED = {
    "PySide2": ((5, 15), "5.15 (Python 3.8 to 3.10)"),
    "PySide6": ((6, 11), "6.11 or newer"),
}


def binding_problem() -> str:
    """Why the Qt binding that the app picks (QT_API chooses) cannot run this app here, or "" if it can."""
    try:
        from ..engine import qt
    except ImportError as error:  # no binding, or QT_API names one the app does not run on
        return f"no Qt binding for {sys.executable} ({error})."
    oldest, wanted = REQUIRED[qt.NAME]
    if tuple(int(part) for part in qt.VERSION.split(".")[:2]) < oldest:
        return f"{qt.NAME} {qt.VERSION} is too old: this app needs {wanted}."
    return ""


def main(argv: list[str] | None = None) -> int:
    """Run the app with ``argv`` (the command line by default); return its exit code.

    Call :func:`offthread.app.quitsignals.hold` before importing anything
    heavy (``main.py`` does it on its first line; :func:`console` does it here).
    """
    problem = binding_problem()
    if problem:
        sys.stderr.write(
            f'error: {problem} Install PySide6-Essentials (pip install "offthread[pyside6]"), '
            "or run 'make run' in the repository, which sets up a venv with a supported binding.\n"
        )
        return 1
    from ..engine.lifetime import threads_left_behind
    from .cli import main as run_cli

    code = run_cli(argv)
    if threads_left_behind():
        exit_now(code)  # a task still runs on a thread: the interpreter's usual exit would fail under it
    return code


def console() -> None:
    """The ``offthread`` command."""
    quitsignals.hold()
    code = main()
    quitsignals.ignore()  # the interpreter's exit, next, would put the fatal defaults back
    sys.exit(code)


def exit_now(code: int) -> None:
    """End the process at once with ``code``, after flushing the logs and standard streams.

    For an app whose shutdown left a thread behind, still running Python
    code: the interpreter's own exit would tear Python down under that
    thread, which then fails in ways that print to stderr, or crash.
    """
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)
