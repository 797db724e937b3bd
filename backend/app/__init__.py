"""The demo app: its QML facade, its jobs, its window, its command line.

Built on the engine like any other app would be. ``offthread.app.launch``
is the entry point (``offthread`` and ``python main.py``); it imports no Qt
before it has taken charge of Ctrl+C and SIGTERM. Names load on first use:
a worker process that runs a demo job imports ``offthread.app.jobs``, and
with it this file, and must not load Qt.
"""

from __future__ import annotations

from ..core.lazy import lazy_names

_HOMES = {
    "Backend": "backend",
    "DEFAULT_QML": "ui",
    "DemoFailure": "jobs",
    "JOBS": "jobs",
    "LagMeter": "lagmeter",
    "LiveReload": "live",
    "QmlLoadError": "ui",
    "QmlUi": "ui",
    "cpu_job": "jobs",
    "danger_job": "jobs",
    "failing_job": "jobs",
    "fetch_job": "jobs",
    "fetch_job_async": "jobs",
    "load_ui": "ui",
    "run_app": "run",
}

__all__ = sorted(_HOMES)  # noqa: PLE0605 - a list, made from the table above

__getattr__, __dir__ = lazy_names(__name__, _HOMES, globals())
