#!/usr/bin/env python3
"""Start the app: ``python main.py --help`` lists the options."""
import sys

REQUIRED_QT = (5, 15)


def _binding_problem() -> str:
    """Why PySide2 cannot run this app here, or "" if it can."""
    try:
        import PySide2
    except ImportError:
        return f"PySide2 is not installed for {sys.executable}."
    if tuple(PySide2.__version_info__[:2]) < REQUIRED_QT:
        # pip picks PySide2 5.13 on Python 3.11+; it lacks QtQuick 2.15.
        return f"PySide2 {PySide2.__version__} is too old: this app needs 5.15 (Python 3.8 to 3.10)."
    return ""


if __name__ == "__main__":
    problem = _binding_problem()
    if problem:
        sys.exit(f"error: {problem} Run 'make run', which sets up .venv with PySide2 5.15.")
    from backend.cli import main

    sys.exit(main())
