"""Desktop notifications: a long task that ends while the window is not active says so, once; none while
the window is active; the title shows how far the tasks have got."""

from __future__ import annotations

import base64
import os
import stat

import pytest
from qtpy.QtGui import QWindow

from offthread.app.notify import (
    CommandNotifier,
    RecordingNotifier,
    SilentNotifier,
    desktop_notifier,
    duration_text,
    notify_long_tasks,
)

from .helpers import Gate


@pytest.fixture
def other_window(qtbot):
    """Another window, to take the focus from the app's as a user's other app would."""
    window = QWindow()
    window.resize(200, 100)
    yield window
    window.destroy()


def activate(qtbot, window) -> None:
    window.show()
    window.requestActivate()
    qtbot.waitUntil(window.isActive)


def test_a_task_that_ends_while_the_window_is_not_active_raises_one_notification(ui, backend, qtbot, other_window):
    stub = RecordingNotifier()
    notices = notify_long_tasks(backend, ui, 0, stub)
    activate(qtbot, other_window)
    assert not ui.window.isActive()
    backend.danger()
    qtbot.waitUntil(lambda: notices.considered == 1)
    assert stub.sent == [("DANGER! is done", "after 0 s: Done.")]
    backend.fail()
    qtbot.waitUntil(lambda: notices.considered == 2)
    assert len(stub.sent) == 2  # one per task
    title, body = stub.sent[1]
    assert title == "failing job failed"
    assert body.startswith("after 0 s: ") and "step 2" in body


def test_none_while_the_window_is_active(ui, backend, qtbot):
    stub = RecordingNotifier()
    notices = notify_long_tasks(backend, ui, 0, stub)
    activate(qtbot, ui.window)
    backend.danger()
    qtbot.waitUntil(lambda: notices.considered == 1)
    assert stub.sent == []


def test_none_for_a_task_shorter_than_the_threshold(ui, backend, qtbot, other_window):
    stub = RecordingNotifier()
    notices = notify_long_tasks(backend, ui, 3600, stub)
    activate(qtbot, other_window)
    backend.danger()
    qtbot.waitUntil(lambda: notices.considered == 1)
    assert stub.sent == []


def wait_at_gate(gate, task):
    gate()
    task.check()  # the cancel lands here
    raise AssertionError("not cancelled")


def test_a_cancelled_task_says_it_was_cancelled_but_not_when_the_app_quits(ui, backend, qtbot, other_window):
    stub = RecordingNotifier()
    notices = notify_long_tasks(backend, ui, 0, stub)
    activate(qtbot, other_window)
    gate = Gate()
    handle = backend.submit_task(wait_at_gate, (gate,), name="long wait")
    qtbot.waitUntil(lambda: handle.state == "running")
    backend.cancel(handle)
    gate.open()
    qtbot.waitUntil(lambda: notices.considered == 1)
    assert stub.sent == [("long wait was cancelled", "after 0 s")]

    gate = Gate()
    handle = backend.submit_task(wait_at_gate, (gate,), name="cut short")
    qtbot.waitUntil(lambda: handle.state == "running")
    gate.open()
    backend.shutdown()  # as closing the window does: the tasks it cancels are no news
    qtbot.waitUntil(lambda: notices.considered == 2)
    assert len(stub.sent) == 1


@pytest.mark.parametrize(
    ("seconds", "text"), [(0.4, "0 s"), (12.4, "12 s"), (60, "1 min"), (185, "3 min 5 s"), (7440, "2 h 4 min")]
)
def test_durations_read_as_a_person_says_them(seconds, text):
    assert duration_text(seconds) == text


def fake_command(tmp_path, monkeypatch, name):
    """A program ``name`` on the PATH that writes its arguments to a file, one per line; the file."""
    out = tmp_path / "notified.txt"
    program = tmp_path / "bin" / name
    program.parent.mkdir()
    program.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > "{out}.part" && mv "{out}.part" "{out}"\n')
    program.chmod(program.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{program.parent}{os.pathsep}{os.environ['PATH']}")
    return out


def notified(tmp_path, monkeypatch, qtbot, program: str, platform: str, title: str, body: str) -> list[str]:
    """The arguments ``platform``'s notifier gives ``program`` (a stand-in on the PATH) to show ``title`` and ``body``."""
    out = fake_command(tmp_path, monkeypatch, program)
    notifier = desktop_notifier(platform)
    assert isinstance(notifier, CommandNotifier)
    notifier.notify(title, body)
    qtbot.waitUntil(out.exists)
    return out.read_text().splitlines()


def test_the_desktop_notifier_runs_notify_send_with_the_title_and_body(tmp_path, monkeypatch, qtbot):
    lines = notified(
        tmp_path, monkeypatch, qtbot, "notify-send", "linux", "DANGER! is done", 'after 12 s: "Done." $HOME'
    )
    assert lines == [
        "--app-name=offthread",
        "--",
        "DANGER! is done",
        'after 12 s: "Done." $HOME',  # as it is: no shell between
    ]


def test_on_macos_the_notifier_runs_osascript_with_the_text_as_arguments_not_as_script(tmp_path, monkeypatch, qtbot):
    lines = notified(tmp_path, monkeypatch, qtbot, "osascript", "darwin", 'say "hi" is done', "after 12 s: \\ end")
    assert lines[-2:] == ['say "hi" is done', "after 12 s: \\ end"]
    script = lines[1:-2:2]
    assert lines[0:-2:2] == ["-e"] * len(script)
    assert script == ["on run argv", "display notification (item 2 of argv) with title (item 1 of argv)", "end run"]


def test_on_windows_the_notifier_runs_powershell_with_the_text_quoted_inside_an_encoded_script(
    tmp_path, monkeypatch, qtbot
):
    lines = notified(tmp_path, monkeypatch, qtbot, "powershell", "win32", "it's done", "after 12 s: $HOME \u2019x")
    assert lines[:-1] == ["-NoProfile", "-NonInteractive", "-WindowStyle", "Hidden", "-EncodedCommand"]
    script = base64.b64decode(lines[-1]).decode("utf-16-le").splitlines()
    # Single quotes expand nothing ($HOME stays as it is), and a quote inside is doubled.
    assert "$icon.BalloonTipTitle = 'it''s done'" in script
    assert "$icon.BalloonTipText = 'after 12 s: $HOME \u2019\u2019x'" in script
    assert script[-1] == "$icon.Dispose()"


@pytest.mark.parametrize("platform", ["linux", "darwin", "win32"])
def test_without_the_notification_command_the_notices_go_to_the_log_only(monkeypatch, tmp_path, caplog, platform):
    monkeypatch.setenv("PATH", str(tmp_path))
    notifier = desktop_notifier(platform)
    assert isinstance(notifier, SilentNotifier)
    notifier.notify("DANGER! is done", "after 12 s")
    assert "DANGER! is done: after 12 s" in caplog.text


def test_the_title_shows_overall_progress_and_the_running_count_while_tasks_run(ui, backend, qtbot):
    idle = ui.window.title()
    assert idle == "DANGER! - long work off the GUI thread"
    gates = [Gate(), Gate()]
    handles = [backend.submit_task(wait_then_report, (gate,), name=f"t{i}") for i, gate in enumerate(gates)]
    qtbot.waitUntil(lambda: ui.window.title() == "0 % · 2 running · offthread")
    gates[0].open()
    # The first is done (100), the second still at 0: half of the work.
    qtbot.waitUntil(lambda: ui.window.title() == "50 % · 1 running · offthread")
    gates[1].open()
    qtbot.waitUntil(lambda: all(h.done for h in handles))
    qtbot.waitUntil(lambda: ui.window.title() == idle)


def wait_then_report(gate, task):
    gate()
    task.progress(100)
