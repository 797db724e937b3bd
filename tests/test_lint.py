"""The linters run by ``make lint`` and CI are configured to catch mistakes: they fail on one."""

from __future__ import annotations

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
