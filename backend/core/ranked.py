"""The queue a mode keeps its waiting tasks in: a higher priority goes first, equals in order.

Almost every task has priority 0, so those stay in a plain deque (an append,
a popleft); only the others go to a heap. See docs/python-api.md, "Priorities".
"""

from __future__ import annotations

import collections
import heapq
import itertools
from typing import Generic, Iterator, TypeVar

T = TypeVar("T")


class RankedQueue(Generic[T]):
    """First in, first out within a priority; a higher priority before a lower one.

    Not thread-safe: its owner holds its own lock around it.
    """

    __slots__ = ("_plain", "_ranked", "_later", "_sooner")

    def __init__(self) -> None:
        self._plain: collections.deque[T] = collections.deque()  # priority 0, in order
        self._ranked: list[tuple[int, int, T]] = []  # a heap of (-priority, order, item)
        self._later = itertools.count(1)  # order for items put at the back of their priority
        self._sooner = itertools.count(1)  # order, negated, for items put back at its front

    def append(self, item: T, priority: int = 0) -> None:
        """Queue ``item`` behind every other of its priority."""
        if priority:
            heapq.heappush(self._ranked, (-priority, next(self._later), item))
        else:
            self._plain.append(item)

    def appendleft(self, item: T, priority: int = 0) -> None:
        """Put ``item`` back before every other of its priority (a task given back)."""
        if priority:
            heapq.heappush(self._ranked, (-priority, -next(self._sooner), item))
        else:
            self._plain.appendleft(item)

    def popleft(self) -> T:
        """The item to start next. Raises IndexError if there is none."""
        ranked = self._ranked
        if ranked and (ranked[0][0] < 0 or not self._plain):  # above 0, or nothing at 0
            return heapq.heappop(ranked)[2]
        return self._plain.popleft()

    def first_priority(self) -> int:
        """The priority of the item :meth:`popleft` gives next (0 if there is none)."""
        ranked = self._ranked
        if ranked and (ranked[0][0] < 0 or not self._plain):
            return -ranked[0][0]
        return 0

    def remove(self, item: T) -> None:
        """Take ``item`` out. Raises ValueError if it is not here."""
        try:
            self._plain.remove(item)
        except ValueError:
            for index, entry in enumerate(self._ranked):
                if entry[2] is item:
                    self._ranked[index] = self._ranked[-1]
                    self._ranked.pop()
                    heapq.heapify(self._ranked)
                    return
            raise

    def __len__(self) -> int:
        return len(self._plain) + len(self._ranked)

    def __bool__(self) -> bool:
        return bool(self._plain or self._ranked)

    def __iter__(self) -> Iterator[T]:
        """Every item, in no particular order."""
        yield from self._plain
        for entry in self._ranked:
            yield entry[2]
