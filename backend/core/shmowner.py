"""Who owns a shared-memory segment, told by its name; and the sweep of those whose owner is dead.

Every segment the pool makes (:mod:`.shared`) is named after the GUI
process it serves, its *owner*: ``offthread-<ns>-<pid>-<start>-...``, where
``ns`` is the owner's pid namespace, ``pid`` its pid and ``start`` when it
started (clock ticks since boot, from ``/proc/<pid>/stat``). A process that
is gone, or a pid now held by a process that started at another time, owns
nothing any more: :func:`sweep` removes what such an owner left (it was
killed before it could), and a pool runs it as it starts. ``/dev/shm`` is
emptied at each boot, so the pid and start time name a process for as long
as its segments can exist.

Where ``/proc`` cannot tell the start time, names carry 0 there: a segment
is then swept only once no process has its owner's pid (a pid taken again
by a new process keeps it until that one ends too). Segments of another pid
namespace (another container sharing this ``/dev/shm``) are never touched:
their pids mean nothing here. Nothing here imports Qt.

>>> owner = parse(f"{PREFIX}{tag()}-a7")
>>> owner == Owner(*(int(part) for part in tag().split("-")))
True
>>> parse("offthread-not-ours") is None
True
"""

from __future__ import annotations

import os
from typing import NamedTuple

__all__ = ["PREFIX", "Owner", "alive", "orphans", "parse", "set_tag", "tag"]

#: What every segment's name starts with.
PREFIX = "offthread-"


class Owner(NamedTuple):
    """The GUI process a segment serves, as its name says."""

    namespace: int
    pid: int
    start: int


def tag() -> str:
    """This process's owner tag, ``<ns>-<pid>-<start>``; in a worker, its GUI process's (:func:`set_tag`)."""
    pid = os.getpid()
    if _tag[0] != pid:  # first use, or a forked child: the tag of this process
        _tag[:] = [pid, f"{_namespace()}-{pid}-{_start_of(pid) or 0}"]
    return str(_tag[1])


_tag: list[object] = [0, ""]  # the pid it was made in, and the tag


def set_tag(owner_tag: str) -> None:
    """Name this process's segments after ``owner_tag`` (a worker's, after its GUI process)."""
    _tag[:] = [os.getpid(), owner_tag]


def parse(name: str) -> Owner | None:
    """The owner a segment's name gives, or None for a name that is not one of ours."""
    if not name.startswith(PREFIX):
        return None
    parts = name[len(PREFIX) :].split("-", 3)
    if len(parts) < 4 or not all(part.isdigit() for part in parts[:3]):
        return None
    return Owner(int(parts[0]), int(parts[1]), int(parts[2]))


def alive(owner: Owner) -> bool:
    """Whether ``owner`` may still be running (in doubt: yes)."""
    namespace = _namespace()
    if namespace and owner.namespace != namespace:
        return True  # another pid namespace: its pids are not ours to look up
    if not os.path.isdir("/proc/self"):
        return _exists(owner.pid)
    start = _start_of(owner.pid)
    if start is None:
        return False  # no such process, or a zombie: it reads nothing any more
    return not owner.start or start == owner.start


def orphans(names: list[str]) -> list[str]:
    """Those of ``names`` whose owner is dead (each owner looked up once)."""
    verdict: dict[Owner, bool] = {}
    dead: list[str] = []
    for name in names:
        owner = parse(name)
        if owner is None:
            continue
        if owner not in verdict:
            verdict[owner] = alive(owner)
        if not verdict[owner]:
            dead.append(name)
    return dead


def _namespace() -> int:
    """The inode of this process's pid namespace; 0 where it cannot be read."""
    try:
        return os.stat("/proc/self/ns/pid").st_ino
    except OSError:
        return 0


def _start_of(pid: int) -> int | None:
    """When process ``pid`` started (field 22 of its stat); None if there is none, or it is a zombie."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            text = stat.read()
    except OSError:
        return None
    fields = text[text.rfind(b")") + 2 :].split()  # its name, in brackets, may hold spaces
    if len(fields) < 20 or fields[0] in (b"Z", b"X"):
        return None
    return int(fields[19])


def _exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's: it exists
        return True
    return True
