"""Live reload: the UI is made again whenever a file under its folder is saved."""

from __future__ import annotations

import logging
from pathlib import Path

from ..engine.qt.QtCore import QFileSystemWatcher, QObject, QTimer, Signal, Slot
from .ui import QmlUi

log = logging.getLogger(__name__)

# Editors save in bursts (write, rename, touch); wait this long after the last
# change before reloading, so one save is one reload.
DEBOUNCE_MS = 120
WATCHED_SUFFIXES = (".qml", ".js", ".mjs", ".json")
WATCHED_NAMES = ("qmldir",)  # a module's singletons and types: no suffix


class LiveReload(QObject):
    """Watches ``folder`` (and its subfolders) and reloads ``ui`` after each save.

    A plain file watcher loses a file after the first save of an editor that
    writes a temporary file and renames it over the original (Qt Creator, VS
    Code, vim): the watched file is gone. So the folders are watched too, and
    after every change the list of watched files is made again, which also
    picks up new files. Errors go to the window as an overlay; the next good
    save removes it. The backend and its tasks are never touched.
    """

    reloaded = Signal(bool)  # True: the new UI shows; False: its errors show

    def __init__(self, ui: QmlUi, folder: str | Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ui = ui
        self._folder = Path(folder)
        self._watcher = QFileSystemWatcher(self)
        self._watcher.fileChanged.connect(self._on_change)
        self._watcher.directoryChanged.connect(self._on_change)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self.reload)
        self._watch()

    @Slot()  # a @Slot: docs/design.md, "One metaobject per class"
    def reload(self) -> bool:
        """Load the UI again now; return whether it shows (else its errors do)."""
        self._watch()
        problems = self._ui.load()
        if problems:
            log.warning("live reload: the QML has errors, shown in the window:\n  %s", "\n  ".join(problems))
            self._ui.show_problems(problems)
        else:
            log.info("live reload: the UI was reloaded")
            self._ui.hide_problems()
        self.reloaded.emit(not problems)
        return not problems

    @Slot(str)
    def _on_change(self, path: str) -> None:
        self._debounce.start()  # (re)started: the reload waits for the burst to end

    def _watch(self) -> None:
        folders = [self._folder, *(p for p in self._folder.rglob("*") if p.is_dir())]
        files = [p for p in self._folder.rglob("*") if p.is_file() and _watched(p)]
        wanted = {str(p) for p in [*folders, *files]}
        watched = set(self._watcher.files()) | set(self._watcher.directories())
        stale = watched - wanted
        if stale:
            self._watcher.removePaths(sorted(stale))
        missing = wanted - watched
        if missing:
            self._watcher.addPaths(sorted(missing))


def _watched(path: Path) -> bool:
    return path.suffix in WATCHED_SUFFIXES or path.name in WATCHED_NAMES
