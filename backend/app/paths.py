"""Where the app's QML files are, in the repository and once installed. No Qt."""

from __future__ import annotations

from pathlib import Path


def package_folder() -> Path:
    """The folder of the top-level package (``backend/`` in the repository).

    From ``__file__``, which an editable install points at the repository
    too: importlib.resources would add its import to start-up to say the same.
    """
    return Path(__file__).resolve().parent.parent


def qml_folder() -> Path:
    """The app's own QML: ``qml/`` beside the package in the repository, or, once
    installed, the same files shipped inside the package as ``offthread/ui``."""
    package = package_folder()
    installed = package / "ui"
    return installed if installed.is_dir() else package.parent / "qml"


#: The window the app opens unless told otherwise.
DEFAULT_QML = qml_folder() / "Main.qml"

#: The app's own QML (the live-reload error overlay and its stand-in window):
#: apart from qml/, so that no mistake there can break them.
OWN_QML = Path(__file__).resolve().parent / "qml"
