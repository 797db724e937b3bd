"""A task's way from its submission to its mode, and out of it when it is cancelled.

A new task joins the list at once; it goes to its mode now, at the end of
the turn (a QML run, see :meth:`TaskFlow.start_soon`), once the tasks it
waits for have finished (``after=``, ``then()``), or once its group lets it
(``latest=``, ``limit=``). A cancel withdraws it from wherever it waits, or
has its mode stop it. :mod:`.chains` and :mod:`.groups` keep the books;
this object acts on them. GUI thread only.
"""

from __future__ import annotations

import logging
from typing import Any, Callable, Optional, Sequence, Tuple

from ..core.errors import TaskError
from ..core.sink import end_task
from ..core.states import CancelReason, Event, TaskState
from .affinity import OwnerThreadCalls
from .chains import Dependencies, Waiting, waiting_note, why_not_started
from .groups import Groups, group_note
from .modes.base import Call
from .publisher import Publisher
from .registry import ModeRegistry, TaskRegistry
from .submission import Owner, check_submission, new_handle, refused_handle, waited_for_again
from .task import TaskHandle

log = logging.getLogger(__name__)

# A group's options, checked: (latest, limit).
Grouping = Tuple[bool, Optional[int]]

Dispatch = Callable[..., None]  # WorkerSignals.dispatch: deliver a task event now (GUI thread)


class TaskFlow:
    """Starts new tasks in their modes, holds back those that must wait, and cancels."""

    def __init__(
        self,
        registry: TaskRegistry,
        modes: ModeRegistry,
        publisher: Publisher,
        dispatch: Dispatch,
        calls: OwnerThreadCalls,
        owner: Owner,
    ) -> None:
        self._registry = registry
        self._modes = modes
        self._publisher = publisher
        self._dispatch = dispatch
        self._calls = calls
        self._owner = owner  # the manager, weakly: every handle refers to it (then())
        self.deps = Dependencies()  # tasks held back by after= and then()
        self._groups = Groups()  # group=, latest=, limit=
        # QML's runs, given to their modes once the JavaScript that asked has
        # returned (see start_soon).
        self._handing: dict[int, tuple[TaskHandle, Call]] = {}

    # -- in -------------------------------------------------------------------

    def submit(
        self,
        fn: Callable[..., Any],
        args: Sequence[Any],
        kwargs: dict[str, Any] | None,
        name: str | None,
        timeout: float | None,
        mode: str,
        priority: int,
        after: Sequence[TaskHandle],
        feed: TaskHandle | None,
        group: str | None = None,
        latest: bool = False,
        limit: int | None = None,
        soon: bool = False,
    ) -> TaskHandle:
        """``submit_task``, and ``then()`` (``feed``: its result goes first), and ``run()`` (``soon``).

        Any thread: the arguments are checked, and the handle made, at once;
        the books are kept on the GUI thread (posted there from another).
        """
        if not self._registry.accepting:
            raise RuntimeError("the backend is shut down and takes no new work")
        after = check_submission(fn, timeout, priority, after, self._owner)
        grouped = grouping(group, latest, limit)
        runner = self._modes.get(mode)
        if runner is None:
            raise ValueError(self._modes.unknown(mode))
        task_id = self._registry.new_id()
        handle = new_handle(task_id, runner, fn, args, kwargs, name, timeout, priority, self._calls, self._owner)
        handle.group = group
        if after:
            handle.waits_for = tuple(other.id for other in after)
            handle.fed = feed is not None
            self._here(self.start_after, handle, handle.call, after, feed, grouped)
        elif soon:  # a run() from QML, on the GUI thread
            self.start_soon(handle, handle.call, grouped)
        else:
            self._here(self.start, handle, handle.call, grouped)
        return handle

    def _here(self, method: Callable[..., None], *args: Any) -> None:
        if self._calls.here():
            method(*args)
        else:
            self._calls.post(method, *args)

    def refuse(self, name: str, error: TaskError, mode: str) -> TaskHandle:
        """A task that failed before it could start (a run() with a mistake): a row that says why."""
        if not self._registry.accepting:
            raise RuntimeError("the backend is shut down and takes no new work")
        runner = self._modes[mode]
        handle = refused_handle(self._registry.new_id(), name, runner, self._calls, self._owner)
        self.add(handle)
        end_task(self._dispatch, handle.context, handle.id, Event.ERROR, error)
        return handle

    def retry(self, old: TaskHandle, find: Callable[[int], TaskHandle | None]) -> TaskHandle | None:
        """Submit an ended task again: the same call and options, waiting again for what it waited for."""
        if not old.done or old.call is None:
            return None
        after = waited_for_again(old, find)
        if after is None:
            return None
        fn, args, kwargs = old.call
        feed = after[0] if after and old.fed else None
        return self.submit(fn, args, kwargs, old.name, old.timeout, old.mode, old.priority, after, feed, old.group)

    def add(self, handle: TaskHandle, grouping: Grouping | None = None) -> None:
        """A new task joins the list (and its group), not yet its mode."""
        self._registry.add(handle)
        # Before the mode starts it: a gui-mode task runs in the next pass, and
        # the publish (busy, and all that follows it) must come first.
        self._publisher.add(handle)
        if handle.group is not None:
            latest, limit = grouping or (False, None)
            for earlier in self._groups.join(handle, latest, limit):
                self.cancel(earlier, CancelReason.CANCELLED)
                earlier.note = f"replaced by #{handle.id}"

    def start(self, handle: TaskHandle, call: Call, grouping: Grouping | None = None) -> None:
        """A new task, to its mode now (unless its group holds it)."""
        self.add(handle, grouping)
        self._launch(handle, call)

    def start_soon(self, handle: TaskHandle, call: Call, grouping: Grouping | None = None) -> None:
        """A new task from QML, to its mode once the JavaScript that asked for it has returned.

        A QML loop of run()s returns to JavaScript after each, and each
        return lets go of the GIL. Launched at once, each task wakes a pool
        thread that takes the GIL then, and the loop waits for it at every
        call. Held to the end of the turn, the loop runs alone and the batch
        goes to its mode at once (docs/performance.md); the rows and task
        ids exist from the call on.
        """
        self.add(handle, grouping)
        if not self._handing:
            self._calls.post(self._launch_handed)
        self._handing[handle.id] = (handle, call)

    def start_after(
        self,
        handle: TaskHandle,
        call: Call,
        after: Sequence[TaskHandle],
        feed: TaskHandle | None,
        grouping: Grouping | None = None,
    ) -> None:
        """A new task, held back until every task of ``after`` has finished."""
        self.add(handle, grouping)
        failed = next((other for other in after if other.done and other.state != TaskState.FINISHED), None)
        if failed is not None:
            self._never_start(handle, why_not_started(failed))
            return
        pending = [other.id for other in after if not other.done]
        if not pending:
            self._launch_waiting(Waiting(handle, call, set(), feed))
            return
        handle.note = waiting_note(pending)
        self.deps.hold(Waiting(handle, call, set(pending), feed))

    # -- to its mode ------------------------------------------------------------

    def _launch(self, handle: TaskHandle, call: Call) -> None:
        if self._may_start(handle, call):
            self._hand_over(handle, call)

    def _may_start(self, handle: TaskHandle, call: Call) -> bool:
        """Whether a new task goes to its mode now; if not, it was withdrawn or its group holds it."""
        if not self._registry.accepting:  # shut down while its start was on its way (another thread, a later turn)
            handle.context.request_cancel()
            self._modes[handle.mode].withdrawn(handle)
            return False
        if handle.group is not None and not self._groups.admit(handle, call):
            handle.note = group_note(handle.group, self._groups.limit(handle.group))
            return False
        return True

    def _launch_handed(self) -> None:
        batch, self._handing = self._handing, {}
        by_mode: dict[str, list[tuple[TaskHandle, Call]]] = {}
        for handle, call in batch.values():
            if self._may_start(handle, call):
                self._modes.handed_over(handle)
                by_mode.setdefault(handle.mode, []).append((handle, call))
        for mode, starting in by_mode.items():
            for handle, error in self._modes[mode].start_many(starting):
                self._not_started(handle, error)

    def _hand_over(self, handle: TaskHandle, call: Call) -> None:
        self._modes.handed_over(handle)
        try:
            self._modes[handle.mode].start(handle, call)
        except Exception as error:  # it cannot run there: it fails, as a task, not as a crash
            self._not_started(handle, error)

    def _not_started(self, handle: TaskHandle, error: Exception) -> None:
        end_task(self._dispatch, handle.context, handle.id, Event.ERROR, TaskError.from_exception(error))

    def _launch_admitted(self, handle: TaskHandle, call: Call) -> None:
        """Start a task its group held back, now that one of the group has ended."""
        handle.note = ""
        self._publisher.touch(handle)
        if handle.context.cancelled:  # cancelled between its admission and now: its mode never saw it
            reason = handle.context.cancel_reason or CancelReason.CANCELLED
            end_task(self._dispatch, handle.context, handle.id, Event.CANCELLED, reason)
        else:
            self._hand_over(handle, call)

    def _launch_waiting(self, waiting: Waiting) -> None:
        """Start a task whose wait is over; a then() task gets its result first."""
        handle, call = waiting.handle, waiting.call
        handle.note = ""
        if waiting.feed is not None:
            fn, args, kwargs = call
            call = handle.call = (fn, (waiting.feed.result, *args), kwargs)
        self._publisher.touch(handle)
        self._launch(handle, call)

    def _never_start(self, handle: TaskHandle, why: str) -> None:
        """End a held-back task, cancelled, that will never start."""
        handle.note = why
        handle.context.request_cancel(CancelReason.CANCELLED)
        end_task(self._dispatch, handle.context, handle.id, Event.CANCELLED, CancelReason.CANCELLED)

    # -- out --------------------------------------------------------------------

    def cancel(self, handle: TaskHandle, reason: CancelReason) -> None:
        """Withdraw a task from where it waits, or have its mode stop it; end what waits for it."""
        handle.context.request_cancel(reason)
        if (
            self._handing.pop(handle.id, None) is not None
            or self.deps.withdraw(handle.id) is not None
            or self._groups.withdraw(handle)
        ):
            handle.note = ""  # held back: its mode has never seen it
            end_task(self._dispatch, handle.context, handle.id, Event.CANCELLED, reason)
        else:
            self._modes[handle.mode].cancel(handle)
        # What waits for it will never start: ended now, not once it has stopped.
        for task_id in self.deps.dependents(handle.id):
            dependent = self._registry.get(task_id)
            if dependent is not None and self.deps.withdraw(task_id) is not None:
                self._never_start(dependent, why_not_started(handle, stopping=reason))
        self._publisher.touch(handle)

    def pause(self, handle: TaskHandle, paused: bool) -> None:
        """Ask a task to pause at its next check point, or to go on."""
        if not handle.can_pause:
            log.info("task %d runs in %s mode, which cannot pause it", handle.id, handle.mode)
            return
        handle.context.request_pause(paused)
        self._modes[handle.mode].pause(handle, paused)
        self._publisher.touch(handle)

    def leaves_group(self, handle: TaskHandle) -> None:
        """``handle``'s task has ended: its group may start one it held back."""
        if handle.group is not None:
            # Posted, not nested: held tasks that fail at once would recurse.
            for admitted, call in self._groups.ended(handle):
                self._calls.post(self._launch_admitted, admitted, call)

    def settled(self, handle: TaskHandle) -> None:
        """``handle``'s task has ended and its callbacks are due: what waited for it goes on."""
        if handle.id in self.deps.waited_for:
            # Not nested in this delivery: a long chain ends link by link,
            # never deeper on the stack.
            self._calls.post(self._after_ended, handle)

    def _after_ended(self, handle: TaskHandle) -> None:
        ready, doomed = self.deps.ended(handle)
        for waiting in doomed:
            self._never_start(waiting.handle, why_not_started(handle))
        for waiting in ready:
            self._launch_waiting(waiting)
        if ready or doomed:
            self._publisher.schedule()


def grouping(group: str | None, latest: bool, limit: int | None) -> Grouping | None:
    """``submit_task``'s group options, checked (None: no group)."""
    if group is None:
        if latest or limit is not None:
            raise ValueError("latest= and limit= apply to a group: give group= a name too")
        return None
    if not isinstance(group, str) or not group:
        raise TypeError(f"group must be a name (a non-empty str), not {group!r}")
    if not isinstance(latest, bool):
        raise TypeError(f"latest must be True or False, not {latest!r}")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        raise ValueError(f"limit must be a whole number of tasks from 1, not {limit!r}")
    return (latest, limit)
