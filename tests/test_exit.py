"""main.py ends cleanly whenever SIGINT or SIGTERM comes, sent to it or to its
whole process group (as ``timeout`` and service managers do), at any moment
from its first instant to 3 s, while process mode is busy."""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from .test_app import DATA, ROOT, app_environment, start

RUNS = 30
AT_ONCE = 3  # runs side by side, to keep the test's own time bounded
LATEST_S = 3.0
EXIT_BOUND_S = 10.0  # from the signal: start-up cut short, then a shutdown of at most 2 s
ARGS = ["--qml", str(DATA / "busy_process_jobs.qml"), "--processes", "2", "--cpu-limit", "100000000"]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="finds left-over processes through /proc"),
]

_launch_lock = threading.Lock()


def launch(marker: str, *, blocked: bool = True) -> subprocess.Popen:
    """Start main.py in a process group of its own, with SIGINT and SIGTERM blocked across exec.

    A signal that comes while the interpreter itself starts, before the first
    line of main.py runs, gets the default action whatever a program does.
    Blocked, it waits instead until main.py has its handlers in place and
    unblocks them, so a run is a fair test even in its first millisecond.
    """
    # faulthandler: a run that hangs is sent SIGABRT, and says where each thread was.
    env = app_environment(OFFTHREAD_EXIT_TEST=marker, PYTHONFAULTHANDLER="1")
    with _launch_lock:  # the mask belongs to this thread; keep the block, fork, unblock together
        block = {signal.SIGINT, signal.SIGTERM} if blocked else set()
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, block)
        try:
            return start(*ARGS, env=env, stdout=subprocess.DEVNULL, start_new_session=True)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def marked_processes(marker: str) -> list[int]:
    """Live processes whose environment carries ``marker``: the app and all it started."""
    found = []
    needle = f"OFFTHREAD_EXIT_TEST={marker}".encode()
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            if needle in environ.read_bytes().split(b"\0"):
                state = (environ.parent / "stat").read_text().rsplit(")", 1)[1].split()[0]
                if state != "Z":
                    found.append(int(environ.parent.name))
        except (OSError, IndexError):
            continue  # it ended while we looked
    return found


def loading_qt(pid: int) -> bool:
    """Whether process ``pid`` has begun to load Qt's libraries (main.py is running by then)."""
    try:
        return "libQt" in Path(f"/proc/{pid}/maps").read_text()
    except OSError:
        return False


def one_run(plan, blocked: bool = True) -> str:
    """Start, wait ``delay``, send the signal; return what went wrong, or ""."""
    delay, signum, to_group, from_qt = plan
    marker = uuid.uuid4().hex
    process = launch(marker, blocked=blocked and not from_qt)
    what = f"{signal.Signals(signum).name} to the {'group' if to_group else 'process'} at {delay:.2f} s"
    try:
        if from_qt:
            what += " after Qt began to load"
            deadline = time.monotonic() + 20
            while not loading_qt(process.pid) and process.poll() is None and time.monotonic() < deadline:
                time.sleep(0.001)  # another process's memory map: nothing to wait on but polling it
        time.sleep(delay)  # the moment of the attack, not a wait for a condition
        if to_group:
            os.killpg(process.pid, signum)
        else:
            process.send_signal(signum)
        try:
            _, stderr = process.communicate(timeout=EXIT_BOUND_S)
        except subprocess.TimeoutExpired:
            pass
        else:
            return judged(what, process, stderr, marker)
        process.send_signal(signum)  # as a user would press Ctrl+C again
        try:
            _, stderr = process.communicate(timeout=EXIT_BOUND_S)
            return f"{what}: ended only on a second signal; stderr:\n{stderr}"
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGABRT)  # faulthandler prints every thread's stack
            try:
                _, stderr = process.communicate(timeout=10)
            except subprocess.TimeoutExpired:
                stderr = "(no stacks: it did not end on SIGABRT)"
            return f"{what}: still running {EXIT_BOUND_S:.0f} s later; where it was:\n{stderr[-6000:]}"
    finally:
        end_for_good(process, marker)


def end_for_good(process: subprocess.Popen, marker: str) -> None:
    """Kill what is left of a run: the app's whole group, and anything it started."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
    for pid in marked_processes(marker):
        os.kill(pid, signal.SIGKILL)


def judged(what: str, process: subprocess.Popen, stderr: str, marker: str) -> str:
    """What went wrong with a run that ended: its exit, its stderr, or processes it left."""
    if process.returncode != 0 or stderr:
        return f"{what}: exit code {process.returncode}, stderr:\n{stderr}"
    deadline = time.monotonic() + 5
    left = marked_processes(marker)
    while left and time.monotonic() < deadline:
        time.sleep(0.05)  # processes we do not own: nothing to wait on but their table
        left = marked_processes(marker)
    return f"{what}: processes left behind: {left}" if left else ""


def attack(plans) -> None:
    with ThreadPoolExecutor(AT_ONCE) as runs:
        problems = [p for p in runs.map(one_run, plans) if p]
    assert not problems, "\n".join(problems)


def random_plans(count: int, latest: float, from_qt: bool):
    seed = random.randrange(1 << 32)
    rng = random.Random(seed)
    print(f"seed {seed}")  # shown with a failure
    return [(rng.uniform(0, latest), (signal.SIGINT, signal.SIGTERM)[i % 2], i % 4 >= 2, from_qt) for i in range(count)]


# CPython drops a KeyboardInterrupt raised in a weakref callback, and says so
# (python/cpython#95959). While it starts, before main.py's first line, its
# importlib's callbacks are the ones that run; the app cannot know.
DROPPED_BY_THE_INTERPRETER = re.compile(
    r"Exception ignored (in|while calling weakref callback):? <function (_get_module_lock|_WeakValueDictionary)"
    r"[^\n]*\nTraceback[^\n]*\n(  [^\n]*\n)*KeyboardInterrupt"
)


def ours(problem: str) -> bool:
    """Whether a run's problem is main.py's, not the interpreter's before main.py's first line."""
    if "ended only on a second signal" in problem:
        return not DROPPED_BY_THE_INTERPRETER.search(problem)
    # Line 0 (Python 3.12+) or 1 (the docstring's, before 3.12) is the interpreter entering
    # the module, before any statement of main.py has run.
    return (
        "still running" in problem
        or "left behind" in problem
        or bool(re.search(r'main\.py", line ([2-9]|[1-9][0-9]+)\b', problem))
    )


def test_a_signal_at_any_moment_ends_the_app_cleanly():
    plans = random_plans(RUNS, LATEST_S, from_qt=False)
    plans[0] = (0.0, signal.SIGTERM, True, False)  # the very first instant, to the group
    attack(plans)


def test_a_signal_while_qt_loads_ends_the_app_cleanly():
    # Without the launcher's help: the signal comes while main.py imports Qt
    # and loads the window, before the event loop runs.
    attack(random_plans(12, 0.5, from_qt=True))


def test_a_signal_as_main_py_imports_the_package_ends_the_app_cleanly():
    # Not blocked across exec: the signal comes as it would from a terminal,
    # every 10 ms of the first 150. One that comes before main.py's first line,
    # while the interpreter itself starts, gets the interpreter's own default
    # action, which nothing of ours can change: only what happens once
    # main.py runs counts: a hang, processes left behind, or a traceback
    # through a line of main.py. Line 0 (Python 3.12+), or line 1 before 3.12,
    # is the interpreter entering the module, before its first statement.
    # A SIGINT the interpreter drops unseen (DROPPED_BY_THE_INTERPRETER) must
    # still leave an app that a second one ends cleanly.
    plans = [(0.01 * i, (signal.SIGINT, signal.SIGTERM)[i % 2], False, False) for i in range(15)]
    with ThreadPoolExecutor(AT_ONCE) as runs:
        problems = [p for p in runs.map(lambda plan: one_run(plan, blocked=False), plans) if ours(p)]
    assert not problems, "\n".join(problems)


# A KeyboardInterrupt as CPython's start-up leaves it: raised in its frozen
# import code, called from C (its traceback's first frame is that code's).
RAISED_IN_FROZEN_CODE = """
import runpy, sys, _frozen_importlib
def stop():
    raise KeyboardInterrupt
try:
    _frozen_importlib._call_with_frames_removed(stop)
except KeyboardInterrupt as error:
    error.__traceback__ = error.__traceback__.tb_next  # not this script's frame: C's
    sys.last_exc = sys.last_value = error
"""


def test_only_a_ctrl_c_in_the_interpreters_start_up_counts(monkeypatch):
    from offthread.app import quitsignals

    scope: dict = {}
    exec(RAISED_IN_FROZEN_CODE, scope)
    in_start_up = scope["sys"].last_value
    monkeypatch.delattr(sys, "last_exc", raising=False)
    monkeypatch.setattr(sys, "last_value", in_start_up, raising=False)
    assert quitsignals.interrupted_before_main()
    try:
        raise KeyboardInterrupt  # as a console prints one (IPython's %run main.py after a Ctrl+C there)
    except KeyboardInterrupt as error:
        monkeypatch.setattr(sys, "last_value", error)
    assert not quitsignals.interrupted_before_main()
    monkeypatch.setattr(sys, "last_value", ValueError("printed earlier"))
    assert not quitsignals.interrupted_before_main()
    monkeypatch.delattr(sys, "last_value")
    assert not quitsignals.interrupted_before_main()


def test_a_ctrl_c_the_interpreter_printed_and_dropped_before_main_py_ends_the_app():
    # What CPython does with a KeyboardInterrupt raised while it checks whether
    # main.py is an import path entry: it prints it, sets sys.last_exc (and
    # sys.last_value), and runs main.py as if no signal had come.
    marker = uuid.uuid4().hex
    code = f"{RAISED_IN_FROZEN_CODE}\nsys.argv = [{str(ROOT / 'main.py')!r}, *sys.argv[1:]]\nrunpy.run_path(sys.argv[0], run_name='__main__')"
    env = app_environment(OFFTHREAD_EXIT_TEST=marker)
    process = subprocess.Popen(
        [sys.executable, "-c", code, *ARGS],
        cwd=ROOT,
        env=env,
        text=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        _, stderr = process.communicate(timeout=EXIT_BOUND_S)
        assert not judged("a dropped Ctrl+C", process, stderr, marker)
    finally:
        end_for_good(process, marker)


def test_a_signal_as_the_event_loop_handler_takes_over_is_not_lost(qapp, monkeypatch):
    # The moment of the rare hang: the signal comes after main.py's noting
    # handler and before QuitOnSignals's, while it makes its socket pair.
    # Noted by the first and missed by the second, the app ran on.
    from offthread.app import interrupts, quitsignals

    previous = {signum: signal.getsignal(signum) for signum in quitsignals.QUIT_SIGNALS}
    make_pair = interrupts.socket.socketpair

    def a_signal_then_the_pair(*args):
        os.kill(os.getpid(), signal.SIGINT)  # its Python handler runs before this returns
        return make_pair(*args)

    quitsignals.hold()
    monkeypatch.setattr(interrupts.socket, "socketpair", a_signal_then_the_pair)
    watcher = None
    try:
        watcher = interrupts.QuitOnSignals(lambda: None)
        assert watcher.requested
    finally:
        if watcher is not None:
            watcher.restore()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        quitsignals._requested = False
