"""One lifecycle per task (core.lifecycle): a start at most once, an ending exactly once, whoever tries."""

from __future__ import annotations

import threading

from offthread.core.lifecycle import Lifecycle, Phase
from offthread.core.sink import end_task


def race(*calls):
    """Run the calls on threads released at once; their return values, in order."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        barrier.wait()
        results[index] = call()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_a_start_and_a_withdrawal_race_and_exactly_one_wins():
    for _ in range(500):
        life = Lifecycle()
        started, withdrawn = race(life.try_start, life.try_withdraw)
        assert started != withdrawn
        assert life.phase == (Phase.RUNNING if started else Phase.WITHDRAWN)


def test_of_many_endings_exactly_one_is_sent_and_finished_follows_it():
    for _ in range(200):
        life = Lifecycle()
        sent = []
        endings = [
            lambda n=n, life=life, sent=sent: end_task(lambda *event: sent.append(event), life, 7, "result", n)
            for n in range(4)
        ]
        assert sorted(race(*endings)) == [False, False, False, True]
        assert len(sent) == 2 and sent[0][0] == "result" and sent[1] == ("finished", 7)


def test_the_transitions():
    life = Lifecycle()
    assert life.phase == Phase.QUEUED
    assert life.try_start() and not life.try_start() and not life.try_withdraw()
    assert life.try_end() and life.phase == Phase.ENDED and not life.try_end()
    withdrawn = Lifecycle()
    assert withdrawn.try_withdraw() and withdrawn.try_withdraw()  # asking again says the same
    assert not withdrawn.try_start() and withdrawn.try_end()
    refused = Lifecycle()
    assert refused.try_end() and not refused.try_start()  # ended before it could start: never starts
