"""``pip install .`` as another project would: the wheel holds the engine as
``offthread`` and every QML file, the ``offthread`` command starts the app
from any folder, and the example of docs/python-api.md runs against it."""

from __future__ import annotations

import os
import re
import signal
import site
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

from .test_app import StderrLines, app_environment, run_script

ROOT = Path(__file__).resolve().parent.parent
PYTHON_API = ROOT / "docs" / "python-api.md"
QML_API = ROOT / "docs" / "qml-api.md"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--quiet",
            "--disable-pip-version-check",
            "-w",
            str(out),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    (built,) = out.glob("offthread-*.whl")
    return built


def our_site_packages() -> str:
    return sysconfig.get_paths()["purelib"] if sys.prefix != sys.base_prefix else site.getsitepackages()[0]


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """A fresh venv with the wheel installed; the binding and qtpy come from this test's venv.

    They are large, and installing them again is not what this test is about:
    a .pth file puts this venv's site-packages behind the new venv's own (a
    directory named in a .pth file has its own .pth files ignored, so this
    checkout's editable install does not leak in).
    """
    return venv_with(wheel, tmp_path_factory.mktemp("venv"), our_site_packages())


@pytest.fixture(scope="module")
def installed_with_the_binding_alone(wheel, tmp_path_factory) -> Path:
    """As ``pip install '.[pyside6]'`` (or pyside2) leaves a venv: the wheel and the binding, no qtpy.

    The binding comes from this test's venv, through a folder that links to
    its packages alone (the binding, shiboken, and their metadata).
    """
    alone = tmp_path_factory.mktemp("binding")
    for entry in Path(our_site_packages()).iterdir():
        if entry.name.lower().startswith(("pyside", "shiboken")):
            (alone / entry.name).symlink_to(entry)
    return venv_with(wheel, tmp_path_factory.mktemp("venv"), str(alone))


def venv_with(wheel: Path, where: Path, packages: str) -> Path:
    """A venv at ``where`` with ``wheel`` installed and the folder ``packages`` behind its own."""
    venv.EnvBuilder(with_pip=False).create(where)
    python = where / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    Path(purelib, "zz_binding.pth").write_text(packages + "\n")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--quiet",
         "--disable-pip-version-check", str(wheel)],
        capture_output=True,
        text=True,
        timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return where


def test_the_wheel_holds_the_engine_and_every_qml_file_and_no_package_named_backend(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    qml_files = [p for p in (ROOT / "qml").rglob("*") if p.suffix in (".qml", ".qmltypes") or p.name == "qmldir"]
    expected = {f"offthread/ui/{p.relative_to(ROOT / 'qml').as_posix()}" for p in qml_files}
    expected |= {f"offthread/app/qml/{p.name}" for p in (ROOT / "backend" / "app" / "qml").glob("*.qml")}
    assert expected and expected <= names
    assert "offthread/core/remote.py" in names and "offthread/engine/manager.py" in names
    assert "offthread/py.typed" in names  # a user's mypy reads the package's types
    assert not [n for n in names if n.startswith("backend/")]
    assert any(n.endswith("entry_points.txt") for n in names)
    assert "LICENSE" in "".join(n for n in names if "dist-info" in n)


def test_the_command_shows_its_help_from_any_folder(installed, tmp_path):
    done = subprocess.run(
        [str(installed / "bin" / "offthread"), "--help"], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage: offthread ")


def test_the_command_opens_the_window_from_any_folder_and_quits_cleanly(installed, tmp_path):
    process = subprocess.Popen(
        [str(installed / "bin" / "offthread"), "--log-level", "info"],
        cwd=tmp_path,
        env=app_environment(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    stderr = StderrLines(process)
    try:
        stderr.wait_for("offthread.app.run: the window shows")
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0
    finally:
        process.kill()
    lines = stderr.finish()
    process.stderr.close()
    shown = next(line for line in lines if "the window shows" in line)
    assert str(installed) in shown  # its QML came from the installed package
    assert lines[-1] == "INFO offthread.app.run: shut down cleanly"


@pytest.mark.parametrize(
    ("section", "prints"),
    [
        ("## Extending the manager", "sum finished ValueError(\"a mode needs a name of its own, not 'gui'\")"),
        ("## Futures", "ValueError [50, 98]"),
        ("## Chains and priorities", "True cancelled not started: #5 (int) failed"),
        ("## Groups", "['cancelled', 'cancelled', 'finished'] results for off [0, 1, 4, 9, 16, 25]"),
        ("## 1. Python names what QML may run", "6 ['word_count']"),
        ("## When will it end", "finished items True None True"),
        ("## 9. When will it end", "items True True"),
    ],
)
def test_the_python_api_pages_examples_run_as_written(installed, tmp_path, section, prints):
    run_example(installed, tmp_path, QML_API if section.startswith(("## 1.", "## 9.")) else PYTHON_API, section, prints)


def test_the_complete_example_runs_as_written_with_the_binding_alone(installed_with_the_binding_alone, tmp_path):
    python = str(installed_with_the_binding_alone / "bin" / "python")
    qtpy = subprocess.run([python, "-c", "import qtpy"], capture_output=True, text=True, timeout=60)
    assert "No module named 'qtpy'" in qtpy.stderr  # as after pip install '.[pyside2]'
    prints = "finished 332833500 finished 333332833333500000"
    run_example(installed_with_the_binding_alone, tmp_path, PYTHON_API, "## A complete example", prints)


def run_example(installed: Path, tmp_path: Path, page: Path, section: str, prints: str) -> None:
    """Run the first Python block under ``section`` of ``page`` in the venv ``installed``; it must print
    ``prints`` last, and nothing on stderr."""
    text = page.read_text()
    section = text[text.index(section) :]
    example = re.search(r"```python\n(.*?)```", section, re.DOTALL).group(1)
    script = tmp_path / "example.py"
    script.write_text(example)
    stdout = run_script(str(installed / "bin" / "python"), script)
    assert stdout.splitlines()[-1] == prints


def test_python_m_runs_the_same_command(installed, tmp_path):
    done = subprocess.run(
        [str(installed / "bin" / "python"), "-m", "offthread", "--help"],
        cwd=tmp_path,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0 and "usage:" in done.stdout, done.stderr


USER_CODE = """
from offthread import TaskHandle, TaskManager


def square(x: int) -> int:
    return x * x


def use(manager: TaskManager) -> None:
    handle: TaskHandle = manager.submit(square, 3)
    handle.add_done_callback(lambda h: print(h.result))
    reveal_type(handle.as_future())
"""


def test_a_users_mypy_sees_the_installed_packages_types(installed, tmp_path):
    pytest.importorskip("mypy")
    (tmp_path / "good.py").write_text(USER_CODE)
    (tmp_path / "bad.py").write_text(USER_CODE + "\nwrong: int = TaskManager().submit(square, 3)\n")

    def mypy(name: str) -> subprocess.CompletedProcess:
        python = str(installed / "bin" / "python")
        return subprocess.run(
            [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--python-executable", python, name],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=600,
        )

    good = mypy("good.py")
    assert good.returncode == 0, good.stdout
    assert 'Revealed type is "offthread.engine.outcome.TaskFuture"' in good.stdout
    bad = mypy("bad.py")
    assert bad.returncode == 1, bad.stdout
    assert 'Incompatible types in assignment (expression has type "TaskHandle", variable has type "int")' in bad.stdout
