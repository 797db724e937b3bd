"""A GUI process killed while it owns shared-memory segments leaves none for long: the next
process pool to start removes those of dead owners, and never those of live ones."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from offthread.core import shared, shmowner
from offthread.core.processpool import ProcessPool

pytestmark = pytest.mark.skipif(not shared.available(), reason="no POSIX shared memory as files here")

ROOT = Path(__file__).resolve().parent.parent
MIB = 1 << 20

# A GUI process in miniature: a pool whose manager thread stalls for good as its task
# starts, so the worker's result segment is made and never read. It prints its tag.
STALLED_OWNER = """
import sys, threading
sys.path.insert(0, {root!r})
from offthread.core import shmowner
from offthread.core.processpool import ProcessPool
from tests import tasks

def emit(name, task_id, *args):
    if name == "started":
        threading.Event().wait()  # the manager thread reads nothing more

pool = ProcessPool(1, emit)
pool.submit(1, (tasks.echo, (bytes(2 * {mib}),), {{}}))
print(shmowner.tag(), flush=True)
threading.Event().wait()
"""

# One that exits (without a shutdown) while its task runs: its argument segment goes at exit.
EXITING_OWNER = """
import os, sys, threading
sys.path.insert(0, {root!r})
from offthread.core import shmowner
from offthread.core.processpool import ProcessPool
from tests import tasks

warm, started = threading.Event(), threading.Event()
pool = ProcessPool(1, lambda name, task_id, *args: name == "finished" and warm.set() or name == "started" and task_id == 2 and started.set())
pool.submit(1, (tasks.square, (2,), {{}}))
warm.wait(30)  # its worker has started: the exit comes while the task runs, not while a worker starts
pool.submit(2, (tasks.nbytes_after, (30, bytes(2 * {mib})), {{}}))
started.wait(30)
print(shmowner.tag(), sorted(n for n in os.listdir("/dev/shm") if n.startswith("offthread-" + shmowner.tag())), flush=True)
"""


def names_of(tag: str) -> list[str]:
    return sorted(name for name in os.listdir(shared.SHM_DIR) if name.startswith(f"{shmowner.PREFIX}{tag}-"))


def make_segment(name: str) -> str:
    with open(os.path.join(shared.SHM_DIR, name), "wb") as segment:
        segment.write(b"x")
    return name


@pytest.fixture
def pool():
    made = ProcessPool(1, lambda *args: None)
    yield made
    assert made.shutdown(5)


def test_a_killed_gui_process_leaves_no_segment_once_a_new_pool_starts(qtbot, pool):
    code = STALLED_OWNER.format(root=str(ROOT), mib=MIB)
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        tag = child.stdout.readline().strip()
        assert tag, "the child did not start"
        # Its argument's segment, and its worker's result segment, which it will never read.
        qtbot.waitUntil(lambda: any("-w" in name for name in names_of(tag)), timeout=30000)
        assert any(name.startswith(f"{shmowner.PREFIX}{tag}-a") for name in names_of(tag))
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(30)
        child.stdout.close()
    left = names_of(tag)
    assert len(left) == 2  # nothing else would ever remove them
    pool.start()  # sweeps as it starts
    qtbot.waitUntil(lambda: names_of(tag) == [], timeout=10000)


def test_a_gui_process_that_exits_without_a_shutdown_removes_its_argument_segments():
    code = EXITING_OWNER.format(root=str(ROOT), mib=MIB)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    tag, held = done.stdout.split(" ", 1)
    assert "-a" in held  # its task's argument was in shared memory as it exited
    assert names_of(tag) == []


def test_the_sweep_removes_only_what_dead_owners_left():
    mine = shmowner.tag()
    namespace, pid, start = (int(part) for part in mine.split("-"))
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    names = {
        "live": make_segment(f"{shmowner.PREFIX}{mine}-a999999"),
        "dead": make_segment(f"{shmowner.PREFIX}{namespace}-{dead.pid}-{start}-w1-0"),
        "reused pid": make_segment(f"{shmowner.PREFIX}{namespace}-{pid}-{start + 1}-a0"),
        "other namespace": make_segment(f"{shmowner.PREFIX}{namespace + 1}-{dead.pid}-{start}-a0"),
        "not ours": make_segment(f"{shmowner.PREFIX}{dead.pid}-0"),
    }
    try:
        swept = shared.sweep()
        present = {what for what, name in names.items() if os.path.exists(os.path.join(shared.SHM_DIR, name))}
        assert present == {"live", "other namespace", "not ours"}
        assert {names["dead"], names["reused pid"]} <= set(swept)  # and whatever else dead owners left
    finally:
        shared.remove(names.values())


def test_a_zombie_owns_nothing():
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    try:
        os.waitid(os.P_PID, child.pid, os.WEXITED | os.WNOWAIT)  # it has ended, and is not reaped yet
        assert os.path.exists(f"/proc/{child.pid}/stat")
        namespace = int(shmowner.tag().split("-")[0])
        assert not shmowner.alive(shmowner.Owner(namespace, child.pid, 0))
    finally:
        child.wait()
