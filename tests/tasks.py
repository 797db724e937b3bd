"""Task functions for the mode tests. Worker processes import this module to
run them, so it must not import Qt (one test checks that none is loaded)."""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import time

from offthread.core.context import Partial, TaskCancelled, TaskContext


def square(x: int) -> int:
    return x * x


def qt_modules_loaded() -> list:
    """Which Qt modules this process has loaded (none, in a worker process)."""
    return sorted(
        name for name in sys.modules if name.split(".")[0] in ("qtpy", "PySide2", "PySide6", "shiboken2", "shiboken6")
    )


async def async_square(x: int) -> int:
    """A coroutine function: only asyncio mode runs it."""
    return x * x


# Twins, for asyncio mode, of the tasks the randomized stateful test mixes.


async def async_count_to(limit: int, *, task) -> int:
    """Checks on every step; pausable (count_to's twin)."""
    task.set_maximum(limit)
    for i in range(limit):
        task.progress(i)
        await task.sleep_async(0.001)
    return limit


async def async_wait_for_cancel(*, task) -> str:
    """Runs until cancelled, checking all along (wait_for_cancel's twin)."""
    task.progress(10)
    while True:
        await task.sleep_async(0.01)


async def async_partials(*, task):
    """An async generator task: partial results, then its end (partials' twin)."""
    yield 50
    yield "first"
    yield Partial(2)


async def async_fail(message: str) -> None:
    raise Boom(message)


async def async_never_checks(seconds: float) -> str:
    """Reaches no check point of its own: only asyncio's cancel stops it (never_checks' twin)."""
    import asyncio  # here: importing this module must not load asyncio (a test checks the app does not)

    await asyncio.sleep(seconds)
    return "slept"


def passed_on(value):
    """Returns what it is given: a link of a chain (then() gives it the result before)."""
    return value


def this_pid() -> int:
    return os.getpid()


def pid_and_start() -> tuple:
    """Its worker's pid, and when it started (time.monotonic() is the same clock in every process here)."""
    return os.getpid(), time.monotonic()


def report_and_return(count: int, *, task: TaskContext) -> str:
    """Reports every step, sends a partial result, and returns."""
    task.set_maximum(count)
    for i in range(count + 1):
        task.progress(i)
        task.sleep(0.005)
    task.partial("halfway")
    return "reported"


def partials(*, task: TaskContext):
    """A generator task: partial results, then its return value."""
    yield 50
    yield "first"
    yield Partial(2)
    return "done"


class Boom(ValueError):
    pass


def fail_in_child(message: str) -> None:
    raise Boom(message)


def wait_for_cancel(*, task: TaskContext) -> str:
    """Runs until cancelled, checking all along (reports 10 % first)."""
    task.progress(10)
    while True:
        task.sleep(0.01)


def never_checks(seconds: float) -> str:
    """Ignores cancellation: it never reaches a check point."""
    time.sleep(seconds)
    return "slept"


def sleep_in_steps(seconds: float, *, task: TaskContext) -> int:
    """Sleeps at check points (so it can be paused and cancelled); returns its pid."""
    end = time.monotonic() + seconds
    task.check()
    while time.monotonic() < end:
        task.sleep(min(0.01, max(0.0, end - time.monotonic())))
    return os.getpid()


def length(data: bytes) -> int:
    return len(data)


def spin_forever() -> None:
    """CPU-bound and never checks: only terminating its process stops it."""
    while True:
        pass


def die(code: int) -> None:
    os._exit(code)


def unpicklable_result():
    return lambda: None


def count_to(limit: int, *, task: TaskContext) -> int:
    """Checks on every step; pausable."""
    task.set_maximum(limit)
    for i in range(limit):
        task.progress(i)
        task.sleep(0.001)
    return limit


# -- for the fault-injection tests --------------------------------------------


def mark_and_sleep(marker: str, seconds: float) -> str:
    """Leaves a file behind as proof that its body ran, then sleeps."""
    with open(marker, "w"):
        pass
    time.sleep(seconds)
    return marker


def flood_partials(size: int, *, task: TaskContext) -> None:
    """Sends large partial results without end and ignores cancellation, so
    that only a hard stop ends it, most likely while its process is writing."""
    block = b"x" * size
    while True:
        try:
            task.partial(block)
        except TaskCancelled:
            pass


def report_pid_then_wait(*, task: TaskContext) -> None:
    """Tells which process runs it (as a partial result), then waits for its cancel."""
    task.partial(os.getpid())
    while True:
        task.sleep(0.01)


class NeedsTwo(Exception):
    """An exception that pickles but cannot be unpickled: it needs two arguments."""

    def __init__(self, first: object, second: object) -> None:
        super().__init__(f"{first} and {second}")


def return_unrebuildable() -> NeedsTwo:
    return NeedsTwo(1, 2)


def send_unrebuildable_partial(*, task: TaskContext) -> str:
    task.partial(NeedsTwo(1, 2))
    while True:
        task.sleep(0.01)


def raise_unrebuildable() -> None:
    raise NeedsTwo(1, 2)


def start_child_then_spin(*, task: TaskContext) -> None:
    """Starts a child process, says its pid, then spins without checking: a hard stop must end both."""
    child = subprocess.Popen(["sleep", "60"])
    spin_after_saying(child.pid, task)


def start_child_that_leaves_the_group(how: str, *, task: TaskContext) -> None:
    """Starts a child outside the worker's process group, says its pid, then spins
    without checking. ``how``: "session" (``start_new_session=True``), "setpgid"
    (``os.setpgid(0, 0)``), or "daemon" (a double fork: its parent is gone, so
    it is no longer the task's child at all)."""
    if how == "session":
        child = subprocess.Popen(["sleep", "60"], start_new_session=True).pid
    elif how == "setpgid":
        child = os.fork()
        if child == 0:
            os.setpgid(0, 0)
            os.execvp("sleep", ["sleep", "60"])
        try:  # in the parent too, as shells do: its group is set before anyone asks
            os.setpgid(child, child)
        except OSError:  # EACCES: it has called exec already, so it set it itself
            pass
    else:
        reader, writer = os.pipe()
        middle = os.fork()
        if middle == 0:
            os.setsid()
            grandchild = os.fork()
            if grandchild == 0:
                os.execvp("sleep", ["sleep", "60"])
            os.write(writer, str(grandchild).encode())
            os._exit(0)
        os.waitpid(middle, 0)
        child = int(os.read(reader, 64))
    spin_after_saying(child, task)


def spin_after_saying(value, task: TaskContext) -> None:
    """Share ``value``, then spin, never stopping: only a hard stop ends this task.
    A partial result is a check point, where a cancel sent as soon as the
    value arrived would stop the task gently: that one is ignored."""
    try:
        task.partial(value)
    except TaskCancelled:
        pass
    while True:
        pass


def fork_child_and_return() -> int:
    """Leaves a forked child behind, sleeping; returns its pid."""
    pid = os.fork()
    if pid == 0:
        time.sleep(60)
        os._exit(0)
    return pid


def fork_child_that_ends_the_task(how: str, *, task: TaskContext) -> tuple:
    """Forks a child that carries on as the task would: it reports, then returns or
    calls sys.exit(); the parent waits for it, and returns its own value."""
    pid = os.fork()
    if pid == 0:
        task.partial("from the child")
        if how == "exit":
            sys.exit(0)
        return "the child's result"
    _, status = os.waitpid(pid, 0)
    return (
        "the parent's result",
        os.waitstatus_to_exitcode(status) if hasattr(os, "waitstatus_to_exitcode") else status,
    )


def fail_with_a_long_message(size: int) -> None:
    raise ValueError("x" * size + " the end")


def close_stdio() -> int:
    """Closes the worker's fds 0-2, as a careless daemonizing library might; returns its pid."""
    for fd in (0, 1, 2):
        os.close(fd)
    return os.getpid()


def print_and_pid(text: str) -> int:
    print(text, flush=True)
    return os.getpid()


def ignore_sigterm_and_sleep(seconds: float) -> None:
    """A long call that SIGTERM cannot end: only SIGKILL can."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    time.sleep(seconds)


def huge_numbers(*, task: TaskContext) -> str:
    """Progress out of a maximum too large for a float."""
    task.set_maximum(10**400)
    task.progress(10**399)
    task.progress(10**400 // 4)
    task.check()
    return "counted"


def pause_point_loop(*, task: TaskContext) -> str:
    """Checks often, so that a pause takes at once and a resume lets it end."""
    task.progress(1)
    for _ in range(200):
        task.sleep(0.005)
    return "resumed and done"


def tracked_sum(count: int, *, task: TaskContext) -> int:
    """task.track in a worker process."""
    return sum(task.track(range(count), text="numbers"))


# -- for the dask mode's tests ----------------------------------------------------


def count_and_share(steps: int, *, task: TaskContext) -> int:
    """Reports every step out of ``steps`` and shares every tenth as a partial result."""
    task.set_maximum(steps)
    for step in range(1, steps + 1):
        task.progress(step)
        if step % 10 == 0:
            task.partial(step)
        task.sleep(0.005)
    return steps


def report_until_cancelled(*, task: TaskContext) -> None:
    """Reports and shares its steps until cancelled; its finally block says where it stopped."""
    task.set_maximum(1_000_000)
    step = 0
    try:
        while True:
            step += 1
            task.progress(step)
            if step % 10 == 0:
                task.partial(step)
            task.sleep(0.002)
    finally:
        task.partial(f"stopped after {step} steps")


def report_then_sleep(seconds: float, *, task: TaskContext) -> str:
    """Reports once, then sleeps without a check point: a cancel cannot reach it."""
    task.progress(50)
    time.sleep(seconds)
    return "slept"


def share_after_first_check(*, task: TaskContext) -> str:
    """Shares a partial result right after its first check point: paused before it
    started, it shares it only once resumed."""
    task.progress(1)
    task.partial("past its first check point")
    return "done"


def write_what_is_not_a_message() -> None:
    """Writes a size prefix no message can have (-4) into its worker's pipe, as a task that
    writes to an inherited descriptor might: the GUI process cannot read that worker further."""
    import gc
    import struct

    from offthread.core import remote

    link = next(o for o in gc.get_objects() if isinstance(o, remote._Link))
    with link._send_lock:
        os.write(link._conn.fileno(), struct.pack("!i", -4))
    time.sleep(60)  # its worker is killed long before


class Scale:
    """A callable object (and a bound method, ``times``) for process mode; counts, in
    the process that pickles it, how often it is pickled."""

    pickled = itertools.count()

    def __init__(self, factor: int) -> None:
        self.factor = factor

    def __call__(self, x: int) -> int:
        return x * self.factor

    def times(self, x: int, *, task: TaskContext) -> int:
        task.progress(1)
        return x * self.factor

    def __reduce__(self) -> tuple:
        next(Scale.pickled)
        return (Scale, (self.factor,))


class Offset:
    """A plain callable object (and a bound method, ``shifted``) for process mode: pickled as
    pickle pickles any object, its class and its ``__dict__``."""

    def __init__(self, by: int, label: str = "") -> None:
        self.by = by
        self.label = label

    def __call__(self, x: int) -> tuple:
        return type(self).__name__, self.label, x + self.by

    def shifted(self, x: int, *, task: TaskContext) -> tuple:
        task.progress(1)
        return type(self).__name__, self.label, x + self.by


def big_value(kind: str, size: int):
    """A large result: ``bytes``, ``bytearray``, or a list holding a bytearray (sent in band) and a small value."""
    data = bytes(range(256)) * (size // 256)
    if kind == "bytes":
        return data
    if kind == "bytearray":
        return bytearray(data)
    return [bytearray(data), "and a small one", 7]


class _DieWhenPickled:
    def __reduce__(self):
        os._exit(3)


def die_while_sending(size: int):
    """A result whose first buffer goes into shared memory before the worker dies pickling the rest."""
    return [bytearray(size), _DieWhenPickled()]


def big_and_unpicklable(size: int):
    """A result whose large buffer is placed before pickling fails on what follows it."""
    import threading

    return [bytearray(size), threading.Lock()]


def big_after(seconds: float, size: int):
    """Never checks for a cancel; returns a large value after ``seconds``."""
    time.sleep(seconds)
    return bytes(size)


def nbytes_after(seconds: float, data) -> int:
    """Sleeps ``seconds`` (never checking for a cancel), then returns the size of ``data``'s buffer."""
    time.sleep(seconds)
    return memoryview(data).nbytes


def mapped_file(data) -> str:
    """The file that the memory of ``data`` (a writable memoryview, or a numpy array) is a mapping of,
    as /proc/self/maps names it ("" for memory of the process's own)."""
    import ctypes

    if isinstance(data, memoryview):
        start = ctypes.c_char.from_buffer(data)
        address = ctypes.addressof(start)
        del start
    else:
        address = data.ctypes.data
    with open("/proc/self/maps") as maps:
        for line in maps:
            fields = line.split(maxsplit=5)
            low, high = (int(end, 16) for end in fields[0].split("-"))
            if low <= address < high:
                return fields[5].strip() if len(fields) > 5 else ""
    return ""


def fail_with(data) -> None:
    """Fails, holding a large argument."""
    raise ValueError(f"failed with {memoryview(data).nbytes} bytes")


def die_with(data) -> None:
    """Kills its worker process, holding a large argument."""
    os._exit(3)


def echo(data):
    """Returns its argument: large in, large out."""
    return data
