"""Generate qml/types/Offthread/: the QML type information of the Python types QML sees.

    python scripts/qmltypes.py [OUT_FOLDER]      (PySide6; make qmltypes runs it)

qmllint and the QML language server read a module's ``.qmltypes`` to know
what ``Backend``, ``LagMeter`` and ``TaskListModel`` offer. PySide6's own
tools make it: ``pyside6-metaobjectdump`` reads the Python classes (without
importing them) into moc's JSON form, and ``pyside6-qmltyperegistrar`` turns
that into a ``.qmltypes`` file. In between, this script says what the Python
source cannot: that each class is a QML element of module ``Offthread``
that QML cannot create, and the C++ names of Python's types (``float`` is a
``double``, a ``list`` a ``QVariantList``, a QObject subclass a pointer).
The app registers the same types at run time (``offthread.app.qmlmodule``).
A test checks that the files in the repository are what this makes.
"""

from __future__ import annotations

import inspect
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import PySide6

os.environ.setdefault("QT_API", "pyside6")
# The venv's editable install of this repository (scripts/setup-venv): the classes' files are ours.
from offthread.app.qmlmodule import MAJOR, MINOR, MODULE, TYPES

ROOT = Path(__file__).resolve().parent.parent

OUT = ROOT / "qml" / "types" / "Offthread"


def sources() -> dict[str, dict[str, str]]:
    """Each source file (relative to the repository) and the classes in it that QML sees, with
    why QML cannot make one: the same list the app registers."""
    found: dict[str, dict[str, str]] = {}
    for cls, reason in TYPES:
        source = Path(inspect.getsourcefile(cls) or "").resolve().relative_to(ROOT).as_posix()
        found.setdefault(source, {})[cls.__name__] = reason
    return found


PYTHON_TYPES = {
    "float": "double",
    "list": "QVariantList",
    "dict": "QVariantMap",
    "str": "QString",
    "object": "QVariant",
}
# Properties declared as QObject at run time (a Python class as a property's
# type fails in PySide2), and the class each really holds.
OBJECT_PROPERTIES = {
    ("TaskManager", "taskModel"): "TaskListModel",
    ("TaskManager", "taskFilter"): "TaskFilterModel",
    ("TaskManager", "removals"): "Removals",
    ("Backend", "lagMeter"): "LagMeter",
}
# Methods declared to return a QObject, and the class each really returns.
OBJECT_RESULTS = {("TaskManager", "run"): "TaskObject", ("TaskObject", "then"): "TaskObject"}
# Overloaded slots lose their parameters' names in the dump: what QML tools should show.
PARAMETER_NAMES = {
    ("TaskManager", "run"): ("name", "args", "options"),
    ("TaskObject", "then"): ("onResult", "onError", "onCancelled"),
}


def tool(name: str) -> str:
    return str(Path(sys.executable).with_name(f"pyside6-{name}"))


def cpp_type(name: str, classes: set) -> str:
    if name in classes:
        return f"{name}*"
    return PYTHON_TYPES.get(name, name)


def metatypes(work: Path) -> Path:
    """moc-style JSON of our classes, from metaobjectdump, marked as uncreatable QML elements."""
    per_file = sources()
    dumped = subprocess.run(
        [tool("metaobjectdump"), "--compact", "--suppress-file", *(str(ROOT / s) for s in per_file)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    files = json.loads(dumped)
    reasons = {cls: reason for classes in per_file.values() for cls, reason in classes.items()}
    kept = []
    for source, entry in zip(per_file, files):
        entry["inputFile"] = source
        entry["classes"] = [c for c in entry["classes"] if c["className"] in reasons]
        for cls in entry["classes"]:
            cls["object"] = True
            cls["classInfos"] = [
                {"name": "QML.Element", "value": "auto"},
                {"name": "QML.Creatable", "value": "false"},
                {"name": "QML.UncreatableReason", "value": reasons[cls["className"]]},
            ]
            for prop in cls.get("properties", []):
                held = OBJECT_PROPERTIES.get((cls["className"], prop["name"]))
                prop["type"] = f"{held}*" if held else cpp_type(prop["type"], set(reasons))
                if "notify" not in prop and "write" not in prop:
                    prop["constant"] = True  # the Python said constant=True, which the dump leaves out
            for method in cls.get("slots", []) + cls.get("signals", []) + cls.get("methods", []):
                returned = OBJECT_RESULTS.get((cls["className"], method["name"]))
                if returned:
                    method["returnType"] = f"{returned}*"
                names = PARAMETER_NAMES.get((cls["className"], method["name"]), ())
                for argument, name in zip(method.get("arguments", []), names):
                    argument["name"] = name
                for argument in method.get("arguments", []):
                    argument["type"] = cpp_type(argument["type"], set(reasons))
        kept.append(entry)
    path = work / "offthread_metatypes.json"
    path.write_text(json.dumps(kept, indent=1))
    return path


def generate(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    qt_metatypes = Path(PySide6.__file__).parent / "Qt" / "metatypes"
    foreign = ",".join(str(p) for p in sorted(qt_metatypes.glob("qt6*_metatypes.json")))
    with tempfile.TemporaryDirectory() as work:
        source = metatypes(Path(work))
        subprocess.run(
            [
                tool("qmltyperegistrar"),
                f"--generate-qmltypes={out / 'offthread.qmltypes'}",
                f"--import-name={MODULE}",
                f"--major-version={MAJOR}",
                f"--minor-version={MINOR}",
                f"--foreign-types={foreign}",
                "-o",
                os.devnull,
                str(source),
            ],
            check=True,
        )
    (out / "qmldir").write_text(
        f"# The Python types the app registers at run time, for QML tools (made by scripts/qmltypes.py).\n"
        f"module {MODULE}\ntypeinfo offthread.qmltypes\ndepends QtQuick\n"
    )


if __name__ == "__main__":
    generate(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT)
    print(f"wrote {Path(sys.argv[1]) if len(sys.argv) > 1 else OUT.relative_to(ROOT)}")
