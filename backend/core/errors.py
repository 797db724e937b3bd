"""Exceptions turned into plain data that can cross from a pool thread to the GUI thread."""

from __future__ import annotations

import traceback as _traceback
from dataclasses import dataclass
from typing import Any


def safe_str(value: object) -> str:
    """``str(value)``, or a stand-in when ``__str__`` itself raises.

    An exception whose message cannot be rendered must still fail its task
    cleanly, so nothing here may raise.
    """
    try:
        return str(value)
    except BaseException:  # a broken __str__ may raise anything, even SystemExit
        return f"<unprintable {type(value).__name__} object>"


def _format_traceback(exc: BaseException) -> str:
    try:
        return "".join(_traceback.format_exception(type(exc), exc, exc.__traceback__))
    except BaseException:  # formatting calls __str__ and friends again
        return f"{type(exc).__name__}: {safe_str(exc)}\n(the traceback could not be formatted)\n"


@dataclass(frozen=True)
class TaskError:
    """Why a task failed: the exception's type name, message and formatted traceback."""

    type: str
    message: str
    traceback: str

    @classmethod
    def from_exception(cls, exc: BaseException) -> TaskError:
        return cls(type(exc).__name__, safe_str(exc), _format_traceback(exc))

    @property
    def summary(self) -> str:
        """One readable line, e.g. ``ValueError: bad input``."""
        return f"{self.type}: {self.message}" if self.message else self.type

    def to_variant(self) -> dict[str, Any]:
        """The same data as a dict, which QML sees as a ``QVariantMap``."""
        return {"type": self.type, "message": self.message, "traceback": self.traceback}


class UnpicklableTask(TypeError):
    """A task's function or arguments cannot be copied to another process."""


def unpicklable(error: BaseException) -> UnpicklableTask:
    """The error a task fails with when pickling it for a worker process raised ``error``."""
    return UnpicklableTask(
        f"cannot send this task to a worker process: {safe_str(error)}. Process mode needs a "
        "function defined at the top level of a module, and arguments that pickle can copy"
    )


class TaskFailed(Exception):
    """How a failed task's outcome is raised where one waits for it (``handle.wait()``,
    ``await handle``, ``handle.as_future().result()``): its :class:`TaskError`
    is ``error``, and its message is the error's summary."""

    def __init__(self, error: TaskError) -> None:
        super().__init__(error.summary)
        self.error = error

    def __reduce__(self) -> Any:  # pickled with its TaskError, not with the summary alone
        return (TaskFailed, (self.error,))
