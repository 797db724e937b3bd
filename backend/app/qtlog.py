"""Qt and QML messages routed into Python's ``logging``, so one place decides what is shown."""

from __future__ import annotations

import contextlib
import logging
from typing import Iterable, Iterator

from ..engine.qt.QtCore import QMessageLogContext, QtMsgType, qInstallMessageHandler
from ..engine.qt.QtQml import QQmlError

_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}

# Warnings about the environment, not about the app: Qt prints them on most
# headless or root sessions, and a user can do nothing about them.
_ENVIRONMENT_NOISE = ("XDG_RUNTIME_DIR not set",)


def _on_qt_message(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
    level = _LEVELS.get(kind, logging.WARNING)
    if level == logging.WARNING and any(noise in message for noise in _ENVIRONMENT_NOISE):
        level = logging.DEBUG
    category = context.category or "default"
    logger = logging.getLogger("qt" if category == "default" else f"qt.{category}")
    if context.file:
        message = f"{context.file}:{context.line}: {message}"
    logger.log(level, "%s", message)


def install_qt_message_handler() -> None:
    """Send every qDebug/qWarning/console.log of Qt and QML to ``logging``."""
    qInstallMessageHandler(_on_qt_message)


def remove_qt_message_handler() -> None:
    """Give Qt its own message handler back.

    Call it before the interpreter exits: a Qt thread left behind may still
    print a warning while Python is being torn down, and calling into Python
    then crashes the process (exit code 139, after everything went well).
    """
    qInstallMessageHandler(None)


@contextlib.contextmanager
def qt_messages_to_logging() -> Iterator[None]:
    """Route Qt's messages to ``logging`` inside the block, and only there."""
    install_qt_message_handler()
    try:
        yield
    finally:
        remove_qt_message_handler()


def format_qml_error(error: QQmlError) -> str:
    """``path:line:column: message``, the form editors and terminals make clickable."""
    url = error.url()
    location = url.toLocalFile() or url.toString() or "<unknown file>"
    if error.line() > 0:
        location += f":{error.line()}"
        if error.column() > 0:
            location += f":{error.column()}"
    return f"{location}: {error.description()}"


def log_qml_errors(errors: Iterable[QQmlError]) -> None:
    """Log QML warnings (a failed binding, a type error at run time) as warnings."""
    logger = logging.getLogger("qml")
    for error in errors:
        logger.warning("%s", format_qml_error(error))
