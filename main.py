#!/usr/bin/env python3
"""Start the app: ``python main.py --help`` lists the options."""
from backend import quitsignals

# First of all: from here on, Ctrl+C or SIGTERM ends the app cleanly, whenever
# it comes (backend/quitsignals.py; the package imports nothing else yet).
# Not when a fork server imports this file to start worker processes.
if __name__ == "__main__":
    quitsignals.hold()

import sys  # noqa: E402

# The oldest version of each binding that the app accepts, and how to say it.
# PySide2 5.13 (what pip picks for PySide2 on Python 3.11+) lacks QtQuick 2.15;
# PySide6 is tested from 6.11 (README).
REQUIRED = {
    "PySide2": ((5, 15), "5.15 (Python 3.8 to 3.10)"),
    "PySide6": ((6, 11), "6.11 or newer"),
}


def binding_problem() -> str:
    """Why the Qt binding that qtpy picks (QT_API chooses) cannot run this app here, or "" if it can."""
    try:
        import qtpy
    except ImportError as error:  # no qtpy, or no binding that qtpy can load
        return f"no Qt binding for {sys.executable} ({error})."
    name, version = qtpy.API_NAME, qtpy.PYSIDE_VERSION or qtpy.PYQT_VERSION or ""
    if name not in REQUIRED:
        return f"{name} is not supported: this app runs on PySide2 or PySide6 (QT_API=pyside2 or QT_API=pyside6)."
    oldest, wanted = REQUIRED[name]
    if tuple(int(part) for part in version.split(".")[:2]) < oldest:
        return f"{name} {version} is too old: this app needs {wanted}."
    return ""


def run() -> int:
    problem = binding_problem()
    if problem:
        sys.stderr.write(f"error: {problem} Run 'make run', which sets up a venv with a supported binding.\n")
        return 1
    from backend.cli import main

    return main()


if __name__ == "__main__":
    code = run()
    quitsignals.ignore()  # the interpreter's exit, next, would put the fatal defaults back
    sys.exit(code)
