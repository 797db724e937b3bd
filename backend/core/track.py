"""``task.track(items)``: progress from a loop, the way tqdm users write it.

:meth:`TaskContext.track <offthread.core.context.TaskContext.track>` wraps an
iterable. Looping over it yields the items unchanged; the maximum comes from
``len()`` (or ``total=``), the count is reported after each item, and every
step is a check point, so cancel and pause work in the loop's body without a
line of their own. ``async for`` works too, over an async iterable or a plain
one, with awaitable check points (asyncio mode).

For an existing tqdm loop, ``task.track`` takes tqdm's words as well:
``desc=`` for the text, ``total=``, ``update(n)`` and ``set_description()``
for a bar driven by hand, and ``with``; tqdm's look-only options (``unit``,
``ncols``, ``leave``...) are accepted and have nothing to change here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, AsyncIterator, Iterable, Iterator

from .errors import safe_str

if TYPE_CHECKING:
    from .context import TaskContext

# tqdm's options that only change how its bar looks in a terminal: a tqdm call
# moved over as it is keeps them, and they mean nothing in the task list.
TQDM_LOOKS = frozenset(
    {
        "ascii",
        "bar_format",
        "colour",
        "delay",
        "disable",
        "dynamic_ncols",
        "file",
        "leave",
        "lock_args",
        "maxinterval",
        "mininterval",
        "miniters",
        "ncols",
        "nrows",
        "position",
        "postfix",
        "smoothing",
        "unit",
        "unit_divisor",
        "unit_scale",
        "write_bytes",
    }
)


def _length(iterable: Any) -> int | None:
    try:
        return len(iterable)
    except Exception:  # a generator, or a len() that fails: no maximum then
        return None


class Tracked:
    """What :meth:`~offthread.core.context.TaskContext.track` returns: loop over it (``for`` or ``async for``), or ``update()`` it.

    With a known total the row shows "3 / 10" (or the text given); without
    one it shows the count ("1,234 files") and the bar stays at 0 %, since
    there is nothing to measure it against.
    """

    __slots__ = ("_context", "_iterable", "_total", "_text", "count")

    def __init__(
        self,
        context: TaskContext,
        iterable: Iterable[Any] | None,
        total: int | None,
        text: str | None,
    ) -> None:
        if text is not None and not isinstance(text, str):
            raise TypeError(f"track's text must be a string, not {type(text).__name__}")
        self._context = context
        self._iterable = iterable
        self._total = total if total is not None else _length(iterable)
        if self._total is not None and (isinstance(self._total, bool) or not isinstance(self._total, int)):
            raise TypeError(f"track's total must be an int, not {type(self._total).__name__}")
        self._text = text
        self.count = 0
        owner = context._track
        if owner is None or owner._finished():
            context._track = self  # the outermost one reports; those inside it only check
        self._show()

    # -- loops -----------------------------------------------------------------

    def __iter__(self) -> Iterator[Any]:
        if self._iterable is None:
            raise TypeError("this track() has no iterable to loop over: use update(n)")
        context = self._context
        if context._track is not self:  # inside another track: its count is the one shown
            for item in self._iterable:
                yield item
                context.check()
            return
        if self._total is not None and self._text is None:
            # The common case, near a bare progress() per item: the count kept
            # in a local until the loop ends (or is left), and progress() as it
            # is now (a bare store while nothing asks for attention).
            done = self.count
            try:
                for count, item in enumerate(self._iterable, done + 1):
                    yield item
                    done = count
                    context.progress(count)
            finally:
                self.count = done  # a loop left early: the item in hand is not counted
                context._track = None  # it was this one: see the check above
            return
        try:
            for item in self._iterable:
                yield item
                self.update()
        finally:
            context._track = None

    def __aiter__(self) -> AsyncIterator[Any]:
        return self._async_items()

    async def _async_items(self) -> AsyncIterator[Any]:
        if self._iterable is None:
            raise TypeError("this track() has no iterable to loop over: use update(n)")
        check_async = getattr(self._context, "check_async", None)
        if check_async is None:
            raise TypeError("async for over task.track() needs a task in asyncio mode")
        source: Any = self._iterable
        try:
            if hasattr(source, "__aiter__"):
                async for item in source:
                    yield item
                    self.update()
                    await check_async()
            else:
                for item in source:
                    yield item
                    self.update()
                    await check_async()
        finally:
            if self._context._track is self:
                self._context._track = None

    # -- by hand, as tqdm's bar -----------------------------------------------

    def update(self, n: int = 1) -> None:
        """Count ``n`` more items done and report it (a check point)."""
        self.count += n
        self._show()

    def set_description(self, text: str | None = None, refresh: bool = True) -> None:
        """Show ``text`` beside the count from now on (tqdm's name for it)."""
        self._text = None if text is None else safe_str(text)
        self._show()

    def close(self) -> None:
        """The end of a bar driven by hand (tqdm's name): a track made after it reports again."""
        if self._context._track is self:
            self._context._track = None

    def __enter__(self) -> Tracked:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    # -- internals ---------------------------------------------------------------

    def _finished(self) -> bool:
        """A bar driven by hand that has reached its total (one left unclosed must not silence the next)."""
        return self._iterable is None and self._total is not None and self.count >= self._total

    def _show(self) -> None:
        if self._context._track is not self:
            self._context.check()  # nested: a check point, and the outer loop's count stays shown
            return
        count, total, text = self.count, self._total, self._text
        if total is None:
            label = f"{count:,} {text}" if text else f"{count:,} done"
            self._context.report(0, None, label)
        elif total <= 0:  # an empty loop is done before it starts
            self._context.report(100, None, f"0 {text}" if text else None)
        else:
            self._context.report(count, total, f"{text}: {count:,} / {total:,}" if text else None)
