"""The choices the app remembers between runs: the theme, the mode, the thread count, where the window was.

They live in an INI file of QSettings' user scope (on Linux
``~/.config/offthread/offthread.ini``, under ``$XDG_CONFIG_HOME`` if set).
Each value is read back as text and checked: a file edited by hand, or
written by another version, gives at worst a default and a log line. A
file that cannot be written costs the next run its memory, never this one.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Sequence

from ..engine.limits import MAX_THREADS
from ..engine.qt.QtCore import QRect, QSettings
from .cli import THEMES

log = logging.getLogger(__name__)

# What QCoreApplication.organizationName and applicationName are set to: QSettings finds its file by them.
ORGANIZATION = "offthread"
APPLICATION = "offthread"

# How much of a remembered window must still be on a screen for it to go back
# there: enough to grab its title bar. A screen unplugged since is otherwise
# a window out of reach.
MIN_VISIBLE_WIDTH = 120
MIN_VISIBLE_HEIGHT = 60


@dataclasses.dataclass(frozen=True)
class Choices:
    """What one run ended with; None where there is nothing (valid) to remember."""

    theme: str | None = None  # "system", "light" or "dark"
    mode: str | None = None  # a mode's name; one that is not there next time is ignored
    threads: int | None = None  # the thread pool's size
    geometry: tuple[int, int, int, int] | None = None  # x, y, width, height of the window, not maximized
    maximized: bool = False


class AppSettings:
    """The app's QSettings file: :meth:`load` the last run's :class:`Choices`, :meth:`save` this one's."""

    def __init__(self, settings: QSettings | None = None) -> None:
        self._settings = settings or QSettings(
            QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANIZATION, APPLICATION
        )

    @property
    def path(self) -> str:
        """The file the choices are kept in."""
        return str(self._settings.fileName())

    def load(self) -> Choices:
        """The choices saved last, each checked; what is missing or wrong is None."""
        return Choices(
            theme=self._word("theme", THEMES),
            mode=self._word("mode", None),
            threads=self._threads(),
            geometry=self._geometry(),
            maximized=self._text("maximized") == "true",
        )

    def save(self, choices: Choices) -> bool:
        """Write ``choices`` (those that are None stay as they were); False, after a warning, if the file cannot be."""
        values = {
            "theme": choices.theme,
            "mode": choices.mode,
            "threads": None if choices.threads is None else str(choices.threads),
            "geometry": None if choices.geometry is None else ",".join(str(n) for n in choices.geometry),
            "maximized": "true" if choices.maximized else "false",
        }
        for key, value in values.items():
            if value is not None:
                self._settings.setValue(key, value)
        return self._sync("save the window's settings to")

    def clear(self) -> bool:
        """Forget every choice (--reset-settings); False, after a warning, if the file cannot be changed."""
        self._settings.clear()
        return self._sync("forget the settings in")

    def _sync(self, doing: str) -> bool:
        self._settings.sync()
        if self._settings.status() == QSettings.Status.NoError:
            return True
        log.warning("cannot %s %s (%s): the next run starts from the defaults", doing, self.path, _why(self._settings))
        return False

    def _text(self, key: str) -> str | None:
        value = self._settings.value(key)
        return None if value is None else str(value)

    def _word(self, key: str, allowed: Sequence[str] | None) -> str | None:
        text = self._text(key)
        if text is None:
            return None
        if not text.isidentifier() or (allowed is not None and text not in allowed):
            self._ignore(key, text)
            return None
        return text

    def _threads(self) -> int | None:
        text = self._text("threads")
        if text is None:
            return None
        if not text.isdigit() or not 1 <= int(text) <= MAX_THREADS:
            self._ignore("threads", text)
            return None
        return int(text)

    def _geometry(self) -> tuple[int, int, int, int] | None:
        value = self._settings.value("geometry")
        if value is None:
            return None
        # QSettings reads "1,2,3,4" back as a list of strings, and keeps what it was given in this process.
        parts = [str(part).strip() for part in value] if isinstance(value, list) else str(value).split(",")
        try:
            x, y, width, height = (int(part) for part in parts)
        except ValueError:
            self._ignore("geometry", str(value))
            return None
        if width <= 0 or height <= 0:
            self._ignore("geometry", str(value))
            return None
        return x, y, width, height

    def _ignore(self, key: str, text: str) -> None:
        log.warning("ignored %s=%r in %s: not a value this app writes", key, text[:80], self.path)


def _why(settings: QSettings) -> str:
    if settings.status() == QSettings.Status.AccessError:
        return "it cannot be written"
    return "it is not a settings file"


def placement(geometry: tuple[int, int, int, int], screens: Sequence[QRect]) -> dict[str, int]:
    """The window's initial ``x``, ``y``, ``width`` and ``height`` for one remembered at ``geometry``.

    No larger than the largest of the ``screens`` (their available areas),
    and at its place only if enough of it is on one of them to be grabbed:
    else without ``x`` and ``y``, for the window manager to place it.
    """
    x, y, width, height = geometry
    if screens:
        width = min(width, max(s.width() for s in screens))
        height = min(height, max(s.height() for s in screens))
    size = {"width": width, "height": height}
    for screen in screens:
        shown = screen.intersected(QRect(x, y, width, height))
        if shown.width() >= MIN_VISIBLE_WIDTH and shown.height() >= MIN_VISIBLE_HEIGHT:
            return {"x": x, "y": y, **size}
    return size
