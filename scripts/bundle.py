"""Build the app as one folder that runs without Python: ``make bundle`` (PySide6 only).

    python scripts/bundle.py [--dist DIR]     # the app is DIR/offthread/offthread (DIR: dist)

The package is installed (not editable) into a folder of the build first, so
that PyInstaller finds it, with its QML, as ``pip install .`` lays it out;
then PyInstaller makes a one-folder app of ``main.py`` with the whole
``offthread`` package (it imports its modules lazily: every one is named,
so none is missed), its QML files, and the Qt modules the app loads.
Worker processes of process mode are the app itself, started again:
``main.py`` calls ``multiprocessing.freeze_support()`` when frozen.
Prints the folder's size. Runs on Linux, macOS and Windows.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NAME = "offthread"

# What the app imports through its own binding module (offthread.engine.qt),
# which PyInstaller cannot follow; and what it must leave out (the tests' and
# benchmarks' tools, the other binding, dask).
QT_MODULES = ("QtCore", "QtGui", "QtQml", "QtQuick")
LEFT_OUT = ("PySide2", "qtpy", "pytest", "hypothesis", "distributed", "dask", "tkinter", "mypy", "IPython")


def pyinstaller_args(site: Path, work: Path, dist: Path) -> list[str]:
    """PyInstaller's command line for the app in ``site``, building in ``work``, into ``dist``."""
    args = [
        str(ROOT / "main.py"),
        "--name",
        NAME,
        "--onedir",
        "--noconfirm",
        "--log-level",
        "WARN",
        "--distpath",
        str(dist),
        "--workpath",
        str(work / "pyinstaller"),
        "--specpath",
        str(work),
        "--paths",
        str(site),
        "--collect-submodules",
        NAME,
    ]
    # The QML, as installed: the window's (offthread/ui) and the app's own (offthread/app/qml).
    for folder in ("ui", "app/qml"):
        args += ["--add-data", f"{site / NAME / folder}{os.pathsep}{NAME}/{folder}"]
    for module in QT_MODULES:
        args += ["--hidden-import", f"PySide6.{module}"]
    for module in LEFT_OUT:
        args += ["--exclude-module", module]
    return args


def folder_size(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file() and not path.is_symlink())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="where the app's folder goes (default: dist)")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "bundle", help="the build's own files")
    args = parser.parse_args(argv)
    try:
        import PyInstaller  # noqa: F401
        import PySide6  # noqa: F401
    except ImportError as error:
        sys.exit(f"error: {error.name} is not installed here: run 'make bundle', which installs it")
    work: Path = args.work.resolve()
    site = work / "site"
    shutil.rmtree(site, ignore_errors=True)
    quiet = ["--quiet", "--disable-pip-version-check"]
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            *quiet,
            "--no-deps",
            "--no-build-isolation",
            "--target",
            str(site),
            str(ROOT),
        ],
        check=True,
    )
    subprocess.run(
        [sys.executable, "-m", "PyInstaller", *pyinstaller_args(site, work, args.dist.resolve())], check=True
    )
    folder = args.dist.resolve() / NAME
    app = folder / (NAME + (".exe" if os.name == "nt" else ""))
    print(f"{app} ({folder_size(folder) / 1e6:.0f} MB in {folder})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
