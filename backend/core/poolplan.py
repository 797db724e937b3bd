"""The process pool's decisions, made apart from its pipes and its processes.

:class:`PoolPlan` decides which queued task goes to which worker, when a
task may wait in a worker's pipe behind another (sent ahead), when one sent
ahead is asked back, when a worker is started, retired or stopped, and when
a task that does not stop is ended by killing its worker. It holds no pipe,
no process and no clock: the time comes in as an argument, and its answers
come out as :class:`Orders` and plain return values, for the manager thread
(:mod:`.poolmanager`) to carry out. So every rule can be tested directly
(tests/test_pool_plan.py), with no process.

Not thread-safe: the pool holds its lock around every call.

Where a task is (:class:`TaskPhase`)::

    QUEUED --to a worker, first in its line--> RUNNING --its ending--> ENDED
    QUEUED --to a worker, behind another-----> SENT --the one before ends--> RUNNING
    SENT --asked back--> RETRACTING --"returned"--> QUEUED (at the front)
                         RETRACTING --"taken", or any event of it--> RUNNING
    QUEUED --cancel--> ENDED (withdrawn: it never reaches a worker)

What a worker is (:class:`WorkerPhase`)::

    STARTING --hello--> READY <--grown again-- RETIRING (one too many after a shrink)
    READY --shrink--> RETIRING --idle--> ENDING (told to stop)
    READY --"worn"--> WORN --idle--> ENDING
    any --killed, or its pipe broken--> ENDING --its process ended--> (out of the plan)

The rules the tests hold it to: a withdrawn task never reaches a worker; no
task waits in a worker's pipe while another worker is idle, unless it is
being asked back; none is sent into the pipe of a worker not known to read
it; a higher priority goes to a worker before a lower one.
"""

from __future__ import annotations

import collections
import enum
from typing import Any, NamedTuple

from . import wire
from .errors import TaskError
from .identity import inner_function
from .lifecycle import Lifecycle
from .ranked import RankedQueue
from .states import CancelReason

# While tasks are short, a worker is sent at least this many at once: the next
# one waits in its pipe and starts the moment the last one ends, instead of
# after a round trip through the GUI process (its threads, the GIL, a
# wake-up). Tiny tasks then cost about what a pool with a shared queue costs.
PREFETCH = 4
# And the shorter they are, the more, up to this many: as many as fill
# SEND_AHEAD_S at their recent average, which is what a task of higher
# priority, submitted later, may wait behind in a worker's pipe. Fewer
# writes, reads and wake-ups per task; map(chunksize=) made automatic.
MAX_PREFETCH = 32
# "Short": the recent average from start to end, under this. Long tasks go
# one at a time, so that none waits behind another on a busy worker.
SHORT_TASK_S = 0.005
# A task sent ahead is asked back (wire.Kind.RETRACT) once the one it waits
# behind has run this long, or is paused: the average said "short", this one
# is not. It goes back to the front of the queue, for the first free worker.
RETRACT_AFTER_S = 4 * SHORT_TASK_S
SEND_AHEAD_S = PREFETCH * SHORT_TASK_S  # the most PREFETCH tasks, each short, can take
# Workers that die before they are ready, in a row, before the pool gives
# up: it then fails its queued tasks rather than start workers in a loop.
FAILED_STARTS_LIMIT = 3
# Functions whose durations are kept (see Durations).
_KNOWN_FUNCTIONS = 1024

_PAUSE = int(wire.Flag.PAUSE)  # a plain int: IntFlag's operators cost microseconds


class TaskPhase(enum.Enum):
    """Where a task is in the pool (that it ends once is its :class:`Lifecycle`'s to guard)."""

    QUEUED = "queued"  # in the pool's queue
    SENT = "sent"  # in a worker's pipe behind the task it runs; it starts when that one ends
    RETRACTING = "retracting"  # sent, and asked back: whether it started there is not known yet
    RUNNING = "running"  # its worker runs it; its "started" has gone out
    ENDED = "ended"  # withdrawn, or ended: out of the pool


class WorkerPhase(enum.Enum):
    """What a worker is to the plan."""

    STARTING = "starting"  # its process starts; it takes tasks once it says hello
    READY = "ready"  # it takes tasks
    RETIRING = "retiring"  # one too many after a shrink: no new tasks; told to stop once idle
    WORN = "worn"  # it said it takes no more (max_tasks_per_child, or broken); told to stop once idle
    ENDING = "ending"  # told to stop, or killed: its end is expected


class PoolTask:
    """One task of the pool: where it is, and what the plan needs to place it."""

    __slots__ = (
        "id",
        "life",
        "fn",
        "priority",
        "phase",
        "payload",
        "flags",
        "sent_flags",
        "seat",
        "started_at",
        "stop_at",
        "reason",
        "failure",
        "segments",
    )

    def __init__(self, task_id: int, payload: Any, flags: int = 0, priority: int = 0) -> None:
        self.id = task_id
        self.life = Lifecycle()  # its one ending, whichever thread ends it
        self.priority = priority  # among the queued tasks, a higher one goes to a worker first
        # Its function, by which the plan learns which tasks are short (None for a pickle).
        self.fn: Any = function_key(payload)
        self.phase = TaskPhase.QUEUED
        # The call, or its pickle: the pool's to send; dropped once it has started
        # (one sent ahead may come back, and goes out again as it was).
        self.payload: Any = payload
        self.flags = flags  # the controls asked for
        self.sent_flags = flags  # the controls its worker knows of
        self.seat: Seat | None = None  # its worker, once sent to one
        self.started_at = 0.0  # when its worker began it (or may have), once it has
        self.stop_at: float | None = None  # when its worker is killed if it has not ended
        self.reason: CancelReason | None = None  # why it is being stopped
        self.failure: TaskError | None = None  # it fails with this, whatever it sends
        self.segments: list[str] = []  # those of its large arguments, the pool's until it ends (sharedcall.Held)


class Seat:
    """One worker, as the plan sees it: its phase and its line of tasks."""

    __slots__ = ("phase", "hello", "tasks", "link", "idle_since", "reading")

    def __init__(self, link: Any = None) -> None:
        self.phase = WorkerPhase.STARTING
        self.hello = False  # it said hello (it then runs in a process group of its own)
        # Whether it reads its pipe, as far as the plan knows: it said hello or ended
        # its last task at ``idle_since``; ``reading``: it has spoken since it was
        # handed the task it runs (see may_send_ahead).
        self.idle_since = 0.0
        self.reading = True
        # Sent to it and not ended, in order: the first runs, the others wait in
        # its pipe (see PREFETCH). A worker runs them one at a time.
        self.tasks: collections.deque[PoolTask] = collections.deque()
        self.link = link  # what the pool runs it with (its process and pipe); the plan never looks

    @property
    def task(self) -> PoolTask | None:
        """The task it runs now (or may, while that one is asked back), if any."""
        return self.tasks[0] if self.tasks else None

    @property
    def takes_tasks(self) -> bool:
        return self.phase is WorkerPhase.READY

    @property
    def stays(self) -> bool:
        """Not on its way out: it counts towards the pool's size."""
        return self.phase is WorkerPhase.STARTING or self.phase is WorkerPhase.READY

    def may_send_ahead(self, now: float, durations: Durations) -> bool:
        """Whether a task may wait in its pipe behind the ones it has: only behind one of a
        function known to be short, that has not run long and is not paused, not while
        tasks there are asked back, and only while the worker is known to read its pipe.

        A worker that reads nothing (stopped; or a task that turned long in one C call
        holding its worker's GIL) cannot answer a RETRACT either: what waits in its pipe
        waits for it. So a task is sent ahead only behind a head the worker has spoken
        of since it was handed over, or behind one placed in this pass on a worker that
        became idle moments ago (it had just written its last ending: it reads). A head
        handed to a worker idle for longer goes alone until the worker's first frame."""
        head = self.tasks[0]
        if head.flags & _PAUSE or self.tasks[-1].phase is TaskPhase.RETRACTING or not durations.short(head.fn):
            return False
        if not head.started_at:  # placed in this pass, on an idle worker
            return now - self.idle_since < RETRACT_AFTER_S
        return self.reading and now - head.started_at < RETRACT_AFTER_S

    def ask_back(self, orders: Orders) -> None:
        """Ask back every task in its pipe behind the one it runs, the last first."""
        if len(self.tasks) < 2:
            return
        head = self.tasks[0]
        for task in reversed(self.tasks):
            if task is head or task.phase is TaskPhase.RETRACTING:
                break
            task.phase = TaskPhase.RETRACTING
            orders.sends.append(Order(self, wire.Kind.RETRACT, task.id))


class Order(NamedTuple):
    """A frame to send to a worker: ``kind`` (CONTROL, RETRACT or STOP), for ``task_id``, with ``flags``."""

    seat: Seat
    kind: wire.Kind
    task_id: int = 0
    flags: int = 0


class Orders:
    """What one pass of the manager thread carries out, in this order."""

    __slots__ = ("runs", "sends", "kills", "start", "timeout")

    def __init__(self) -> None:
        self.runs: list[PoolTask] = []  # to send to their seats, in order (placed already)
        self.sends: list[Order] = []
        self.kills: list[Seat] = []  # a task there did not stop in time: kill the worker
        self.start = 0  # workers to start
        self.timeout: float | None = None  # seconds until a decision is due; None: none is


class Durations:
    """How long tasks take, lately: whether tasks may be sent ahead, and behind which."""

    __slots__ = ("_recent_s", "_by_function")

    def __init__(self) -> None:
        self._recent_s = 2 * SHORT_TASK_S  # all tasks, start to end (a decaying average)
        # The same, per function: a task waits in a worker's pipe only behind
        # one whose function has been short, never behind one not seen yet.
        self._by_function: dict[Any, float] = {}

    def depth(self) -> int:
        """How many tasks a worker may be sent at once (see PREFETCH and MAX_PREFETCH)."""
        recent = self._recent_s
        if recent >= SHORT_TASK_S:
            return 1
        return max(PREFETCH, min(MAX_PREFETCH, int(SEND_AHEAD_S / max(recent, 1e-9))))

    def short(self, fn: Any) -> bool:
        return self._by_function.get(fn, SHORT_TASK_S) < SHORT_TASK_S

    def learn(self, fn: Any, took: float) -> None:
        self._recent_s = (self._recent_s + took) / 2
        by_function = self._by_function
        if len(by_function) >= _KNOWN_FUNCTIONS and fn not in by_function:
            by_function.clear()  # functions made at run time: keep it bounded
        by_function[fn] = (by_function.get(fn, took) + took) / 2


class HardStops:
    """The tasks asked to stop whose workers are killed if they run past their ``stop_at``.
    Each pass looks at these only, not at every task (many thousands may be queued)."""

    __slots__ = ("_tasks",)

    def __init__(self) -> None:
        self._tasks: dict[int, PoolTask] = {}

    def due(self, task: PoolTask, at: float) -> None:
        task.stop_at = at if task.stop_at is None else min(task.stop_at, at)
        self._tasks[task.id] = task

    def check(self, now: float, orders: Orders) -> None:
        """Orders the kills that are due, and sets when the next one is."""
        for task in list(self._tasks.values()):
            seat = task.seat
            if task.stop_at is None or seat is None or seat.phase is WorkerPhase.ENDING:
                del self._tasks[task.id]  # it went back to the queue, or its worker is on its way out
            elif task.phase is TaskPhase.ENDED:
                del self._tasks[task.id]  # it ended
            elif task.stop_at <= now:
                seat.phase = WorkerPhase.ENDING
                orders.kills.append(seat)
            else:
                orders.timeout = _sooner(orders.timeout, task.stop_at - now)


class PoolPlan:
    """The state of a pool's tasks and workers, and the rules that change it. See the module's docstring."""

    def __init__(self, size: int, hard_stop_after: float) -> None:
        self.size = max(1, size)
        self.hard_stop_after = hard_stop_after
        self.tasks: dict[int, PoolTask] = {}  # every task that has not ended
        self.seats: list[Seat] = []
        self.closing = False  # no new tasks, no new workers
        self.given_up = False  # workers cannot start; until the next task
        self._queue: RankedQueue[PoolTask] = RankedQueue()  # withdrawn ones are skipped
        self._dirty: dict[int, PoolTask] = {}  # tasks at a worker whose controls changed
        self._hard_stops = HardStops()
        self._failed_starts = 0
        self._durations = Durations()

    # -- what other threads ask -----------------------------------------------

    def add(self, task: PoolTask) -> None:
        self.tasks[task.id] = task
        self._queue.append(task, task.priority)
        self.given_up = False

    def cancel(self, task_id: int, reason: CancelReason, now: float) -> PoolTask | None:
        """Withdraw a queued task (returned: it never reaches a worker), or stop one at a worker."""
        task = self.tasks.get(task_id)
        if task is None:
            return None
        if task.phase is TaskPhase.QUEUED:
            self._drop(task)
            return task
        self.stop(task, reason, now + self.hard_stop_after)
        return None

    def pause(self, task_id: int, paused: bool) -> None:
        task = self.tasks.get(task_id)
        if task is None:
            return
        task.flags = task.flags | _PAUSE if paused else task.flags & ~_PAUSE
        if task.seat is not None:
            self._dirty[task_id] = task

    def close(self, now: float, deadline: float) -> list[PoolTask]:
        """No new tasks: the queued ones are withdrawn (returned), the others asked to stop by ``deadline``."""
        self.closing = True
        queued = [task for task in self.tasks.values() if task.phase is TaskPhase.QUEUED]
        for task in queued:
            self._drop(task)
        for task in self.tasks.values():
            self.stop(task, CancelReason.CANCELLED, min(now + self.hard_stop_after, deadline))
        return queued

    def stop(self, task: PoolTask, reason: CancelReason, kill_at: float) -> None:
        """Ask a task at a worker to stop; its worker is killed at ``kill_at`` if it runs on."""
        if task.reason is None:
            task.reason = reason
        task.flags |= wire.Flag.CANCEL | (wire.Flag.TIMED_OUT if task.reason == CancelReason.TIMED_OUT else 0)
        self._dirty[task.id] = task
        seat = task.seat
        if seat is not None and seat.task is not task:
            return  # it waits behind another: no hard stop, which would kill that one; it starts cancelled
        self._hard_stops.due(task, kill_at)

    # -- one pass ---------------------------------------------------------------

    def orders(self, now: float) -> Orders:
        """What to do now: tasks to hand out, frames to send, workers to kill and to start."""
        orders = Orders()
        self._fit_to_size(orders)
        self._dispatch(now, orders)
        self._retract_from_long(now, orders)
        self._retract_for_idle(orders)
        for task in self._dirty.values():
            if task.seat is not None and task.flags != task.sent_flags and task.phase is not TaskPhase.ENDED:
                task.sent_flags = task.flags
                orders.sends.append(Order(task.seat, wire.Kind.CONTROL, task.id, task.flags))
        self._dirty.clear()
        self._hard_stops.check(now, orders)
        return orders

    def _fit_to_size(self, orders: Orders) -> None:
        """Match the workers to ``size``: after a shrink the least busy retire at once."""
        staying = [seat for seat in self.seats if seat.stays]
        missing = 0 if self.closing or self.given_up else self.size - len(staying)
        if missing > 0:  # grown (again): workers on their way out serve on first
            for seat in self.seats:
                if missing and seat.phase is WorkerPhase.RETIRING:
                    seat.phase = WorkerPhase.READY if seat.hello else WorkerPhase.STARTING
                    missing -= 1
            orders.start = missing
        elif missing < 0:
            for seat in sorted(staying, key=lambda s: len(s.tasks))[:-missing]:
                seat.phase = WorkerPhase.RETIRING
        for seat in self.seats:
            if seat.phase in (WorkerPhase.RETIRING, WorkerPhase.WORN) and seat.hello and not seat.tasks:
                seat.phase = WorkerPhase.ENDING  # its end is expected
                orders.sends.append(Order(seat, wire.Kind.STOP))

    def _dispatch(self, now: float, orders: Orders) -> None:
        """Queued tasks to workers, level by level, so that they spread over the
        workers before any worker gets a second one (see PREFETCH)."""
        depth = self._durations.depth()
        takers = [seat for seat in self.seats if seat.takes_tasks]
        for level in range(depth):
            for seat in takers:
                if len(seat.tasks) > level or (level and not seat.may_send_ahead(now, self._durations)):
                    continue
                task = self._next_queued()
                if task is None:
                    return
                task.seat = seat
                task.phase = TaskPhase.SENT
                task.sent_flags = task.flags
                seat.tasks.append(task)
                orders.runs.append(task)

    def _retract_from_long(self, now: float, orders: Orders) -> None:
        """Ask back the tasks sent ahead to a worker whose task turned out long, is paused,
        or that retires. Sets when the next such check is due (also for the tasks sent in
        this pass: nothing else may wake the manager thread before then)."""
        for seat in self.seats:
            tasks = seat.tasks
            if len(tasks) < 2 or seat.phase is WorkerPhase.ENDING or tasks[-1].phase is TaskPhase.RETRACTING:
                continue  # the last is asked back first: all are, then
            head = tasks[0]
            due = (head.started_at or now) + RETRACT_AFTER_S  # 0: it starts in this pass
            if seat.phase is not WorkerPhase.READY or head.flags & _PAUSE or due <= now:
                seat.ask_back(orders)
            else:
                orders.timeout = _sooner(orders.timeout, due - now)

    def _retract_for_idle(self, orders: Orders) -> None:
        """The queue is empty and a worker is idle: the tasks waiting in other workers'
        pipes are asked back, for it (none waits behind another while a worker is free)."""
        if not any(seat.takes_tasks and not seat.tasks for seat in self.seats):
            return
        for seat in self.seats:
            if len(seat.tasks) > 1 and seat.phase is not WorkerPhase.ENDING:
                seat.ask_back(orders)

    def _next_queued(self) -> PoolTask | None:
        while self._queue:
            task = self._queue.popleft()
            if task.phase is TaskPhase.QUEUED:
                return task
        return None

    # -- what the manager thread saw -------------------------------------------

    def add_seat(self, seat: Seat) -> None:
        """A worker has been started."""
        self.seats.append(seat)

    def ending(self, seat: Seat) -> None:
        """The worker is being killed, or its pipe is broken: it gets nothing more."""
        seat.phase = WorkerPhase.ENDING

    def hello(self, seat: Seat, now: float) -> None:
        seat.hello = True
        seat.idle_since = now
        self._failed_starts = 0
        if seat.phase is WorkerPhase.STARTING:
            seat.phase = WorkerPhase.READY

    def handed_over(self, seat: Seat, tasks: list[PoolTask], now: float) -> PoolTask | None:
        """``tasks`` are in ``seat``'s pipe. Returns the one that starts now (first in its line), if any."""
        head = seat.task
        if head is not None and head.phase is TaskPhase.SENT and head in tasks:
            # It starts as the worker reads it, whether or not all of it is in the pipe yet.
            head.started_at = now
            head.phase = TaskPhase.RUNNING
            head.payload = None
            seat.reading = False  # it was idle: whether it reads is known from its first frame
            return head
        return None

    def not_handed_over(self, seat: Seat, tasks: list[PoolTask]) -> list[PoolTask]:
        """The worker's pipe is broken: it gets nothing more, and ``tasks`` go back (see :func:`_take_back`)."""
        self.ending(seat)
        return _take_back(self._queue, seat, tasks)

    def unsendable(self, task: PoolTask) -> None:
        """A task placed at a worker could not be sent (its call cannot be pickled): off its line."""
        if task.seat is not None and task in task.seat.tasks:
            task.seat.tasks.remove(task)
        task.seat = None

    def heard_from(self, seat: Seat, task_id: int) -> tuple[PoolTask | None, bool]:
        """An event of ``task_id`` came from ``seat``: the task, and whether it has started just now
        (one asked back had started: this says so before the worker's answer does)."""
        task = seat.task
        if task is None or task.id != task_id:
            return None, False  # cannot happen: a worker runs the task it was given, one at a time
        seat.reading = True
        if task.phase is TaskPhase.RUNNING:
            return task, False
        return task, self._started(task)

    def answered(self, seat: Seat, task_id: int, *, given_back: bool) -> tuple[list[PoolTask], PoolTask | None]:
        """The worker's answer to a RETRACT: the task is back in the queue, or had started.
        Returns the tasks cancelled meanwhile (to end), and the one that has started, if any."""
        seat.reading = True
        task = next((t for t in seat.tasks if t.id == task_id), None)
        if task is None or task.phase is not TaskPhase.RETRACTING:
            return [], None  # it has ended, or started already
        if given_back:
            return _take_back(self._queue, seat, [task]), None
        if seat.task is task:
            return [], task if self._started(task) else None
        task.phase = TaskPhase.SENT  # kept in its line: it starts when the one before it ends
        return [], None

    def worn(self, seat: Seat, orders: Orders) -> None:
        """The worker takes no more once its current task ends (whose ending it sends next):
        those sent ahead are asked back now, before that ending would start the next."""
        seat.phase = WorkerPhase.WORN
        seat.ask_back(orders)

    def fail(self, task: PoolTask, failure: TaskError, now: float) -> None:
        """``task`` fails with ``failure`` however it ends; it is stopped now."""
        task.failure = failure
        self.stop(task, CancelReason.CANCELLED, now + self.hard_stop_after)

    def ended(self, task: PoolTask, now: float) -> PoolTask | None:
        """``task`` has sent its ending. Returns the next task in its worker's line if that one
        has started now (it waited in the pipe behind this one)."""
        self._drop(task)
        seat = task.seat
        if seat is None or task not in seat.tasks:
            return None
        ran = seat.tasks[0] is task
        seat.tasks.remove(task)
        if not (ran and task.started_at):
            return None
        self._durations.learn(task.fn, now - task.started_at)
        if not seat.tasks:
            seat.idle_since = now
            return None
        if seat.phase is WorkerPhase.ENDING:
            return None
        after = seat.tasks[0]
        after.started_at = now
        seat.reading = True  # it wrote this ending, and reads the next task from its pipe
        if after.reason is not None:  # cancelled while it waited: the hard stop applies now
            self._hard_stops.due(after, now + self.hard_stop_after)
        if after.phase is TaskPhase.RETRACTING:
            return None  # it may have been given back: the worker's answer says
        self._started(after)
        return after

    def gone(self, seat: Seat) -> tuple[PoolTask | None, list[PoolTask], bool]:
        """A worker's process ended: out of the plan. Returns its task, if it had one, the
        tasks sent behind it that were cancelled meanwhile (the others are queued again),
        and whether others went back to the queue."""
        self.seats.remove(seat)
        task = seat.task
        waiting = list(seat.tasks)[1:]  # sent behind it: they never started
        cancelled = _take_back(self._queue, seat, waiting)
        return task, cancelled, len(waiting) > len(cancelled)

    def start_failed(self, *, at_once: bool) -> list[PoolTask]:
        """A worker did not start (``at_once``: it could not even be made). Once no worker
        can serve the queue, the queued tasks are dropped and returned, to fail."""
        self._failed_starts += 1
        if self.seats if at_once else self._failed_starts < FAILED_STARTS_LIMIT:
            return []  # the workers there are serve the queue; the next pass tries again
        self.given_up = True
        self._failed_starts = 0
        queued = [task for task in self.tasks.values() if task.phase is TaskPhase.QUEUED]
        for task in queued:
            self._drop(task)
        return queued

    # -- helpers ------------------------------------------------------------------

    def _started(self, task: PoolTask) -> bool:
        if task.phase is TaskPhase.ENDED:
            return False
        task.phase = TaskPhase.RUNNING
        task.payload = None
        return True

    def _drop(self, task: PoolTask) -> None:
        if self.tasks.get(task.id) is task:
            del self.tasks[task.id]
        task.phase = TaskPhase.ENDED


def _take_back(queue: RankedQueue[PoolTask], seat: Seat, tasks: list[PoolTask]) -> list[PoolTask]:
    """Tasks sent to ``seat`` that never started: back to the front of the queue, in
    their order. Returns those cancelled meanwhile, for the caller to end."""
    back: list[PoolTask] = []
    cancelled: list[PoolTask] = []
    for task in tasks:
        if task in seat.tasks:
            seat.tasks.remove(task)
        task.seat = None
        task.started_at = 0.0
        if task.phase is TaskPhase.ENDED:
            continue
        if task.reason is None:
            task.phase = TaskPhase.QUEUED
            back.append(task)
        else:  # out of the pool's hands; it stays among its tasks until its ending is sent
            task.phase = TaskPhase.ENDED
            cancelled.append(task)
    for task in reversed(back):
        queue.appendleft(task, task.priority)
    return cancelled


def function_key(payload: Any) -> Any:
    """What stands for a call's function in :class:`Durations`: itself, if it can be a key.

    A partial, or a bound method, stands for the function inside: code that
    makes a partial for each task would otherwise never be known as short.
    """
    if type(payload) is not tuple:
        return None
    fn = inner_function(payload[0])
    try:
        hash(fn)
    except TypeError:  # say, an instance with __eq__ and no __hash__
        return type(fn)
    return fn


def _sooner(timeout: float | None, wait: float) -> float:
    return wait if timeout is None else min(timeout, wait)
