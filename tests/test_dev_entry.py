"""scripts/dev.py, the make targets where there is no make (Windows): run here, as CI's Windows cells run it."""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys

import pytest

from offthread.engine import binding

from .test_app import ROOT

_spec = importlib.util.spec_from_file_location("dev", ROOT / "scripts" / "dev.py")
assert _spec is not None and _spec.loader is not None
dev = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(dev)


def test_its_stamp_is_setup_venvs_so_make_and_it_share_a_venv():
    data = (ROOT / "pyproject.toml").read_bytes()
    if shutil.which("cksum") is None:
        pytest.skip("no cksum here to compare with")
    posix = subprocess.run(["cksum"], input=data, capture_output=True, check=True).stdout.decode().strip()
    assert dev.cksum(data) == posix
    assert dev.cksum(b"") == "4294967295 0"


@pytest.mark.parametrize(
    ("version", "asked", "expected"),
    [
        ((3, 8), "", "pyside2"),
        ((3, 10), "pyside2", "pyside2"),
        ((3, 11), "", "pyside6"),
        ((3, 14), "pyside6", "pyside6"),
    ],
)
def test_the_pythons_version_picks_the_binding_as_setup_venv_does(version, asked, expected):
    assert dev.binding_for(version, asked) == expected


@pytest.mark.parametrize(
    ("version", "asked", "message"),
    [
        ((3, 13), "pyside2", "error: pyside2 needs Python 3.8 to 3.10, and this is 3.13"),
        ((3, 7), "", "error: Python 3.7 runs neither binding"),
        ((3, 12), "pyqt5", "error: QT_API='pyqt5': use pyside2 or pyside6"),
    ],
)
def test_a_python_that_cannot_run_the_binding_gets_one_line_saying_so(version, asked, message):
    with pytest.raises(SystemExit, match="^" + message.replace("(", r"\(").replace(")", r"\)")):
        dev.binding_for(version, asked)


def test_it_runs_the_tests_in_the_venv_that_make_test_made():
    # This venv's Python runs it, as a user's Python would: it keeps the venv, whose stamp is current.
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "dev.py"),
            "test",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests/test_wire.py",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"Using {binding.NAME.lower()} on Python" in done.stdout
    assert "Installing" not in done.stdout and "Creating" not in done.stdout
    assert " passed" in done.stdout


def test_without_a_command_it_prints_its_usage_and_exits_2():
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "dev.py")], capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 2
    assert "python scripts/dev.py test [PYTEST_ARGS...]" in done.stderr


def test_its_qmllint_lints_the_files_make_qmllint_does():
    runs = dev.qmllint_commands()
    assert "qml/Main.qml" in runs[0] and "qml/style/ComboBox.qml" in runs[0]
    assert any(name.startswith("examples/search/") for name in runs[1])
    assert "qml/Preview.qml" in runs[2]


# -- the GitHub Actions workflow, which cannot run here: what can be checked here is --------------

WORKFLOW = ROOT / ".github" / "workflows" / "ci.yml"


def workflow() -> dict:
    yaml = pytest.importorskip("yaml")
    return yaml.safe_load(WORKFLOW.read_text())


def test_the_workflow_covers_three_systems_and_both_bindings_on_their_pythons():
    test = workflow()["jobs"]["test"]
    matrix = test["strategy"]["matrix"]
    assert {os_name.split("-")[0] for os_name in matrix["os"]} == {"ubuntu", "windows", "macos"}
    assert {(cell["python"], cell["qt-api"]) for cell in matrix["cell"]} == {
        ("3.8", "pyside2"),
        ("3.10", "pyside2"),
        ("3.11", "pyside6"),
        ("3.13", "pyside6"),
    }
    assert test["env"]["QT_QPA_PLATFORM"] == "offscreen"


def test_every_command_the_workflow_runs_is_one_that_runs_here():
    runs = "\n".join(step.get("run", "") for step in workflow()["jobs"]["test"]["steps"])
    targets = set(re.findall(r"^([a-z]+):", (ROOT / "Makefile").read_text(), re.MULTILINE))
    used = set(re.findall(r"\bmake ([a-z]+)", runs))
    assert used == {"test", "lint", "qmllint"} and used <= targets
    assert "python scripts/dev.py test" in runs  # Windows's: tested above
    for name in re.findall(r"\b(tests/test_\w+\.py)", workflow()["jobs"]["test"]["env"]["PROCESS_TESTS"]):
        assert (ROOT / name).is_file(), name
