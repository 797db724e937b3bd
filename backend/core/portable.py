"""Which of its paths the process pool takes on this platform.

The pool's native paths are POSIX ones: :mod:`selectors` on pipes, process
groups (``os.setsid``, ``os.killpg``) and, on Linux, a subreaper. Each has a
portable twin, taken where it is missing (Windows), or everywhere with
``OFFTHREAD_PORTABLE=1``, so that the twins are tested on Linux too:
:func:`multiprocessing.connection.wait` (:mod:`.waiting`), and a process
tree found and ended with psutil (:mod:`.proctree`).

Example::

    >>> import os
    >>> os.environ["OFFTHREAD_PORTABLE"] = "1"
    >>> portable(), groups()
    (True, False)
    >>> del os.environ["OFFTHREAD_PORTABLE"]
"""

from __future__ import annotations

import os
import sys

# The variable that makes the pool take the portable paths, wherever it runs.
PORTABLE_ENV = "OFFTHREAD_PORTABLE"
# The start methods the pool takes (not "fork": see processpool), and the variable that picks one.
START_METHODS = ("forkserver", "spawn")
START_METHOD_ENV = "OFFTHREAD_START_METHOD"


def portable() -> bool:
    """Whether the portable paths are chosen: on Windows, or with ``OFFTHREAD_PORTABLE=1``."""
    return sys.platform == "win32" or os.environ.get(PORTABLE_ENV, "") == "1"


def groups() -> bool:
    """Whether workers lead process groups of their own (POSIX, unless the portable paths are chosen)."""
    return hasattr(os, "setsid") and hasattr(os, "killpg") and not portable()
