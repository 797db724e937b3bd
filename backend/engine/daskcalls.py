"""The dask mode's calls out to the cluster, each kind on the one thread made for it.

- :class:`BlockingCalls`: one thread of the mode's own, for what may wait
  on the cluster or on the clock (cancels on the scheduler, deadlines), so
  that neither the GUI thread nor the client's event loop ever does.
- :class:`WorkerCalls`: controls and forgets for the workers, queued by any
  thread and sent from the client's event loop, one call per worker side by
  side, each with a time limit, so that a worker that has died holds up no
  other.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
import threading
import time
from typing import Any, Callable, Tuple

from ..core import daskremote
from ..core.errors import safe_str

log = logging.getLogger(__name__)

# How long a call to one worker (a control, a forget) may take before it is
# given up and logged. Each worker's calls go on their own, so a worker that
# does not answer holds up no other; one that has left the cluster gets none.
CONTROL_TIMEOUT_S = 5.0

Change = Tuple[int, int, int]  # a control: task id, its number in the task's controls, flags


class BlockingCalls:
    """Runs the calls it is given in order, each once its delay (if any) has passed, on one thread.

    Nothing it runs may raise: a failure is logged, and the next goes on.
    """

    def __init__(self, name: str) -> None:
        self._name = name
        self._cond = threading.Condition()
        self._due: list[tuple[float, int, Callable[[], None]]] = []  # a heap: when, order, call
        self._order = itertools.count()
        self._thread: threading.Thread | None = None
        self._closed = False

    def put(self, call: Callable[[], None], delay_s: float = 0.0) -> None:
        """Run ``call`` on the thread, after ``delay_s`` (any thread)."""
        with self._cond:
            if self._closed:
                return
            heapq.heappush(self._due, (time.monotonic() + delay_s, next(self._order), call))
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name=self._name, daemon=True)
                self._thread.start()
            self._cond.notify()

    def close(self) -> None:
        """Drop the calls not yet run; the thread ends after the one it runs, if any."""
        with self._cond:
            self._closed = True
            self._due.clear()
            self._cond.notify()

    def _loop(self) -> None:
        while True:
            with self._cond:
                while True:
                    if self._closed:
                        return
                    wait: float | None = None
                    if self._due:
                        wait = self._due[0][0] - time.monotonic()
                        if wait <= 0:
                            call = heapq.heappop(self._due)[2]
                            break
                    self._cond.wait(wait)
            try:
                call()
            except Exception as error:  # a worker gone, the client closing...
                log.info("%s: %s: %s", self._name, type(error).__name__, safe_str(error))


class WorkerCalls:
    """Controls and forgets for the workers: queued by any thread, sent from the client's event loop.

    ``workers_lost(names)`` is told of the workers that a control was meant
    for and that have left the cluster (from the client's loop).
    """

    def __init__(self, name: str, client: Any, topic: str, workers_lost: Callable[[set[str]], None]) -> None:
        self._name = name
        self._client = client
        self._topic = topic
        self._workers_lost = workers_lost
        self._lock = threading.Lock()
        # Waiting to go out: (the workers, None for every one; the changes, or
        # the ids to forget; keep, or None for a forget).
        self._outgoing: list[tuple[list[str] | None, list[Any], bool | None]] = []
        self._sending = False

    def control(self, workers: list[str] | None, changes: list[Change], keep: bool = True) -> None:
        """Send controls to ``workers`` (None: every worker); they keep those for tasks not
        running there if ``keep``. Returns at once (any thread)."""
        self._queue(workers, changes, keep)

    def forget(self, task_ids: list[int]) -> None:
        """Every worker drops the controls it keeps for these tasks, which have ended."""
        self._queue(None, task_ids, None)

    def _queue(self, workers: list[str] | None, items: list[Any], keep: bool | None) -> None:
        with self._lock:
            self._outgoing.append((workers, items, keep))
            if self._sending:
                return
            self._sending = True
        try:
            self._client.loop.add_callback(self._send_out)
        except RuntimeError:  # the client's loop has closed: nothing can reach the workers now
            with self._lock:
                self._outgoing.clear()
                self._sending = False

    async def _send_out(self) -> None:
        """Send the queued calls, one per worker, side by side (the client's loop: it must not raise).

        A call to a worker that has left the cluster is not made: the
        scheduler would try to reach it until its connect timeout, and log
        an error.
        """
        with self._lock:
            batch, self._outgoing = self._outgoing, []
            self._sending = False
        try:
            living = set(await asyncio.wait_for(self._client.scheduler.ncores(), CONTROL_TIMEOUT_S))
        except Exception as error:  # the scheduler is gone, or the client closes
            log.info("the %s mode cannot reach the scheduler: %s", self._name, describe(error))
            return
        controls: dict[tuple[str, bool], list[Change]] = {}
        forgets: dict[str, list[int]] = {}
        lost: set[str] = set()
        for workers, items, keep in batch:
            if workers is not None:
                lost.update(w for w in workers if w not in living)
            for worker in living if workers is None else [w for w in workers if w in living]:
                if keep is None:
                    forgets.setdefault(worker, []).extend(items)
                else:
                    controls.setdefault((worker, keep), []).extend(items)
        if lost:
            self._workers_lost(lost)
        calls = [self.call(w, daskremote.control, self._topic, c, keep) for (w, keep), c in controls.items()]
        calls += [self.call(w, daskremote.forget, self._topic, ids) for w, ids in forgets.items()]
        await asyncio.gather(*calls)

    async def call(self, worker: str, fn: Callable[..., None], *args: Any) -> None:
        """Run ``fn(*args)`` on ``worker``, within CONTROL_TIMEOUT_S (the client's loop; never raises)."""
        try:
            await self._client.run(fn, *args, workers=[worker], asynchronous=True, callback_timeout=CONTROL_TIMEOUT_S)
        except Exception as error:  # it left meanwhile, or does not answer
            log.info("the %s mode could not reach worker %s: %s", self._name, worker, describe(error))

    async def stop_all(self) -> None:
        """Every living worker cancels the mode's tasks there, side by side."""
        living = await self._client.scheduler.ncores()
        await asyncio.gather(*(self.call(w, daskremote.stop_all, self._topic) for w in living))


def describe(error: BaseException) -> str:
    return safe_str(error) or type(error).__name__  # some of distributed's errors say nothing
