"""A randomized stateful test of the backend: hypothesis mixes submits, cancels,
pauses, resumes, cancelAll, clearFinished, pool resizes, mode switches,
timeouts, priorities and chains (``then``, ``after=``), over short, long, CPU,
generator, failing and non-cooperative tasks, in every mode (asyncio mode runs
each kind's ``async def`` twin), and checks after every step that the events
and the handles agree, that no task starts before what it waits for has
finished, and that none starts after one it waits for failed; and at the end
that everything returns to idle.

In CI it runs a fixed set of examples (seeded, bounded), in every mode but
dask: a cluster of its own would add a minute. ``make soak`` runs it for
minutes with fresh random examples (OFFTHREAD_SOAK=N examples), and with a
dask mode too where dask.distributed is installed.
"""

from __future__ import annotations

import concurrent.futures
import logging
import os

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    invariant,
    multiple,
    rule,
    run_state_machine_as_test,
)
from qtpy.QtCore import QCoreApplication, QEvent

from offthread import ExecutorMode, TaskState
from offthread.app import Backend, cpu_job
from offthread.engine.model import FIRST_ROLE, ROLES

from . import tasks
from .helpers import SignalLog

SOAK = int(os.environ.get("OFFTHREAD_SOAK", "0"))

MODES = ["gui", "events", "thread", "process", "pool", "asyncio"]
try:
    import distributed  # the soak adds a dask mode where it is installed
except ImportError:
    pass
else:
    if SOAK:
        MODES.append("dask")
ENDINGS = {"result": TaskState.FINISHED, "error": TaskState.FAILED}

ANYWHERE = frozenset(MODES) - {"asyncio"}
# On the GUI thread (gui and events modes) only tasks that end by themselves,
# soon: there, a step of this test waits for them. A task that never ends by
# itself only where a cancel can reach it (an executor's running task cannot
# be reached), and one that never checks only where it can be killed. Each
# kind: its function, its arguments, the modes it runs in, and its async def
# twin for asyncio mode (None: a kind that asyncio mode has no use for).
KINDS = {
    "short": (tasks.square, (7,), ANYWHERE, tasks.async_square),
    "long": (tasks.count_to, (300,), ANYWHERE, tasks.async_count_to),
    "checking forever": (
        tasks.wait_for_cancel,
        (),
        frozenset({"thread", "process", "dask"}),
        tasks.async_wait_for_cancel,
    ),
    "cpu": (cpu_job, (3000,), ANYWHERE, None),
    "generator": (tasks.partials, (), ANYWHERE, tasks.async_partials),
    "failing": (tasks.fail_in_child, ("on purpose",), ANYWHERE, tasks.async_fail),
    "never checks": (tasks.never_checks, (0.15,), ANYWHERE, tasks.async_never_checks),
    "spins": (tasks.spin_forever, (), frozenset({"process"}), None),
}


@pytest.fixture(scope="module")
def dask_cluster():
    """A local cluster for the dask mode of the soak (none in CI)."""
    if "dask" not in MODES:
        yield None
        return
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address="127.0.0.1:0"
    )
    yield cluster
    cluster.close()


# Where then() and after= tasks run (the kinds they run are plain functions).
CHAIN_MODES = ANYWHERE - {"dask"}

# Warnings the backend gives on purpose in these runs.
EXPECTED_WARNINGS = ("processEvents()",)


def consistent(handle, names) -> str:
    """What is wrong between a task's delivered events and its handle, or ""."""
    if names.count("started") > 1 or ("started" in names and names[0] != "started"):
        return f"started out of place: {names}"
    endings = [n for n in names if n in ("result", "error", "cancelled")]
    if len(endings) > 1:
        return f"{len(endings)} endings: {names}"
    if "finished" in names:
        if names[-1] != "finished" or names.count("finished") > 1 or not endings or names[-2] != endings[0]:
            return f"finished out of place: {names}"
    if endings:
        expected = ENDINGS.get(endings[0])
        if not handle.done:
            return f"ended ({endings[0]}) but its handle says {handle.state}"
        if expected is not None and handle.state != expected:
            return f"ended ({endings[0]}) but its handle says {handle.state}"
        if expected is None and handle.state not in (TaskState.CANCELLED, TaskState.TIMED_OUT):
            return f"cancelled but its handle says {handle.state}"
    elif handle.done:
        return f"its handle says {handle.state} with no ending delivered: {names}"
    return ""


# The groups the grouped rule uses, and how many of each may run at once
# ("latest": each new task cancels the group's earlier ones; one at a time).
GROUP_LIMITS = {"latest": 1, "two": 2}


def make_machine(qtbot, caplog, cluster):
    class BackendMachine(RuleBasedStateMachine):
        submitted = Bundle("submitted")

        def __init__(self) -> None:
            super().__init__()
            self.backend = Backend(max_threads=2, processes=2, steps=3, step_seconds=0.02, cpu_limit=3000)
            self.executor = concurrent.futures.ThreadPoolExecutor(max_workers=2)
            self.backend.add_mode(ExecutorMode("pool", self.executor, on_shutdown=self._close_executor))
            if cluster is not None:
                from offthread.engine.dask import dask_mode

                self.backend.add_mode(dask_mode(cluster.scheduler_address))
            self.log = SignalLog(self.backend.signals)
            self.handles = []
            self.waits_for = {}  # task id -> the handles it waits for (then, after=)
            self.group_of = {}  # task id -> its group (grouped)

        def _close_executor(self) -> None:
            self.executor.shutdown(wait=False)

        @rule(
            target=submitted,
            batch=st.lists(
                st.tuples(
                    st.sampled_from(sorted(KINDS)),
                    st.sampled_from(MODES),
                    st.one_of(st.none(), st.floats(0.05, 0.6)),
                    st.integers(-2, 2),
                ),
                min_size=1,
                max_size=8,
            ),
        )
        def submit(self, batch):
            made = []
            for kind, mode, timeout, priority in batch:
                fn, args, modes, twin = KINDS[kind]
                if mode == "asyncio" and twin is not None:
                    fn = twin
                elif mode not in modes:
                    mode = sorted(modes & set(MODES))[0]
                made.append(
                    self.backend.submit_task(fn, args, mode=mode, timeout=timeout, name=kind, priority=priority)
                )
            self.handles.extend(made)
            return multiple(*made)

        @rule(target=submitted, first=submitted, mode=st.sampled_from(sorted(CHAIN_MODES)))
        def then(self, first, mode):
            handle = first.then(tasks.passed_on, mode=mode, name="then")
            self.waits_for[handle.id] = [first]
            self.handles.append(handle)
            return handle

        @rule(
            target=submitted,
            others=st.lists(submitted, min_size=1, max_size=3),
            kind=st.sampled_from(["short", "long", "failing"]),
            mode=st.sampled_from(sorted(CHAIN_MODES)),
        )
        def after(self, others, kind, mode):
            fn, args, _modes, _twin = KINDS[kind]
            handle = self.backend.submit_task(fn, args, mode=mode, name=f"{kind} after", after=others)
            self.waits_for[handle.id] = list(others)
            self.handles.append(handle)
            return handle

        @rule(
            target=submitted,
            group=st.sampled_from(sorted(GROUP_LIMITS)),
            kind=st.sampled_from(["short", "long", "failing"]),
            mode=st.sampled_from(sorted(CHAIN_MODES)),
            count=st.integers(1, 4),
        )
        def grouped(self, group, kind, mode, count):
            fn, args, _modes, _twin = KINDS[kind]
            latest = group == "latest"
            limit = None if latest else GROUP_LIMITS[group]
            made = [
                self.backend.submit_task(
                    fn, args, mode=mode, name=f"{kind} in {group}", group=group, latest=latest, limit=limit
                )
                for _ in range(count)
            ]
            for handle in made:
                self.group_of[handle.id] = group
            self.handles.extend(made)
            return multiple(*made)

        @rule()
        def click_danger(self):
            self.backend.danger()
            self.handles.append(self.backend.tasks()[-1])

        @rule(handle=submitted)
        def cancel(self, handle):
            self.backend.cancel(handle.id)

        @rule(handle=submitted)
        def pause(self, handle):
            # Not an events-mode task: it would pause on the GUI thread's stack,
            # below this test's own steps, and wait there for a resume that
            # only a step of this test could give (a user's click would do).
            if handle.mode != "events":
                self.backend.pause(handle.id)

        @rule(handle=submitted)
        def resume(self, handle):
            self.backend.resume(handle.id)

        @rule()
        def cancel_all(self):
            self.backend.cancelAll()

        @rule()
        def clear_finished(self):
            self.backend.clearFinished()

        @rule(threads=st.integers(1, 4))
        def resize_pool(self, threads):
            self.backend.maxThreadCount = threads

        @rule(mode=st.sampled_from(MODES))
        def switch_mode(self, mode):
            self.backend.mode = mode

        @rule(ms=st.integers(0, 60))
        def let_time_pass(self, ms):
            qtbot.wait(ms)

        @invariant()
        def events_and_handles_agree(self):
            for handle in self.handles:
                problem = consistent(handle, self.log.names(handle.id))
                assert not problem, f"task {handle.id} ({handle.name}, {handle.mode}): {problem}"

        @invariant()
        def nothing_starts_before_what_it_waits_for(self):
            started, finished = {}, {}
            for position, event in enumerate(self.log.events):
                if event[0] == "started":
                    started.setdefault(event[1], position)
                elif event[0] == "finished":
                    finished.setdefault(event[1], position)
            for task_id, others in self.waits_for.items():
                for other in others:
                    if task_id in started:
                        assert finished.get(other.id, started[task_id] + 1) < started[task_id], (task_id, other)
                        assert other.state == TaskState.FINISHED, (
                            f"task {task_id} started after #{other.id} {other.state}"
                        )

        @invariant()
        def no_group_runs_more_than_its_limit(self):
            running = {group: set() for group in GROUP_LIMITS}
            for event in self.log.events:
                group = self.group_of.get(event[1])
                if group is None:
                    continue
                if event[0] == "started":
                    running[group].add(event[1])
                    assert len(running[group]) <= GROUP_LIMITS[group], (group, sorted(running[group]))
                elif event[0] == "finished":
                    running[group].discard(event[1])

        def teardown(self):
            backend = self.backend
            try:
                # Every task ends: resumed, then cancelled (killed, for a
                # process task that never checks).
                for handle in self.handles:
                    backend.resume(handle.id)
                backend.cancelAll()
                qtbot.waitUntil(lambda: all(h.done for h in self.handles), timeout=10000)
                qtbot.waitUntil(lambda: not backend.busy, timeout=5000)
                assert (backend.activeCount, backend.queuedCount, backend.tasks()) == (0, 0, [])
                self.events_and_handles_agree()
                for handle in self.handles:
                    names = self.log.names(handle.id)
                    assert names[-1] == "finished", f"task {handle.id} ({handle.name}, {handle.mode}): {names}"
                model = backend.taskModel

                def shown_rows() -> list[dict]:
                    return [
                        {name: model.data(model.index(row, 0), FIRST_ROLE + i) for i, name in enumerate(ROLES)}
                        for row in range(model.rowCount())
                    ]

                # Rows are published in turns of a few ms each, and the counts (busy)
                # with the first: on a busy machine the last rows come a turn later.
                qtbot.waitUntil(lambda: all(shown["done"] for shown in shown_rows()), timeout=5000)
                for shown in shown_rows():  # every row shows its task as it ended
                    handle = next(h for h in self.handles if h.id == shown["id"])
                    assert (shown["state"], shown["done"]) == (handle.state, True), (shown, handle)
                assert backend.shutdown(3000)
            finally:
                backend.shutdown(0)
                self.executor.shutdown(wait=True)
                # Deleted here, on the GUI thread: hypothesis keeps this machine
                # in reference cycles, and Python's cyclic collector would free
                # it on whichever thread allocates next, a pool thread maybe,
                # where destroying its Qt timers crashes the GUI thread later.
                backend.deleteLater()
                QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
                unexpected = [
                    r.getMessage()
                    for r in caplog.records
                    if r.levelno >= logging.WARNING and not any(e in r.getMessage() for e in EXPECTED_WARNINGS)
                ]
                caplog.clear()
                assert not unexpected, "\n".join(unexpected)

    return BackendMachine


@pytest.mark.slow
def test_random_sequences_of_calls_keep_the_backend_consistent(qapp, qtbot, caplog, dask_cluster):
    options = {
        "max_examples": SOAK or 40,
        "stateful_step_count": 50,
        "deadline": None,
        "derandomize": not SOAK,  # CI: the same examples every run; soak: new ones
        "database": None,
        "suppress_health_check": list(HealthCheck),
    }
    run_state_machine_as_test(make_machine(qtbot, caplog, dask_cluster), settings=settings(**options))
