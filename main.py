#!/usr/bin/env python3
"""Start the app from the repository: ``python main.py --help`` lists the options.

The same as the ``offthread`` command that ``pip install .`` makes. The
package (``backend/`` here) is imported as ``offthread``, so it must be
installed, as ``make run`` does (``pip install -e .``).
"""

import sys

try:
    # Imports nothing heavy: console() first takes charge of Ctrl+C and SIGTERM.
    from offthread.app.launch import console
except ImportError as error:
    sys.exit(
        f"error: the offthread package is not installed for {sys.executable} ({error}). "
        "Run 'make run', which sets up a venv with it."
    )

# Not when a fork server imports this file to start worker processes.
if __name__ == "__main__":
    console()
