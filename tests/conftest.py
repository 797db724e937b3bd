"""Shared fixtures: a backend, the real QML UI, and a check that nothing was left behind."""

from __future__ import annotations

import atexit
import functools
import logging
import os
import shutil
import tempfile

# Headless Qt Quick: both must be set before the QApplication exists.
os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ["QT_QUICK_BACKEND"] = "software"
# The app remembers its choices under XDG_CONFIG_HOME (offthread.app.settings): in tests, a folder that goes
# with them, never the user's. tests/test_app.py gives each app it starts a folder of its own inside it.
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="offthread-tests-config-")

import pytest
from qtpy.QtCore import QCoreApplication, QEvent, QObject

from offthread.app import Backend, load_ui
from offthread.engine import binding

from .helpers import own_metaobjects

atexit.register(functools.partial(shutil.rmtree, os.environ["XDG_CONFIG_HOME"], ignore_errors=True))

# pytest-qt uses the binding qtpy picked (QT_API chooses it): its own choice
# (PYTEST_QT_API, else a guess) could load a second binding into the process.
# This conftest loads before pytest-qt reads the variable.
os.environ["PYTEST_QT_API"] = binding.NAME.lower()

# Short steps keep the demo job to a fraction of a second.
FAST_STEP_SECONDS = 0.02


@pytest.fixture(autouse=True)
def no_warnings_logged(caplog):
    """Fail a test that logged a warning or worse (QML warnings are logged too).

    A test that expects one asserts it and then calls ``caplog.clear()``.
    """
    caplog.set_level(logging.INFO)
    yield
    records = caplog.get_records("setup") + caplog.get_records("call")
    bad = [r for r in records if r.levelno >= logging.WARNING]
    assert not bad, "unexpected log messages:\n" + "\n".join(f"{r.name}: {r.getMessage()}" for r in bad)


@pytest.fixture
def make_backend(qapp):
    """Build backends; at teardown each must shut down cleanly with nothing running."""
    made = []

    def make(**options) -> Backend:
        options.setdefault("step_seconds", FAST_STEP_SECONDS)
        backend = Backend(**options)
        made.append(backend)
        return backend

    yield make
    # See tests/test_metaobjects.py: QML may mistake such an object's successor for it.
    own = own_metaobjects(obj for backend in made for obj in (backend, *backend.findChildren(QObject)))
    for backend in made:
        assert backend.shutdown(5000), "a task was still running at teardown"
        assert backend.tasks() == []
    # Destroyed here, on the GUI thread, as docs/python-api.md asks: a test
    # may keep its backend in a reference cycle (pytest.raises keeps the
    # exception, whose traceback holds the test's frame), and Python's cyclic
    # collector would free it later on whichever thread it runs on, an
    # asyncio loop's, say, where Qt warns that timers cannot be stopped.
    for backend in made:
        backend.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert not own, f"objects with a metaobject of their own (a method connected that is not a @Slot): {own}"


@pytest.fixture
def backend(make_backend) -> Backend:
    return make_backend(max_threads=2)


@pytest.fixture
def ui(backend, qtbot):
    """The real qml/Main.qml, shown headless, with its backend."""
    loaded = load_ui(backend)
    qtbot.waitExposed(loaded.window)
    yield loaded
    loaded.close()
