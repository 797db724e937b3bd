"""Loading the QML root window for a backend, with load errors as data, and reloading it."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, cast

from ..engine import qt
from ..engine.qt.QtCore import QCoreApplication, QEvent, QObject, QUrl
from ..engine.qt.QtGui import QWindow
from ..engine.qt.QtQml import QQmlApplicationEngine, QQmlComponent, QQmlError
from ..engine.qt.QtQuick import QQuickItem, QQuickWindow
from .paths import DEFAULT_QML, OWN_QML
from .qmlmodule import register_qml_types
from .qtlog import format_qml_error, log_qml_errors

__all__ = ["DEFAULT_QML", "QmlLoadError", "QmlUi", "load_ui"]

log = logging.getLogger(__name__)
shiboken = qt.shiboken()


class QmlLoadError(Exception):
    """The root QML file could not be turned into a window; ``messages`` say where and why."""

    def __init__(self, path: Path, messages: list[str]) -> None:
        super().__init__(path, messages)
        self.path = path
        self.messages = messages

    def __str__(self) -> str:
        return f"cannot load {self.path}:\n" + "\n".join(f"  {m}" for m in self.messages)


class QmlUi:
    """A QML engine and the root window it made from one file, for one backend.

    :meth:`load` makes the window, and makes it again after the file changed:
    the new window takes the old one's place and size, and the backend, with
    its tasks, is untouched. :meth:`show_problems` puts errors over the window
    instead. :meth:`close` tears everything down in the right order.
    """

    def __init__(
        self,
        backend: QObject | None,
        qml_file: str | Path = DEFAULT_QML,
        theme: str = "system",
        *,
        live: bool = False,
        placement: dict[str, int] | None = None,
    ) -> None:
        self.backend = backend
        self.path = Path(qml_file)
        self.theme = theme
        # In live mode, what the QML reports as it runs shows in the window, in
        # a banner; otherwise it is only logged.
        self.live = live
        # The first window's x, y, width and height (the last run's); a reload keeps the window's own.
        self.placement = placement or {}
        self.reported: list[str] = []
        register_qml_types()  # import Offthread: the Backend's type, by name
        self.engine = self._new_engine()
        self.window: QQuickWindow | None = None
        self._component: QQmlComponent | None = None
        self._collecting: list[QQmlError] | None = None
        self._overlay: QQuickItem | None = None
        self._banner: QQuickItem | None = None

    def load(self) -> list[str]:
        """(Re)create the window from the file; return its problems, or [] once it shows.

        On a problem the current window, if any, stays as it was.
        """
        if self.path.is_dir():
            return [f"{self.path}: this is a folder; give the QML file in it to open, such as its Main.qml"]
        if not self.path.is_file():
            return [f"{self.path}: no such file"]
        # A reload gets an engine of its own, which reads every file again:
        # clearComponentCache() would too, but an engine keeps the singletons
        # it has made, and an edit to Theme.qml would never show.
        engine = self.engine if self.window is None else self._new_engine()
        self._collecting = []
        component = QQmlComponent(engine, QUrl.fromLocalFile(str(self.path.resolve())), engine)
        offered = {"backend": self.backend, "theme": self.theme, **(self.placement if self.window is None else {})}
        root = _create(component, offered) if component.isReady() else None
        during_load, self._collecting = self._collecting, None
        problems = _problems(self.path, root, [*component.errors(), *during_load], self.backend is not None)
        if problems:
            if root is not None:
                _delete_now(root)
            component.deleteLater()
            if engine is not self.engine:
                shiboken.delete(engine)
            return problems
        assert isinstance(root, QQuickWindow)  # _problems() said so
        old, self.window = self.window, root
        if old is not None:
            root.setGeometry(old.geometry())  # in place, at the size the user gave it
            old.hide()  # hidden, not closed: closing the last window would quit the app
            _delete_now(old)
        self._overlay = self._banner = None  # they were children of the old window
        self.reported = []
        if engine is not self.engine:
            shiboken.delete(self.engine)  # with the old window's component
            self.engine = engine
        elif self._component is not None:
            self._component.deleteLater()
        self._component = component
        self._report(during_load)  # a binding that failed as the window was made
        root.visibilityChanged.connect(self._on_visibility)
        self._on_visibility(root.visibility())
        return []

    def _new_engine(self) -> QQmlApplicationEngine:
        engine = QQmlApplicationEngine()
        # Warnings come through the ``warnings`` signal only: while loading they
        # are collected into the error report, otherwise they are logged.
        engine.setOutputWarningsToStandardError(False)
        engine.warnings.connect(self._on_warnings)
        return engine

    def _on_visibility(self, visibility: QWindow.Visibility) -> None:
        """The lag meter (and the counter, which follows it) runs only while the window is on screen."""
        meter = getattr(self.backend, "lagMeter", None)
        if meter is not None:
            meter.active = visibility not in (QWindow.Visibility.Hidden, QWindow.Visibility.Minimized)

    def show_problems(self, problems: list[str]) -> None:
        """Show ``problems`` over the window (over a stand-in window if there is none yet)."""
        if self.window is None:
            self.window = cast(QQuickWindow, self._create_own("FallbackWindow.qml"))
        if self._overlay is None:
            self._overlay = cast(QQuickItem, self._create_own("ErrorOverlay.qml"))
            self._overlay.setParentItem(self.window.contentItem())
            QObject.setParent(self._overlay, self.window)  # deleted with the window
        self._overlay.setProperty("messages", problems)

    def hide_problems(self) -> None:
        if self._overlay is not None:
            _delete_now(self._overlay)
            self._overlay = None

    def close(self) -> None:
        """Delete the window, then the engine: nothing of the UI outlives this call.

        Call it before the backend goes away, so that no binding ever reads a
        deleted backend ("Cannot read property ... of null").
        """
        if self.window is not None and shiboken.isValid(self.window):
            _delete_now(self.window)
        self.window = self._overlay = None
        if shiboken.isValid(self.engine):
            shiboken.delete(self.engine)  # also deletes the components it parents

    def _create_own(self, name: str) -> QObject:
        # From a file: QML given as data with a non-file URL makes Qt look for imports on the network.
        component = QQmlComponent(self.engine, QUrl.fromLocalFile(str(OWN_QML / name)), self.engine)
        made = component.create()
        if made is None:  # a bug here, not in the user's QML
            raise RuntimeError(f"{name} did not load: {[e.toString() for e in component.errors()]}")
        return made

    def _on_warnings(self, errors: list[QQmlError]) -> None:
        if self._collecting is not None:
            self._collecting.extend(errors)
        else:
            self._report(errors)

    def _report(self, errors: list[QQmlError]) -> None:
        """Log what the QML reported as it ran; in live mode, show it in the window too."""
        if not errors:
            return
        log_qml_errors(errors)
        if not self.live or self.window is None:
            return
        self.reported.extend(format_qml_error(e) for e in errors)
        if self._banner is None:
            # Our own QML: a mistake of ours in it would report here again; it
            # is logged, as above, and must not make a banner for the banner.
            self._collecting = []
            try:
                self._banner = cast(QQuickItem, self._create_own("ErrorBanner.qml"))
            finally:
                log_qml_errors(self._collecting)
                self._collecting = None
            self._banner.setParentItem(self.window.contentItem())
            QObject.setParent(self._banner, self.window)  # deleted with the window
        self._banner.setProperty("messages", self.reported)
        self._banner.setProperty("visible", True)


def load_ui(
    backend: QObject | None,
    qml_file: str | Path = DEFAULT_QML,
    theme: str = "system",
    *,
    placement: dict[str, int] | None = None,
) -> QmlUi:
    """Create the root window of ``qml_file`` with its required ``backend`` property set
    (and ``placement``'s x, y, width and height, if given).

    With ``backend=None`` the file must bring its own (qml/Preview.qml does).
    Raises :class:`QmlLoadError` with ``path:line:column: message`` lines for a
    missing file, a syntax error, a missing import, an unset required
    property, or a root that is not a window (which would show nothing).
    """
    ui = QmlUi(backend, qml_file, theme, placement=placement)
    problems = ui.load()
    if problems:
        ui.close()
        raise QmlLoadError(Path(qml_file), problems)
    return ui


def _create(component: QQmlComponent, offered: dict[str, Any]) -> QObject | None:
    """``component``'s object with the ``offered`` properties it declares set from the start.

    ``backend``, ``theme`` (and a placement's ``x``...) are offered only to a root that declares them:
    Qt 6 warns about an initial property the root lacks (Qt 5 ignored it), and
    :func:`_problems` reports a missing ``backend`` better, as a load error.
    None if the object could not be made.
    """
    root = component.beginCreate(component.engine().rootContext())  # where create() makes it
    if root is None:
        return None
    meta = root.metaObject()
    initial = {k: v for k, v in offered.items() if v is not None and meta.indexOfProperty(k) >= 0}
    if initial:
        component.setInitialProperties(root, initial)
    component.completeCreate()
    if component.isError():  # e.g. a required property left unset
        _delete_now(root)
        return None
    return root


def _delete_now(qt_object: QObject) -> None:
    """Delete a QML-made object through the event loop, as QML expects, but at once.

    An immediate ``delete`` of a window made by QML crashes PySide2 at exit.
    """
    qt_object.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def causes_first(errors: list[QQmlError]) -> list[QQmlError]:
    """The errors with their causes first: Qt lists "Type TaskList unavailable"
    (in each file that uses it) before the mistake in TaskList.qml that causes it."""
    return sorted(errors, key=lambda e: e.description().startswith("Type ") and "unavailable" in e.description())


def _problems(path: Path, root: QObject | None, errors: list[QQmlError], needs_backend: bool) -> list[str]:
    """Why ``root`` cannot serve as the app's window; empty if it can."""
    if root is None:
        return [format_qml_error(e) for e in causes_first(errors)] or [f"{path}: the file made no object"]
    if not isinstance(root, QWindow):
        return [
            f"{path}: the root object is a {type(root).__name__}; it must be a Window "
            "or an ApplicationWindow, or nothing would be shown"
        ]
    if needs_backend and root.metaObject().indexOfProperty("backend") < 0:
        # Qt ignores an initial property that the root does not declare.
        return [f"{path}: the root object has no property \"backend\"; declare 'required property QtObject backend'"]
    return []
