"""The binding's QtQml, whichever binding runs (see :mod:`offthread.engine.qt`)."""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # type checkers read PySide6's stubs
    from PySide6.QtQml import *  # noqa: F403
else:
    from . import module

    _module = module("QtQml")

    def __getattr__(name: str) -> Any:
        # Looked up on use: PySide6 makes its classes lazily, when first asked for.
        return getattr(_module, name)
