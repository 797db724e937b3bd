#!/usr/bin/env python3
"""Start the app from the repository: ``python main.py --help`` lists the options.

The same as the ``offthread`` command that ``pip install .`` makes. The
package (``backend/`` here) is imported as ``offthread``, so it must be
installed, as ``make run`` does (``pip install -e .``).
"""

import sys

# A frozen app (make bundle) starts its worker processes, and its fork server,
# by running itself again: there freeze_support() runs what multiprocessing
# asked for, and exits; in the app it returns at once.
if getattr(sys, "frozen", False):
    import multiprocessing

    multiprocessing.freeze_support()

try:
    # The C module under signal: importing signal itself builds its enums in
    # Python, long enough (on 3.13) for a Ctrl+C to land inside that import.
    import _signal
except ImportError:  # an interpreter without it
    import signal as _signal

# Ctrl+C or SIGTERM while the package is imported (its first 50 ms) is noted
# here, with the standard library alone, and handed on below; without this it
# raised KeyboardInterrupt inside an import: a traceback, and exit code -2.
# Not when a worker process started by "spawn" imports this file.
_early = []
if __name__ == "__main__":
    for _signum in (_signal.SIGINT, _signal.SIGTERM):
        _signal.signal(_signum, lambda signum, frame: _early.append(signum))

try:
    # Imports nothing heavy: console() first takes charge of Ctrl+C and SIGTERM.
    from offthread.app import quitsignals
    from offthread.app.launch import console
except ImportError as error:
    sys.exit(
        f"error: the offthread package is not installed for {sys.executable} ({error}). "
        "Run 'make run', which sets up a venv with it."
    )

# Not when a fork server imports this file to start worker processes.
if __name__ == "__main__":
    quitsignals.hold()
    if quitsignals.interrupted_before_main():  # one the interpreter caught and dropped
        _early.append(_signal.SIGINT)
    for _signum in _early:  # noted now as if they came now: the app quits at its first chance
        _signal.raise_signal(_signum)
    console()
