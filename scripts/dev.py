"""The make targets where there is no make (Windows): run, test, lint, qmllint and bundle.

    python scripts/dev.py test [PYTEST_ARGS...]    # as make test PYTEST_ARGS="..."
    python scripts/dev.py run [APP_ARGS...]        # as make run ARGS="..."
    python scripts/dev.py lint                     # as make lint (PySide6: Python 3.11+)
    python scripts/dev.py bundle                   # as make bundle (PySide6: Python 3.11+)

The Python that runs this script is the one the venv is made with: run it
with the Python you want (``py -3.13 scripts\\dev.py test`` on Windows). Its
version picks the binding as scripts/setup-venv does: PySide2 on 3.8 to
3.10, PySide6 on 3.11+; ``QT_API=pyside2`` or ``pyside6`` must then agree
with it. The venv is the one make uses, ``.venv-pyside2`` or
``.venv-pyside6``, installed once per change of pyproject.toml (the same
stamp as setup-venv's, so make and this script share it). Then the command
runs with the venv's scripts first on the PATH and QT_API set, so that the
app and the tests import the binding that was installed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Each binding's Pythons: PySide2 5.15 has wheels up to 3.10, and PySide6 is used from 3.11.
PYTHONS = {"pyside2": ((3, 8), (3, 10)), "pyside6": ((3, 11), (3, 14))}
# What each command installs (the extra, after the binding's name) and runs, in the venv.
COMMANDS = {
    "run": ("", ["python", "main.py"]),
    "test": ("test", ["python", "-m", "pytest"]),
    "lint": ("test", None),  # three commands: see lint()
    "qmllint": ("test", None),
    "bundle": ("bundle", ["python", "scripts/bundle.py"]),
}
# The commands that read PySide6's stubs or use its tools.
PYSIDE6_ONLY = ("lint", "qmllint", "bundle")


def binding_for(version: tuple[int, int], asked: str) -> str:
    """The binding for a Python of ``version``; ``asked`` is QT_API's value, or ""."""
    for binding, (low, high) in PYTHONS.items():
        if low <= version <= high and asked in ("", binding):
            return binding
    dotted = ".".join(map(str, version))
    if asked in PYTHONS:
        low, high = (".".join(map(str, end)) for end in PYTHONS[asked])
        raise SystemExit(f"error: {asked} needs Python {low} to {high}, and this is {dotted}: run this script with one")
    if asked:
        raise SystemExit(f"error: QT_API={asked!r}: use pyside2 or pyside6")
    raise SystemExit(
        f"error: Python {dotted} runs neither binding: use 3.8 to 3.10 (PySide2) or 3.11 to 3.14 (PySide6)"
    )


def cksum(data: bytes) -> str:
    """What POSIX ``cksum`` prints for ``data``, without the file name: setup-venv's stamp."""
    table = []
    for index in range(256):
        crc = index << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7 if crc & 0x80000000 else crc << 1) & 0xFFFFFFFF
        table.append(crc)
    crc = 0
    length = len(data)
    tail = bytearray()
    while length:
        tail.append(length & 0xFF)
        length >>= 8
    for byte in bytes(data) + bytes(tail):
        crc = ((crc << 8) ^ table[(crc >> 24) ^ byte]) & 0xFFFFFFFF
    return f"{~crc & 0xFFFFFFFF} {len(data)}"


def venv_bin(folder: Path) -> Path:
    return folder / ("Scripts" if os.name == "nt" else "bin")


def venv_python(folder: Path) -> Path:
    return venv_bin(folder) / ("python.exe" if os.name == "nt" else "python")


def ensure_venv(binding: str, extra: str) -> Path:
    """``.venv-BINDING``, made with this Python if it has none that suits, with the project installed."""
    folder = ROOT / f".venv-{binding}"
    python = venv_python(folder)
    if not python.exists() or binding_of(python) != binding:
        print(f"Creating {folder.name} with Python {sys.version.split()[0]} ({sys.executable})", flush=True)
        venv.EnvBuilder(clear=True, with_pip=True).create(folder)
    extras = f"{extra}-{binding}" if extra else binding
    stamp = folder / f".installed-{extras}"
    want = cksum((ROOT / "pyproject.toml").read_bytes())
    if not stamp.exists() or stamp.read_text().strip() != want:
        print(f"Installing the project with its {extras} dependencies into {folder.name}", flush=True)
        quiet = ["--quiet", "--disable-pip-version-check"]
        subprocess.run([str(python), "-m", "pip", "install", *quiet, "-e", f".[{extras}]"], cwd=ROOT, check=True)
        check = "import sys; from offthread.app.launch import binding_problem as b; p = b(); sys.exit('error: ' + p if p else None)"
        subprocess.run([str(python), "-c", check], cwd=ROOT, env=environment(folder, binding), check=True)
        stamp.write_text(want + "\n")
    return folder


def binding_of(python: Path) -> str:
    """The binding a venv's Python suits, or "" if it does not run."""
    try:
        done = subprocess.run(
            [str(python), "-c", "import sys; print('%d.%d' % sys.version_info[:2])"], capture_output=True, text=True
        )
        major, minor = done.stdout.split(".")
        return binding_for((int(major), int(minor)), "")
    except (OSError, ValueError, SystemExit):
        return ""


def environment(folder: Path, binding: str) -> dict[str, str]:
    env = dict(os.environ, QT_API=binding)
    env["PATH"] = str(venv_bin(folder)) + os.pathsep + env.get("PATH", "")
    return env


def lint_commands() -> list[list[str]]:
    return [["ruff", "check", "."], ["ruff", "format", "--check", "."], ["mypy"]]


def qmllint_commands() -> list[list[str]]:
    """make qmllint's three runs, with the files found here (no shell globs on Windows)."""
    lint = ["pyside6-qmllint", "--max-warnings", "0", "--unused-imports", "warning"]

    def files(*patterns: str) -> list[str]:
        return [str(path.relative_to(ROOT)) for pattern in patterns for path in sorted(ROOT.glob(pattern))]

    return [
        [*lint, "-I", "qml/types", *files("qml/*.qml", "qml/style/*.qml", "backend/app/qml/*.qml")],
        [*lint, "-I", "qml/types", *files("examples/search/*.qml")],
        [*lint, "-I", "qml/preview", *files("qml/Preview.qml", "qml/preview/Offthread/*.qml")],
    ]


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in COMMANDS:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    name, args = argv[0], argv[1:]
    asked = os.environ.get("QT_API", "").lower()
    if name in PYSIDE6_ONLY:
        asked = "pyside6"
    binding = binding_for(sys.version_info[:2], asked)
    extra, command = COMMANDS[name]
    folder = ensure_venv(binding, extra)
    env = environment(folder, binding)
    print(f"Using {binding} on Python {sys.version.split()[0]}, {folder.name}", flush=True)
    if command is None:
        for step in lint_commands() if name == "lint" else qmllint_commands():
            # Found on the venv's PATH here: Windows looks a bare name up on this process's own.
            tool = shutil.which(step[0], path=env["PATH"]) or step[0]
            code = subprocess.run([tool, *step[1:]], cwd=ROOT, env=env).returncode
            if code:
                return code
        print(f"{name}: no problems found")
        return 0
    executable = [str(venv_python(folder)), *command[1:]]
    return subprocess.run([*executable, *args], cwd=ROOT, env=env).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
