"""Remembered choices: theme, mode, thread count and the window's place persist across runs; --reset-settings
forgets them; a settings file that is wrong or cannot be written costs a log line, never the app."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from qtpy.QtCore import QRect, QSettings

from offthread.app.settings import AppSettings, Choices, placement

from .test_app import DATA, ROOT, app_environment

PROBE = str(DATA / "settings_probe.qml")


def settings_at(path: Path) -> AppSettings:
    return AppSettings(QSettings(str(path), QSettings.Format.IniFormat))


def test_choices_saved_are_loaded_back_by_a_new_settings_object(tmp_path):
    choices = Choices(theme="dark", mode="process", threads=3, geometry=(10, -20, 700, 500), maximized=False)
    assert settings_at(tmp_path / "a.ini").save(choices)
    assert "threads=3" in (tmp_path / "a.ini").read_text()
    assert settings_at(tmp_path / "a.ini").load() == choices


def test_nothing_saved_loads_as_nothing_to_remember(tmp_path):
    assert settings_at(tmp_path / "none.ini").load() == Choices()


def test_values_edited_by_hand_that_this_app_never_writes_are_ignored_with_a_log_line(tmp_path, caplog):
    path = tmp_path / "bad.ini"
    path.write_text("[General]\ntheme=purple\nmode=a mode\nthreads=1000000\ngeometry=1, 2, wide, 4\nmaximized=yes\n")
    assert settings_at(path).load() == Choices()
    ignored = sorted(r.getMessage().split("=")[0] for r in caplog.records if r.levelname == "WARNING")
    assert ignored == ["ignored geometry", "ignored mode", "ignored theme", "ignored threads"]
    caplog.clear()


def test_a_location_that_cannot_be_written_costs_a_warning_not_the_app(tmp_path, caplog):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    settings = settings_at(blocker / "offthread" / "offthread.ini")  # a folder inside a file: never writable
    assert settings.save(Choices(theme="dark")) is False
    assert settings.clear() is False
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert len(warnings) == 2
    assert "it cannot be written" in warnings[0] and "the next run starts from the defaults" in warnings[0]
    caplog.clear()


@pytest.mark.parametrize(
    ("geometry", "expected"),
    [
        ((100, 50, 700, 600), {"x": 100, "y": 50, "width": 700, "height": 600}),  # on screen: as it was
        ((3000, 50, 700, 600), {"width": 700, "height": 600}),  # on a screen unplugged since: placed anew
        ((1200, 860, 700, 600), {"width": 700, "height": 600}),  # too little left on screen to grab it
        ((0, 0, 2000, 1500), {"x": 0, "y": 0, "width": 1280, "height": 900}),  # no larger than the screen
    ],
)
def test_a_remembered_window_goes_back_only_where_it_can_be_reached(geometry, expected):
    assert placement(geometry, [QRect(0, 0, 1280, 900)]) == expected


# -- the app, run after run, with a settings folder of its own ---------------------------------------------


def run_app(config: Path, *args: str) -> str:
    """Run the app on the probe window until it closes itself; return what the probe said it started with."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--qml", PROBE, "--log-level", "info", *args],
        cwd=ROOT,
        env=app_environment(XDG_CONFIG_HOME=str(config)),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    found = re.search(r"probe: (.*)$", done.stderr, re.MULTILINE)
    assert found, done.stderr
    return found.group(1)


def test_the_theme_mode_thread_count_and_window_persist_across_runs_until_reset(tmp_path):
    cores = os.cpu_count() or 1
    first = run_app(tmp_path, "--theme", "dark")
    assert first.split()[:3] == ["dark", "thread", str(cores)]
    ini = (tmp_path / "offthread" / "offthread.ini").read_text()
    assert "theme=light" in ini and "mode=asyncio" in ini and "threads=5" in ini

    # The probe changed each as it closed: the next run starts with those.
    assert run_app(tmp_path) == "light asyncio 5 33 44 640 480"
    # An option given wins over what was remembered.
    assert run_app(tmp_path, "--mode", "process", "--threads", "2").split()[1:3] == ["process", "2"]
    # Forgotten: the defaults, and the window at the size its QML gives.
    assert run_app(tmp_path, "--reset-settings").split()[:3] == ["system", "thread", str(cores)]


def test_an_app_whose_settings_cannot_be_written_runs_and_says_so_once(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    done = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--qml", PROBE],
        cwd=ROOT,
        env=app_environment(XDG_CONFIG_HOME=str(blocker)),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("WARNING offthread.app.settings: cannot save the window's settings to ")
    assert "Traceback" not in done.stderr
