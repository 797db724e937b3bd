"""A worker process's side of its pipe, tested in this process: what its reader
thread and its main thread agree on about the tasks sent to it."""

from __future__ import annotations

from offthread.core import remote, wire


class Pipe:
    """Stands for the worker's end of its pipe: keeps what it is sent."""

    def __init__(self) -> None:
        self.sent: list[tuple[wire.Kind, int]] = []

    def send_bytes(self, data) -> None:
        kind, task_id, _flags = wire.header(bytes(data))
        self.sent.append((kind, task_id))


def test_a_task_given_back_twice_before_the_main_thread_reads_either_run_is_skipped_both_times():
    # Sent ahead, asked back, sent to the same worker again and asked back
    # again, all while the worker's main thread runs the task before it: two
    # RUN items for one id wait in its queue, and both were given back. Kept
    # as a set, the second "given back" was lost, and the main thread's take
    # of the second item found the id nowhere and raised: the worker died,
    # and the task it ran then failed with "died (exit code 1)".
    pipe = Pipe()
    link = remote._Link(pipe)
    for _ in range(2):
        link.receive(7, 0)
        link.retract(7)
    assert pipe.sent == [(wire.Kind.RETURNED, 7)] * 2
    assert link.take(7) is False
    assert link.take(7) is False
    link.receive(7, 0)  # and a third time: this one runs
    assert link.take(7) is True


def test_a_task_given_back_once_of_two_runs_runs_once():
    pipe = Pipe()
    link = remote._Link(pipe)
    link.receive(7, 0)
    link.retract(7)
    link.receive(7, 0)
    assert link.take(7) is False  # the first RUN: given back
    assert link.take(7) is True  # the second: it runs
    link.retract(7)
    assert pipe.sent == [(wire.Kind.RETURNED, 7), (wire.Kind.TAKEN, 7)]
