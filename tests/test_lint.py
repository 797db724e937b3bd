"""The linters run by ``make lint`` and CI are configured to catch mistakes: they fail on one."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def ruff(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args, "--config", str(ROOT / "pyproject.toml")],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture(autouse=True)
def needs_ruff():
    if shutil.which("ruff") is None and subprocess.run([sys.executable, "-m", "ruff", "--version"]).returncode:
        pytest.skip("ruff is not installed (it comes with the test extras)")


def test_ruff_fails_on_an_unused_import(tmp_path):
    (tmp_path / "sloppy.py").write_text("import os\n")
    done = ruff("check", "sloppy.py", cwd=tmp_path)
    assert done.returncode == 1 and "F401" in done.stdout


def test_the_format_check_fails_on_code_the_formatter_would_change(tmp_path):
    (tmp_path / "cramped.py").write_text("x=[1,2 ,3]\n")
    done = ruff("format", "--check", "cramped.py", cwd=tmp_path)
    assert done.returncode == 1 and "cramped.py" in done.stdout


def test_the_tree_passes_ruff():
    assert ruff("check", ".", cwd=ROOT).returncode == 0
    assert ruff("format", "--check", ".", cwd=ROOT).returncode == 0


# -- Qt 6's QML tools: they come with PySide6 ----------------------------------

QML = ROOT / "qml"
needs_qt6_tools = pytest.mark.skipif(
    shutil.which("pyside6-qmllint") is None, reason="Qt 6's QML tools come with PySide6"
)


def qmllint(*files: Path, import_path: Path) -> subprocess.CompletedProcess:
    """qmllint as ``make qmllint`` runs it: the options are read from the Makefile."""
    makefile = (ROOT / "Makefile").read_text()
    command = next(line for line in makefile.splitlines() if line.startswith("QMLLINT = ")).split(" = ", 1)[1]
    return subprocess.run(
        [*command.split(), "-I", str(import_path), *map(str, files)], capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def qml_copy(tmp_path) -> Path:
    copy = tmp_path / "qml"
    shutil.copytree(QML, copy)
    return copy


@needs_qt6_tools
def test_qmllint_knows_the_backend_and_fails_on_a_member_it_lacks(qml_copy):
    task_list = qml_copy / "TaskList.qml"
    assert qmllint(task_list, import_path=qml_copy / "types").returncode == 0
    task_list.write_text(task_list.read_text().replace("backend.retry(", "backend.retrys(", 1))
    done = qmllint(task_list, import_path=qml_copy / "types")
    assert done.returncode != 0 and 'Member "retrys" not found on type "Backend"' in done.stdout + done.stderr


@needs_qt6_tools
def test_the_designers_pages_qml_examples_pass_qmllint(qml_copy):
    page = (ROOT / "docs" / "designers.md").read_text()
    examples = re.findall(r"^```qml\n(.*?)^```", page, re.MULTILINE | re.DOTALL)
    assert examples
    for number, example in enumerate(examples):
        example_file = qml_copy / f"Example{number}.qml"
        example_file.write_text(example)
        done = qmllint(example_file, import_path=qml_copy / "types")
        assert done.returncode == 0, done.stdout + done.stderr


@needs_qt6_tools
def test_the_qml_types_in_the_repository_are_what_make_qmltypes_makes(tmp_path):
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "qmltypes.py"), str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    for made in tmp_path.iterdir():
        assert made.read_text() == (QML / "types" / "Offthread" / made.name).read_text(), (
            f"qml/types/Offthread/{made.name} is out of date: run make qmltypes"
        )


@pytest.mark.skipif(shutil.which("pyside6-qmlls") is None, reason="Qt 6's language server comes with PySide6")
def test_the_language_server_finds_the_backends_type_through_qmlls_ini(qml_copy, tmp_path):
    from .qmlls import LanguageServer

    def flagged(folder: Path) -> list:
        server = LanguageServer(str(shutil.which("pyside6-qmlls")), cwd=tmp_path)  # an editor's folder, not qml/
        try:
            return server.diagnostics(folder / "TaskList.qml")
        finally:
            server.close()

    assert flagged(qml_copy) == []
    (qml_copy / ".qmlls.ini").unlink()  # without it, Backend is unknown
    assert any("Backend" in message for message in flagged(qml_copy))
