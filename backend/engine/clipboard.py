"""The clipboard, for the slots that copy (the engine needs QtGui only there)."""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)


def copy_to_clipboard(text: str, what: str) -> bool:
    """Put ``text`` on the clipboard; False, with a log line naming ``what``, without a QGuiApplication."""
    from .qt.QtGui import QGuiApplication  # imported here: a headless engine never loads QtGui

    if QGuiApplication.instance() is None:
        log.warning("%s: there is no clipboard without a QGuiApplication", what)
        return False
    QGuiApplication.clipboard().setText(text)
    return True
