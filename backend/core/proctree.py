"""A worker process's tree: every process its tasks started, wherever it went.

A worker leads a process group of its own, and a hard stop used to kill
that group. A child that leaves the group (``Popen(start_new_session=True)``,
``os.setpgid(0, 0)``, a daemon's double fork) left the hard stop behind. So:

- a worker is made a *child subreaper* (Linux's ``PR_SET_CHILD_SUBREAPER``):
  a process whose parent ends is handed to the worker, not to init, so it
  stays in the worker's tree while the worker lives;
- ending a worker ends its tree first, found from ``/proc`` by parent pid,
  and the worker's group after.

Where there is no ``/proc`` or no ``prctl`` (not Linux), only the group is
ended. Where there are no process groups (Windows, or the portable paths
chosen: :mod:`.portable`), :func:`end_tree` ends the tree through psutil:
every descendant is suspended, then killed, then the root. docs/modes.md says
what escapes each way. See docs/design.md.
"""

from __future__ import annotations

import os
import signal
import sys
from typing import Any, Callable

from .portable import portable

_PR_SET_CHILD_SUBREAPER = 36

# How many times to look again for processes that appeared while the tree was
# being ended (each kill hands the killed process's children to the worker).
_MAX_ROUNDS = 64

# States of a process that has ended: a zombie, and "X", dead (its parent reaps it at that instant).
_ENDED = (b"Z", b"X")


def become_subreaper() -> bool:
    """Make this process adopt its orphaned descendants (Linux); False where it cannot."""
    if not sys.platform.startswith("linux") or portable():
        return False
    try:
        import ctypes  # here: only a worker process needs it

        # The running program's own symbols include libc's (no library search).
        return bool(ctypes.CDLL(None).prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0)
    except (OSError, AttributeError):
        return False


def _processes() -> list[tuple[int, int, int, bytes]] | None:
    """Every process as ``(pid, ppid, pgrp, state)``, from /proc; None without /proc."""
    try:
        entries = os.listdir("/proc")
    except OSError:
        return None
    found = []
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as stat:
                line = stat.read()
        except OSError:  # ended meanwhile
            continue
        # The name, in parentheses, may hold spaces and ")": split after its last ")".
        fields = line[line.rfind(b")") + 2 :].split()  # state, ppid, pgrp, ...
        if len(fields) > 2:
            found.append((int(entry), int(fields[1]), int(fields[2]), fields[0]))
    return found


def descendants(root: int) -> list[int] | None:
    """The pids of ``root``'s living descendants (ended ones left out); None without /proc."""
    processes = _processes()
    if processes is None:
        return None
    children: dict[int, list[int]] = {}
    for pid, ppid, _pgrp, state in processes:
        if state not in _ENDED:
            children.setdefault(ppid, []).append(pid)
    found: list[int] = []
    stack = list(children.get(root, ()))
    while stack:
        pid = stack.pop()
        found.append(pid)
        stack.extend(children.get(pid, ()))
    return found


def group_has_members(pgid: int) -> bool:
    """Whether any living process is in group ``pgid`` (without /proc, assumed so)."""
    processes = _processes()
    if processes is None:
        return True
    return any(pgrp == pgid and state not in _ENDED for _pid, _ppid, pgrp, state in processes)


def kill_descendants(root: int) -> None:
    """SIGKILL every descendant of ``root``, until none is left.

    Each one killed hands its children to the nearest subreaper (the worker,
    ``root``), so they show up in the next look. ``root`` itself is left
    alone; a caller outside it stops it first (SIGSTOP), so that it starts
    nothing new meanwhile. The pids come from a look at /proc an instant
    before the kill: a pid freed and reused in that instant is the one race
    left, and needs the pid numbers to wrap around within it.
    """
    for _ in range(_MAX_ROUNDS):
        pids = descendants(root)
        if not pids:
            return
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass


def end_tree(root: int, kill_root: Callable[[], None], *, stop_root: bool = True) -> None:
    """End ``root``'s tree without process groups: suspend every descendant, kill them, then ``kill_root()``.

    Suspended first (and ``root`` too, with ``stop_root``), none can start
    another while the others are killed; each look finds what appeared since
    the last. Without psutil only ``kill_root()`` runs: what the root started
    outlives it. psutil checks each process's start time before a signal, so
    a pid reused meanwhile is never hit.
    """
    try:
        import psutil  # here: only a hard stop or a worker's end needs it
    except ImportError:
        kill_root()
        return
    try:
        try:
            process = psutil.Process(root)
            if stop_root:
                process.suspend()
        except psutil.Error:  # ended just now, or not ours
            return
        found: dict[int, Any] = {}
        for _ in range(_MAX_ROUNDS):
            try:
                fresh = [child for child in process.children(recursive=True) if child.pid not in found]
            except psutil.Error:
                break
            if not fresh:
                break
            for child in fresh:
                found[child.pid] = child
                _quietly(child.suspend, psutil.Error)
        for child in found.values():
            _quietly(child.kill, psutil.Error)
    finally:
        kill_root()


def _quietly(action: Callable[[], Any], errors: Any) -> None:
    try:
        action()
    except errors:  # ended just now
        pass
