"""Loading the QML root window for a backend, with load errors as data."""
from __future__ import annotations

from pathlib import Path
from typing import List, Optional, Union

import shiboken2
from PySide2.QtCore import QCoreApplication, QEvent, QObject, QUrl
from PySide2.QtGui import QWindow
from PySide2.QtQml import QQmlApplicationEngine, QQmlComponent, QQmlError

import PySide2.QtQuick  # noqa: F401  (so that root objects arrive as QQuickWindow, not QWindow)

from .qtlog import format_qml_error, log_qml_errors

DEFAULT_QML = Path(__file__).resolve().parent.parent / "qml" / "Main.qml"


class QmlLoadError(Exception):
    """The root QML file could not be turned into a window; ``messages`` say where and why."""

    def __init__(self, path: Path, messages: List[str]) -> None:
        super().__init__(path, messages)
        self.path = path
        self.messages = messages

    def __str__(self) -> str:
        return f"cannot load {self.path}:\n" + "\n".join(f"  {m}" for m in self.messages)


class QmlUi:
    """A QML engine and the root window it made, torn down in the right order by :meth:`close`."""

    def __init__(self, engine: QQmlApplicationEngine, window: QWindow) -> None:
        self.engine = engine
        self.window = window

    def close(self) -> None:
        """Delete the window, then the engine: nothing of the UI outlives this call.

        Call it before the backend goes away, so that no binding ever reads a
        deleted backend ("Cannot read property ... of null").
        """
        # The window is deleted through the event loop, as QML expects of its
        # objects (an immediate delete crashes PySide2 at exit); then the
        # engine, which also deletes the component that made the window.
        if shiboken2.isValid(self.window):
            self.window.deleteLater()
            QCoreApplication.sendPostedEvents(None, QEvent.DeferredDelete)
        if shiboken2.isValid(self.engine):
            shiboken2.delete(self.engine)


def load_ui(backend: Optional[QObject], qml_file: Union[str, Path] = DEFAULT_QML) -> QmlUi:
    """Create the root window of ``qml_file`` with its required ``backend`` property set.

    With ``backend=None`` the file must bring its own (qml/Preview.qml does).

    Raises :class:`QmlLoadError` with ``path:line:column: message`` lines for a
    missing file, a syntax error, a missing import, an unset required
    property, or a root that is not a window (which would show nothing).
    """
    path = Path(qml_file)
    if not path.is_file():
        raise QmlLoadError(path, [f"{path}: no such file"])

    engine = QQmlApplicationEngine()
    # Warnings come through the ``warnings`` signal only: during loading they
    # are collected into the error report, afterwards they are logged.
    engine.setOutputWarningsToStandardError(False)
    during_load: List[QQmlError] = []
    engine.warnings.connect(during_load.extend)

    component = QQmlComponent(engine, QUrl.fromLocalFile(str(path.resolve())), engine)
    initial = {} if backend is None else {"backend": backend}
    root = component.createWithInitialProperties(initial) if component.isReady() else None
    problems = _problems(path, root, [*component.errors(), *during_load])
    if problems:
        if root is not None:
            QmlUi(engine, root).close()
        else:
            shiboken2.delete(engine)
        raise QmlLoadError(path, problems)

    engine.warnings.disconnect(during_load.extend)
    log_qml_errors(during_load)
    engine.warnings.connect(log_qml_errors)
    return QmlUi(engine, root)


def _problems(path: Path, root: Optional[QObject], errors: List[QQmlError]) -> List[str]:
    """Why ``root`` cannot serve as the app's window; empty if it can."""
    if root is None:
        return [format_qml_error(e) for e in errors] or [f"{path}: the file made no object"]
    if not isinstance(root, QWindow):
        return [
            f"{path}: the root object is a {type(root).__name__}; it must be a Window "
            "or an ApplicationWindow, or nothing would be shown"
        ]
    if root.metaObject().indexOfProperty("backend") < 0:
        # Qt ignores an initial property that the root does not declare.
        return [f"{path}: the root object has no property \"backend\"; declare 'required property QtObject backend'"]
    return []
