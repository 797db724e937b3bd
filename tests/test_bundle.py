"""The app as a bundle (make bundle, scripts/bundle.py): built once, started headless, it runs a
process-mode task (its worker processes are the bundle itself) and an asyncio task, and exits 0
on SIGTERM, leaving no process behind.

Slow (the build takes half a minute or more), and on PySide6 only: the bundle carries its own
Qt and Python, and a designer gets Qt 6; building it on both bindings would double the cost."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from offthread.engine import binding

from .test_app import DATA, ROOT, StderrLines, app_environment

pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(600),
    pytest.mark.skipif(binding.NAME != "PySide6", reason="the bundle is built on PySide6 only (see the docstring)"),
    # There SIGTERM is TerminateProcess: no handler runs, and the exit code is 1.
    pytest.mark.skipif(sys.platform == "win32", reason="Windows has no SIGTERM to quit on"),
]

PROBE = DATA / "bundle_probe.qml"


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    """The bundle's executable, built into a folder of the test run."""
    pytest.importorskip("PyInstaller", reason="make bundle's dependency (the bundle extra)")
    where = tmp_path_factory.mktemp("bundle")
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "bundle.py"),
            "--dist",
            str(where / "dist"),
            "--work",
            str(where / "work"),
        ],
        capture_output=True,
        text=True,
        timeout=540,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    app = where / "dist" / "offthread" / "offthread"
    assert app.is_file()
    assert "MB in" in done.stdout  # it says its size
    return app


@pytest.mark.parametrize("start_method", ["forkserver", "spawn"])
def test_the_bundle_runs_process_and_asyncio_tasks_and_exits_0_on_sigterm(bundle, start_method):
    psutil = pytest.importorskip("psutil")
    args = ["--qml", str(PROBE), "--log-level", "info", "--cpu-limit", "20000", "--processes", "2"]
    process = subprocess.Popen(
        [str(bundle), *args, "--start-method", start_method],
        cwd=bundle.parent.parent,  # not the repository: nothing of it may be needed
        env=app_environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    stderr = StderrLines(process)
    workers: dict[int, tuple[psutil.Process, str]] = {}  # every process under the app: its executable
    try:
        deadline = time.monotonic() + 60
        while not any("probe: asyncio" in line for line in stderr.lines):
            assert process.poll() is None and time.monotonic() < deadline, "\n".join(stderr.lines)
            for child in psutil.Process(process.pid).children(recursive=True):
                if child.pid not in workers:
                    workers[child.pid] = (child, _exe(child))
            time.sleep(0.05)  # polling a process table: there is no signal to wait on
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
    finally:
        process.kill()
        process.stdout.close()
    lines = stderr.finish()
    process.stderr.close()
    text = "\n".join(lines)
    assert "probe: process finished 2,262 primes below 20,000" in text, text
    assert "probe: asyncio finished 24 pages in" in text, text
    assert "shut down cleanly" in text
    assert "Traceback" not in text and "WARNING" not in text, text
    # The worker processes (and the fork server) were the bundle itself, and none outlives it.
    started = [child for child, exe in workers.values() if exe == str(bundle)]
    assert len(started) >= 2, [(child.pid, exe) for child, exe in workers.values()]
    deadline = time.monotonic() + 5
    while any(child.is_running() for child, _ in workers.values()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [child.pid for child, _ in workers.values() if child.is_running()]


def _exe(process) -> str:
    try:
        return str(process.exe())
    except Exception:  # ended before it could be read: it does not count
        return ""
