"""``main.py`` as a user runs it: options, load failures, and every way to quit."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from .helpers import free_display

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"


def app_environment(**extra: str) -> dict[str, str]:
    """The app's environment: headless, and with a settings folder of its own, so that no run
    remembers (offthread.app.settings) for the next test, nor reads the user's own choices."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", QT_QUICK_BACKEND="software", PYTHONUNBUFFERED="1")
    env["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="settings-", dir=os.environ.get("XDG_CONFIG_HOME"))
    env.update(extra)
    return env


def run_script(python: str, script: Path, timeout: float = 120) -> str:
    """Run ``script`` (in its folder) as an app would run, with a runtime folder as on a desktop
    (else Qt 5's QGuiApplication warns on stderr); it must exit 0 with nothing on stderr. Its stdout."""
    runtime = script.parent / "runtime"
    runtime.mkdir(mode=0o700, exist_ok=True)
    done = subprocess.run(
        [python, str(script)],
        cwd=script.parent,
        env=app_environment(XDG_RUNTIME_DIR=str(runtime)),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert (done.returncode, done.stderr) == (0, ""), done.stderr
    return done.stdout


def start(*args: str, env: dict[str, str] | None = None, **options: Any) -> subprocess.Popen:
    """Start main.py with ``args``, headless; ``options`` go to Popen (stdout and stderr are pipes)."""
    settings: dict[str, Any] = {
        "cwd": ROOT,
        "env": env or app_environment(),
        "stdout": subprocess.PIPE,
        "stderr": subprocess.PIPE,
        "text": True,
    }
    settings.update(options)
    return subprocess.Popen([sys.executable, str(ROOT / "main.py"), *args], **settings)


def run(*args: str, timeout: float = 30) -> subprocess.CompletedProcess:
    process = start(*args)
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    finally:
        process.kill()
        process.communicate()
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def test_help_documents_the_options():
    done = run("--help")
    assert done.returncode == 0
    for option in (
        "--threads N",
        "--qml PATH",
        "--log-level",
        "--steps",
        "--step-seconds",
        "--shutdown-timeout",
        "--theme",
        "--history N",
    ):
        assert option in done.stdout
    assert "Its gui and events modes run the work on the GUI thread instead" in " ".join(done.stdout.split())


def test_version_prints_the_packages_version():
    done = run("--version")
    version = re.search(r'^version = "(.+)"$', (ROOT / "pyproject.toml").read_text(), re.MULTILINE).group(1)
    assert (done.returncode, done.stdout, done.stderr) == (0, f"offthread {version}\n", "")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--threads", "0"], "argument --threads: '0' is out of range"),
        (["--threads", "many"], "argument --threads: 'many' is not a whole number"),
        (["--log-level", "loud"], "argument --log-level: invalid choice: 'loud'"),
        (["--step-seconds", "-1"], "argument --step-seconds: '-1' is out of range"),
        # One range in every message: "above 0" and "from 0" contradicted each other.
        (["--step-seconds", "nan"], "'nan' is out of range: use a number of seconds above 0 and at most 3,600"),
        (["--step-seconds", "0"], "'0' is out of range: use a number of seconds above 0 and at most 3,600"),
        (["--step-seconds", "3601"], "'3601' is out of range: use a number of seconds above 0 and at most 3,600"),
        (["--step-seconds", "soon"], "argument --step-seconds: 'soon' is not a number of seconds"),
        (["--shutdown-timeout", "1e9"], "argument --shutdown-timeout: '1e9' is not a whole number"),
        (["--cpu-limit", "999999999"], "'999999999' is out of range: use a whole number from 10 to 100,000,000"),
        (["--theme", "purple"], "argument --theme: invalid choice: 'purple'"),
        (["--history", "-1"], "argument --history: '-1' is out of range: use a whole number from 0 to 100,000,000"),
        (["--no-such-option"], "unrecognized arguments: --no-such-option"),
    ],
)
def test_a_bad_value_gets_a_message_and_exit_code_2(args, message):
    done = run(*args)
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("name", "where", "why"),
    [
        ("syntax_error.qml", "syntax_error.qml:7:1", "Expected token"),
        ("missing_import.qml", "missing_import.qml:2:1", 'module "NoSuchModule" is not installed'),
        ("not_a_window.qml", "not_a_window.qml", "it must be a Window"),
        ("no_backend_property.qml", "no_backend_property.qml", 'property "backend"'),
        ("no_such_file.qml", "no_such_file.qml", "no such file"),
        (".", "data", "this is a folder; give the QML file in it to open"),
    ],
)
def test_a_root_qml_file_that_cannot_load_exits_1_with_file_and_line(name, where, why):
    done = run("--qml", str(DATA / name))
    assert done.returncode == 1
    assert done.stderr.startswith(f"error: cannot load {DATA / name}:")
    assert where in done.stderr
    assert why in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11 and Wayland are Linux's")
@pytest.mark.parametrize("display", ["", free_display()])
def test_no_display_to_open_the_window_on_gets_a_message_and_exit_code_1(display):
    # Qt's own answer is abort(): exit code 134, "Aborted", and "reinstalling may fix this problem".
    env = app_environment(DISPLAY=display)
    for name in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY"):
        env.pop(name, None)
    process = start(env=env)
    stdout, stderr = process.communicate(timeout=30)
    assert process.returncode == 1, stderr
    assert stderr.startswith("error: ")
    assert ("DISPLAY is not set" if not display else f"cannot open the display '{display}'") in stderr
    assert "Traceback" not in stderr and "Reinstalling" not in stderr


def test_a_dask_scheduler_that_cannot_be_reached_gets_a_message_and_exit_code_1():
    pytest.importorskip("distributed")
    done = run("--dask", "tcp://127.0.0.1:9", "--qml", str(DATA / "close_mid_job.qml"))
    assert done.returncode == 1
    assert re.search(r"error: cannot reach a dask cluster at tcp://127.0.0.1:9: \S", done.stderr)  # with a reason
    assert "Traceback" not in done.stderr


# Not gui mode: there the window cannot close until the job ends, which is its point.
@pytest.mark.parametrize("mode", ["thread", "events", "process"])
def test_closing_the_window_mid_job_exits_0_with_empty_stderr(mode):
    started = time.monotonic()
    done = run("--qml", str(DATA / "close_mid_job.qml"), "--step-seconds", "10", "--mode", mode)
    assert (done.returncode, done.stderr) == (0, "")
    assert time.monotonic() - started < 10  # the 50 s job was stopped, not waited for


def descendants(pid: int) -> set[int]:
    """The live processes under ``pid`` (children, their children...), from /proc."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # it ended while we looked
            continue
        if fields[0] != "Z":
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found: set[int] = set()
    pending = [pid]
    while pending:
        for child in children.get(pending.pop(), []):
            found.add(child)
            pending.append(child)
    return found


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc to see child processes")
def test_closing_the_window_while_process_tasks_run_leaves_no_process_behind():
    process = start("--qml", str(DATA / "close_mid_process_jobs.qml"), "--processes", "2", "--cpu-limit", "100000000")
    seen: set[int] = set()
    try:
        while process.poll() is None:  # the window closes itself 1.5 s after two tasks run
            seen |= descendants(process.pid)
        stdout, stderr = process.communicate(timeout=30)
    finally:
        process.kill()
    assert (process.returncode, stderr) == (0, "")
    assert len(seen) >= 3, "the worker processes were never seen"  # the fork server and 2 workers at least
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and {p for p in seen if Path(f"/proc/{p}").exists() and not zombie(p)}:
        time.sleep(0.05)  # polling a process table: there is no signal to wait on
    left = {p for p in seen if Path(f"/proc/{p}").exists() and not zombie(p)}
    assert not left, f"processes left behind: {sorted(left)}"


def zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True  # gone


class StderrLines:
    """Collects a running process's stderr lines, and waits for one to appear."""

    def __init__(self, process: subprocess.Popen) -> None:
        self.lines: list[str] = []
        self._changed = threading.Condition()
        self._reader = threading.Thread(target=self._read, args=(process.stderr,), daemon=True)
        self._reader.start()

    def _read(self, stream) -> None:
        for line in stream:
            with self._changed:
                self.lines.append(line.rstrip("\n"))
                self._changed.notify_all()

    def wait_for(self, text: str, timeout: float = 20) -> None:
        with self._changed:
            found = self._changed.wait_for(lambda: any(text in line for line in self.lines), timeout)
        assert found, f"{text!r} never appeared on stderr:\n" + "\n".join(self.lines)

    def finish(self) -> list[str]:
        self._reader.join(10)
        return self.lines


def run_until_then_signal(args: list[str], ready: str, signum: int) -> list[str]:
    """Start main.py, wait for ``ready`` on stderr, send ``signum``; it must exit 0. Return stderr's lines."""
    process = start(*args)
    stderr = StderrLines(process)
    try:
        stderr.wait_for(ready)
        assert process.poll() is None
        process.send_signal(signum)
        assert process.wait(timeout=10) == 0
    finally:
        process.kill()
        process.stdout.close()
    lines = stderr.finish()
    process.stderr.close()
    return lines


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_ctrl_c_and_sigterm_cancel_the_job_and_exit_0(signum):
    args = ["--qml", str(DATA / "autostart.qml"), "--step-seconds", "10", "--log-level", "info"]
    lines = run_until_then_signal(args, "task 1 (DANGER!) started", signum)
    assert "INFO offthread.engine.events: task 1 (DANGER!) cancelled" in lines
    assert lines[-1] == "INFO offthread.app.run: shut down cleanly"
    # Only our own INFO lines: no warning, no "already deleted", no traceback.
    assert all(line.startswith("INFO ") for line in lines), "\n".join(lines)


def test_a_task_that_ignores_cancellation_does_not_hold_the_exit():
    script = (
        "import sys, time\n"
        "from qtpy.QtCore import QCoreApplication\n"
        "from offthread import TaskManager\n"
        "app = QCoreApplication([])\n"
        "backend = TaskManager()\n"
        "handle = backend.submit(time.sleep, 60)\n"
        "while handle.state != 'running':\n"
        "    app.processEvents()\n"
        "print(backend.shutdown(200))\n"
        "sys.exit(3)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=20)
    assert (done.returncode, done.stdout) == (3, "False\n")
    assert "left behind: 1 (sleep)" in done.stderr


def test_in_live_mode_a_broken_root_file_does_not_end_the_app(tmp_path):
    broken = tmp_path / "Main.qml"
    broken.write_text((DATA / "syntax_error.qml").read_text())
    args = ["--live", "--qml", str(broken), "--log-level", "info"]
    # Still running after the load failed, showing the errors; SIGTERM ends it cleanly.
    lines = run_until_then_signal(args, f"live reload: watching {tmp_path}", signal.SIGTERM)
    assert f"  {broken}:7:1: Expected token `numeric literal'" in lines


def test_a_task_that_never_checks_left_behind_does_not_crash_the_exit():
    # A job that never reaches a check point, in thread mode: shutdown leaves
    # its thread behind, and the interpreter's exit must still be clean.
    script = (
        "import sys\n"
        "from offthread.app import jobs\n"
        "def spin(*args, **kwargs):\n"
        "    while True:\n"
        "        pass\n"
        "jobs.JOBS['danger'] = jobs.Job(spin, spin)\n"
        "from offthread.app.launch import main\n"
        f"sys.exit(main(['--qml', {str(DATA / 'close_mid_job.qml')!r}, '--shutdown-timeout', '200']))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=app_environment(), capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and "left behind: 1 (DANGER!)" in lines[0], done.stderr


def test_a_local_dask_cluster_keeps_stderr_quiet_unless_asked():
    pytest.importorskip("distributed")
    done = run("--dask", "local", "--qml", str(DATA / "close_mid_job.qml"))
    assert done.returncode == 0, done.stderr
    assert "INFO" not in done.stderr, done.stderr  # distributed's own lines, at INFO, came through before
    done = run("--dask", "local", "--log-level", "info", "--qml", str(DATA / "close_mid_job.qml"))
    assert "INFO distributed" in done.stderr or "distributed." in done.stderr
