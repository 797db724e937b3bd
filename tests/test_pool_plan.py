"""The process pool's decisions, tested on their own: no process, no pipe, no clock.

:class:`~offthread.core.poolplan.PoolPlan` is driven here as the pool's
manager thread drives it: a pass asks for its orders, the tasks handed out
are reported as written, and the workers' answers come back as the plan's
calls. The time is a number the test moves on. A randomized stateful test
(hypothesis) mixes submits, cancels, pauses, resizes, the workers' hellos,
endings, answers to a RETRACT, wear and deaths, and checks after every step
the rules the pool promises: a withdrawn task never reaches a worker; no
task waits in a worker's pipe while another worker is idle, unless it is
being asked back; a higher priority goes out first; every task is in one
place, in a phase that says where; a task starts at most once.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from offthread.core import wire
from offthread.core.poolplan import (
    FAILED_STARTS_LIMIT,
    MAX_PREFETCH,
    PREFETCH,
    RETRACT_AFTER_S,
    SEND_AHEAD_S,
    SHORT_TASK_S,
    Durations,
    Orders,
    PoolPlan,
    PoolTask,
    Seat,
    TaskPhase,
    WorkerPhase,
    function_key,
)
from offthread.core.states import CancelReason

GRACE_S = 0.5


def short() -> None:
    """A function the plan learns is short."""


def long() -> None:
    """A function the plan learns is long."""


class Driver:
    """Carries out a plan's orders as the manager thread does, with workers that say what the test tells them."""

    def __init__(self, size: int = 2) -> None:
        self.plan = PoolPlan(size, GRACE_S)
        self.now = 100.0
        self.sent: list[int] = []  # ids of every task handed to a worker, in order
        self.starts: list[int] = []  # ids of every "started" the pool would send
        self.retracts: set[int] = set()  # ids asked back and not answered
        self.stopped: list[Seat] = []  # told STOP
        self.killed: list[Seat] = []
        self.last = Orders()

    def submit(self, task_id: int, fn: Any = short, priority: int = 0) -> PoolTask:
        task = PoolTask(task_id, (fn, (), {}), 0, priority)
        self.plan.add(task)
        return task

    def step(self) -> Orders:
        """One pass: the plan's orders, carried out; new workers are started (not yet ready)."""
        orders = self.plan.orders(self.now)
        by_seat: dict[Seat, list[PoolTask]] = {}
        for task in orders.runs:
            assert task.seat is not None
            by_seat.setdefault(task.seat, []).append(task)
            self.sent.append(task.id)
        for seat, batch in by_seat.items():
            self._started(self.plan.handed_over(seat, batch, self.now))
        self.apply(orders)
        for _ in range(orders.start):
            self.plan.add_seat(Seat())
        self.last = orders
        return orders

    def apply(self, orders: Orders) -> None:
        for order in orders.sends:
            if order.kind == wire.Kind.RETRACT:
                self.retracts.add(order.task_id)
            elif order.kind == wire.Kind.STOP:
                self.stopped.append(order.seat)
        self.killed += orders.kills

    def ready(self, count: int | None = None) -> None:
        """The starting workers say hello, then a pass."""
        for seat in [s for s in self.plan.seats if s.phase is WorkerPhase.STARTING][:count]:
            self.plan.hello(seat, self.now)
        self.step()

    def end(self, seat: Seat) -> PoolTask:
        """The task ``seat`` runs sends its ending (it had started, if it was being asked back)."""
        task = seat.task
        assert task is not None
        self.hear(seat)  # its ending is a frame of it too
        self.retracts.discard(task.id)
        self._started(self.plan.ended(task, self.now))
        return task

    def hear(self, seat: Seat) -> None:
        """The task ``seat`` runs sends a frame that is not its ending (say, a progress report)."""
        assert seat.task is not None
        heard, began = self.plan.heard_from(seat, seat.task.id)
        assert heard is seat.task
        if began:
            self._started(heard)

    def answer(self, seat: Seat, task: PoolTask, *, given_back: bool) -> None:
        self.retracts.discard(task.id)
        cancelled, began = self.plan.answered(seat, task.id, given_back=given_back)
        self._started(began)
        for other in cancelled:
            self.plan.ended(other, self.now)

    def die(self, seat: Seat) -> None:
        task, cancelled, _requeued = self.plan.gone(seat)
        for other in [task, *cancelled]:
            if other is not None:
                self.retracts.discard(other.id)
                self.plan.ended(other, self.now)

    def learn(self, fn: Any, took: float, times: int = 4) -> None:
        for _ in range(times):
            self.plan._durations.learn(fn, took)

    def _started(self, task: PoolTask | None) -> None:
        if task is not None:
            assert task.id not in self.starts, f"task {task.id} started twice"
            self.starts.append(task.id)


def running(driver: Driver, count: int = 2) -> Driver:
    driver.step()
    driver.ready(count)
    return driver


def one_sent_ahead() -> tuple[Driver, PoolTask, PoolTask]:
    """One worker, running a task of a short function, with a second waiting in its pipe."""
    driver = running(Driver(size=1))
    driver.learn(short, SHORT_TASK_S / 10)
    first, second = driver.submit(1), driver.submit(2)
    driver.step()
    assert [first.phase, second.phase] == [TaskPhase.RUNNING, TaskPhase.SENT]
    return driver, first, second


# -- the rules, one at a time -------------------------------------------------------


def test_workers_start_with_the_plan_and_take_tasks_once_they_say_hello():
    driver = Driver(size=2)
    assert driver.step().start == 2
    driver.submit(1)
    assert driver.step().runs == []  # no worker is ready
    driver.ready()
    assert driver.sent == [1]
    assert driver.starts == [1]
    assert driver.plan.tasks[1].phase is TaskPhase.RUNNING


def test_a_withdrawn_task_never_reaches_a_worker():
    driver = running(Driver(size=1))
    first, second = driver.submit(1), driver.submit(2)
    driver.step()
    assert driver.plan.cancel(2, CancelReason.CANCELLED, driver.now) is second  # it was queued
    assert second.phase is TaskPhase.ENDED
    driver.end(first.seat)
    driver.step()
    assert driver.sent == [1]
    assert driver.plan.tasks == {}


def test_tasks_of_unknown_length_go_one_at_a_time_and_short_ones_are_sent_ahead_level_by_level():
    driver = running(Driver(size=2))
    for task_id in range(1, 11):
        driver.submit(task_id)
    driver.step()
    assert [len(seat.tasks) for seat in driver.plan.seats] == [1, 1]  # not known to be short yet
    driver.learn(short, SHORT_TASK_S / 10)
    for seat in driver.plan.seats:
        driver.hear(seat)  # each worker has read its task (see the test below)
    driver.step()
    assert [len(seat.tasks) for seat in driver.plan.seats] == [5, 5]
    assert driver.sent[:4] == [1, 2, 3, 4]  # spread over both workers before either gets a third
    assert {driver.plan.tasks[i].seat for i in (3, 4)} == set(driver.plan.seats)


def test_nothing_is_sent_ahead_to_a_worker_not_known_to_read_its_pipe():
    # A worker that reads nothing (stopped, or its GIL held by a long C call)
    # cannot answer a RETRACT: whatever waits in its pipe waits for it.
    driver = running(Driver(size=1))
    (seat,) = driver.plan.seats
    driver.submit(1)
    driver.step()  # alone: not known to be short
    driver.learn(short, SHORT_TASK_S / 10)  # as another worker's tasks of it would teach
    second = driver.submit(2)
    driver.now += RETRACT_AFTER_S / 4
    driver.step()
    assert second.phase is TaskPhase.QUEUED  # the worker has said nothing since it was handed the first
    driver.hear(seat)
    driver.step()
    assert second.phase is TaskPhase.SENT
    driver.end(seat)
    driver.end(seat)
    # Idle for a while: the next task goes alone until the worker speaks again.
    driver.now += 1.0
    third, fourth = driver.submit(3), driver.submit(4)
    driver.step()
    assert [third.phase, fourth.phase] == [TaskPhase.RUNNING, TaskPhase.QUEUED]
    driver.end(seat)  # it had just written: the next ones go out together
    driver.submit(5)
    driver.step()
    assert [task.id for task in seat.tasks] == [4, 5]


def test_a_high_priority_task_goes_out_before_the_ones_queued_before_it():
    driver = running(Driver(size=1))
    driver.submit(1)
    driver.step()
    driver.submit(2)
    driver.submit(3, priority=5)
    driver.end(driver.plan.seats[0])
    driver.step()
    assert driver.sent == [1, 3]


def test_a_task_sent_ahead_is_asked_back_once_the_one_before_it_runs_long():
    driver = running(Driver(size=1))
    driver.learn(short, SHORT_TASK_S / 10)
    first, second = driver.submit(1), driver.submit(2)
    orders = driver.step()
    assert orders.timeout == pytest.approx(RETRACT_AFTER_S)  # when to look again
    driver.now += RETRACT_AFTER_S
    driver.step()
    assert driver.retracts == {2}
    assert second.phase is TaskPhase.RETRACTING
    driver.answer(first.seat, second, given_back=True)
    assert second.phase is TaskPhase.QUEUED
    assert second.seat is None


def test_a_worker_that_becomes_idle_gets_the_tasks_waiting_behind_another():
    driver = running(Driver(size=2))
    driver.learn(short, SHORT_TASK_S / 10)
    for task_id in range(1, 5):
        driver.submit(task_id)
    driver.step()
    one, two = driver.plan.seats
    assert len(one.tasks) == len(two.tasks) == 2
    driver.end(two)
    driver.end(two)  # its line is done; the other still has one waiting
    driver.step()
    waiting = one.tasks[1]
    assert driver.retracts == {waiting.id}
    driver.answer(one, waiting, given_back=True)
    driver.step()
    assert waiting.seat is two
    assert waiting.phase is TaskPhase.RUNNING


def test_an_answer_that_comes_too_late_starts_the_task_once():
    driver, first, second = one_sent_ahead()
    driver.now += RETRACT_AFTER_S
    driver.step()
    seat = first.seat
    driver.end(seat)  # the worker started the second before it read the RETRACT
    assert second.phase is TaskPhase.RETRACTING  # whether it started is not known yet
    assert driver.starts == [1]
    driver.answer(seat, second, given_back=False)
    assert driver.starts == [1, 2]
    assert second.phase is TaskPhase.RUNNING


def test_a_task_that_does_not_stop_has_its_worker_killed_after_the_grace():
    driver = running(Driver(size=1))
    task = driver.submit(1)
    driver.step()
    driver.plan.cancel(1, CancelReason.CANCELLED, driver.now)
    orders = driver.step()
    assert [(o.kind, o.task_id, o.flags) for o in orders.sends] == [(wire.Kind.CONTROL, 1, int(wire.Flag.CANCEL))]
    assert orders.timeout == pytest.approx(GRACE_S)
    driver.now += GRACE_S
    assert driver.step().kills == [task.seat]
    assert task.seat.phase is WorkerPhase.ENDING


def test_a_task_cancelled_while_it_waits_behind_another_starts_cancelled_and_its_grace_starts_with_it():
    driver, first, second = one_sent_ahead()
    assert driver.plan.cancel(2, CancelReason.TIMED_OUT, driver.now) is None  # it is at a worker
    driver.now += GRACE_S * 2
    assert driver.step().kills == []  # no kill: that would end the task before it
    driver.end(first.seat)
    driver.now += GRACE_S
    assert driver.step().kills == [second.seat]


def test_a_shrink_retires_the_least_busy_worker_and_a_grow_takes_it_back():
    driver = running(Driver(size=2))
    driver.submit(1)
    driver.step()
    busy, idle = sorted(driver.plan.seats, key=lambda s: -len(s.tasks))
    driver.plan.size = 1
    driver.step()
    assert idle.phase is WorkerPhase.ENDING
    assert driver.stopped == [idle]
    driver.plan.size = 2
    assert driver.step().start == 1  # the one told to stop cannot serve again
    driver.plan.size = 1
    driver.step()  # the new one, still starting, retires
    driver.plan.size = 2
    driver.step()
    assert [seat.phase for seat in driver.plan.seats if seat is not idle] == [WorkerPhase.READY, WorkerPhase.STARTING]
    assert busy.phase is WorkerPhase.READY


def test_a_worn_worker_gives_back_what_waits_in_its_pipe_and_stops_once_idle():
    driver, first, second = one_sent_ahead()
    seat = first.seat
    orders = Orders()
    driver.plan.worn(seat, orders)
    driver.apply(orders)
    assert driver.retracts == {2}
    driver.end(seat)
    driver.answer(seat, second, given_back=True)
    orders = driver.step()
    assert driver.stopped == [seat]
    assert orders.start == 1
    assert second.phase is TaskPhase.QUEUED


def test_the_tasks_behind_a_worker_that_died_go_back_to_the_queue():
    driver = running(Driver(size=2))
    driver.learn(short, SHORT_TASK_S / 10)
    tasks = [driver.submit(task_id) for task_id in range(1, 5)]
    driver.step()
    seat = tasks[0].seat
    behind = seat.tasks[1]
    head, cancelled, requeued = driver.plan.gone(seat)
    assert (head, cancelled, requeued) == (tasks[0], [], True)
    assert behind.phase is TaskPhase.QUEUED


def test_workers_that_cannot_start_fail_the_queued_tasks_and_a_new_task_tries_again():
    driver = Driver(size=1)
    driver.step()
    task = driver.submit(1)
    seat = driver.plan.seats[0]
    for attempt in range(FAILED_STARTS_LIMIT):
        driver.plan.gone(seat)
        failed = driver.plan.start_failed(at_once=False)
        if attempt < FAILED_STARTS_LIMIT - 1:
            assert failed == []
            assert driver.step().start == 1
            seat = driver.plan.seats[0]
    assert failed == [task]
    assert driver.step().start == 0  # given up
    driver.submit(2)
    assert driver.step().start == 1


def test_close_withdraws_the_queued_tasks_and_stops_the_others_by_the_deadline():
    driver = running(Driver(size=1))
    first, second = driver.submit(1), driver.submit(2)
    driver.step()
    assert driver.plan.close(driver.now, deadline=driver.now + 0.1) == [second]
    assert first.stop_at == pytest.approx(driver.now + 0.1)
    assert driver.step().start == 0


# -- all of them at once -----------------------------------------------------------


class PlanMachine(RuleBasedStateMachine):
    """Random steps of a pool's life; the pool's promises checked after each."""

    def __init__(self) -> None:
        super().__init__()
        self.driver = Driver(size=2)
        self.driver.step()
        self.next_id = 1
        self.withdrawn: set[int] = set()

    @property
    def plan(self) -> PoolPlan:
        return self.driver.plan

    def _step(self) -> None:
        queued = {t.id for t in self.plan.tasks.values() if t.phase is TaskPhase.QUEUED}
        priorities = {t.id: t.priority for t in self.plan.tasks.values()}
        sent_before = len(self.driver.sent)
        orders = self.driver.step()
        runs = self.driver.sent[sent_before:]
        assert not set(runs) & self.withdrawn, "a withdrawn task reached a worker"
        assert set(runs) <= queued
        still = [priorities[i] for i in queued - set(runs)]
        if runs and still:
            assert min(priorities[i] for i in runs) >= max(still), "a lower priority went first"
        assert orders.timeout is None or orders.timeout > 0

    @rule(fn=st.sampled_from([short, long]), priority=st.sampled_from([0, 0, 0, 1, 2]))
    def submit(self, fn, priority):
        self.driver.submit(self.next_id, fn, priority)
        self.next_id += 1
        self._step()

    @rule(data=st.data(), reason=st.sampled_from(list(CancelReason)))
    def cancel(self, data, reason):
        if not self.plan.tasks:
            return
        task_id = data.draw(st.sampled_from(sorted(self.plan.tasks)))
        if self.plan.cancel(task_id, reason, self.driver.now) is not None:
            self.withdrawn.add(task_id)
        self._step()

    @rule(data=st.data(), paused=st.booleans())
    def pause(self, data, paused):
        if self.plan.tasks:
            self.plan.pause(data.draw(st.sampled_from(sorted(self.plan.tasks))), paused)
            self._step()

    @rule(size=st.integers(1, 4))
    def resize(self, size):
        self.plan.size = size
        self._step()

    @rule(ms=st.integers(0, 60))
    def time_passes(self, ms):
        self.driver.now += ms / 1000
        self._step()

    @rule(data=st.data())
    def hello(self, data):
        starting = [s for s in self.plan.seats if s.phase in (WorkerPhase.STARTING, WorkerPhase.RETIRING)]
        if starting:
            seat = data.draw(st.sampled_from(starting))
            if not seat.hello:
                self.plan.hello(seat, self.driver.now)
                self._step()

    @rule(data=st.data(), took=st.sampled_from([SHORT_TASK_S / 10, SHORT_TASK_S * 10]))
    def a_task_ends(self, data, took):
        """The task a worker runs sends its ending, ``took`` after it started."""
        busy = [s for s in self.plan.seats if s.task is not None and s.task.phase is not TaskPhase.SENT]
        if busy:
            seat = data.draw(st.sampled_from(busy))
            self.driver.now = max(self.driver.now, seat.task.started_at + took)
            self.driver.end(seat)
            self._step()

    @rule(data=st.data(), started=st.booleans())
    def an_answer_to_a_retract(self, data, started):
        asked = [(s, t) for s in self.plan.seats for t in s.tasks if t.phase is TaskPhase.RETRACTING]
        if asked:
            seat, task = data.draw(st.sampled_from(asked))
            # Only the task a worker is at can have started there.
            self.driver.answer(seat, task, given_back=not (started and seat.task is task))
            self._step()

    @rule(data=st.data())
    def a_worker_reports(self, data):
        """The task a worker runs sends a progress report (the worker reads its pipe)."""
        busy = [s for s in self.plan.seats if s.task is not None and s.task.phase is not TaskPhase.SENT]
        if busy:
            self.driver.hear(data.draw(st.sampled_from(busy)))
            self._step()

    @rule(data=st.data())
    def worn(self, data):
        ready = [s for s in self.plan.seats if s.phase is WorkerPhase.READY]
        if ready:
            orders = Orders()
            self.plan.worn(data.draw(st.sampled_from(ready)), orders)
            self.driver.apply(orders)
            self._step()

    @precondition(lambda self: self.plan.seats)
    @rule(data=st.data())
    def a_worker_dies(self, data):
        """Killed, stopped, or dead by itself."""
        self.driver.die(data.draw(st.sampled_from(self.plan.seats)))
        self._step()

    @invariant()
    def every_task_is_in_one_place_that_its_phase_names(self):
        placed: dict[int, Seat] = {}
        for seat in self.plan.seats:
            for index, task in enumerate(seat.tasks):
                assert task.id not in placed, "a task at two workers"
                placed[task.id] = seat
                assert task.seat is seat
                if index == 0:
                    assert task.phase in (TaskPhase.RUNNING, TaskPhase.RETRACTING), task.phase
                else:
                    assert task.phase in (TaskPhase.SENT, TaskPhase.RETRACTING), task.phase
            if seat.tasks:
                assert seat.phase is not WorkerPhase.STARTING
        for task in self.plan.tasks.values():
            if task.phase is TaskPhase.QUEUED:
                assert task.seat is None and task.id not in placed
            elif task.phase is not TaskPhase.ENDED:
                assert task.id in placed, f"task {task.id} is {task.phase.value} and at no worker"
        assert set(placed) <= set(self.plan.tasks), "an ended task still at a worker"

    @invariant()
    def no_task_waits_behind_another_while_a_worker_is_idle(self):
        idle = [s for s in self.plan.seats if s.phase is WorkerPhase.READY and not s.tasks]
        if not idle:
            return
        queued = [t.id for t in self.plan.tasks.values() if t.phase is TaskPhase.QUEUED]
        assert not queued, f"tasks {queued} wait while a worker is idle"
        for seat in self.plan.seats:
            if seat.phase is not WorkerPhase.ENDING:
                for task in list(seat.tasks)[1:]:
                    assert task.phase is TaskPhase.RETRACTING, f"task {task.id} waits behind another"

    @invariant()
    def a_task_that_runs_was_announced_once(self):
        starts = self.driver.starts
        assert len(starts) == len(set(starts))
        for task in self.plan.tasks.values():
            if task.phase is TaskPhase.RUNNING:
                assert task.id in starts

    def teardown(self) -> None:
        """Every worker's tasks end, every retract is answered: everything ends, nothing is lost."""
        for _ in range(10_000):
            answered = False
            for seat in list(self.plan.seats):
                for task in list(seat.tasks):
                    if task.phase is TaskPhase.RETRACTING:
                        self.driver.answer(seat, task, given_back=seat.task is not task)
                        answered = True
            if answered:
                self._step()
                continue
            busy = [s for s in self.plan.seats if s.task is not None]
            if busy:
                self.driver.end(busy[0])
            else:
                for seat in self.plan.seats:
                    if not seat.hello:
                        self.plan.hello(seat, self.driver.now)
            self._step()
            if not self.plan.tasks:
                break
        assert not self.plan.tasks, f"tasks left: {sorted(self.plan.tasks)}"


def test_the_plan_keeps_its_promises_whatever_happens():
    run_state_machine_as_test(
        PlanMachine,
        settings=settings(
            max_examples=150,
            stateful_step_count=40,
            deadline=None,
            derandomize=True,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )


def test_a_partial_or_a_method_is_known_by_the_function_inside():
    import functools

    class Holder:
        def run(self):
            pass

    first, second = Holder(), Holder()
    assert function_key((functools.partial(sorted, [2]), (), {})) is sorted
    assert function_key((first.run, (), {})) == function_key((second.run, (), {})) == Holder.run
    durations = Durations()
    for _ in range(3):
        durations.learn(function_key((functools.partial(sorted, [1]), (), {})), 0.0001)
    assert durations.short(function_key((functools.partial(sorted, [3]), (), {})))


@pytest.mark.parametrize("took", [SHORT_TASK_S / 2, SHORT_TASK_S / 10, SHORT_TASK_S / 1000])
def test_the_shorter_the_tasks_the_more_a_worker_is_sent_at_once_within_a_bound(took):
    """Tiny tasks go out in batches (fewer round trips), but what waits in a pipe
    fits SEND_AHEAD_S at their pace: a later task of higher priority waits no longer."""
    driver = running(Driver(size=2))
    for task_id in range(1, 201):
        driver.submit(task_id)
    driver.learn(short, took, times=20)
    driver.step()
    lines = [len(seat.tasks) for seat in driver.plan.seats]
    assert lines[0] == lines[1]
    assert PREFETCH <= lines[0] <= MAX_PREFETCH
    assert lines[0] == PREFETCH or (lines[0] - 1) * took <= SEND_AHEAD_S
    if took <= SHORT_TASK_S / 10:
        assert lines[0] > PREFETCH
