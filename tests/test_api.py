"""The public surface: the package facade, and the tables of docs/designers.md: what QML sees, and the names to keep."""

from __future__ import annotations

import re
from pathlib import Path

from qtpy.QtCore import QMetaMethod, QObject

import offthread
from offthread.app import Backend

ROOT = Path(__file__).resolve().parent.parent
DESIGNERS = ROOT / "docs" / "designers.md"


def qml_surface():
    """Properties and slots that Backend (with its TaskManager) adds to QObject's, from its meta-object."""
    meta, base = Backend.staticMetaObject, QObject.staticMetaObject
    properties = {meta.property(i).name() for i in range(base.propertyCount(), meta.propertyCount())}
    slots = {
        bytes(meta.method(i).name()).decode()
        for i in range(base.methodCount(), meta.methodCount())
        if meta.method(i).methodType() == QMetaMethod.Slot
    }
    return properties, slots


def test_every_public_name_is_importable():
    for package in (offthread, offthread.app):
        for name in package.__all__:
            assert getattr(package, name) is not None, f"{package.__name__}.{name}"


def test_the_api_table_lists_exactly_what_qml_sees():
    rows = re.findall(r"^\| (property|slot) \| `(\w+)(?:\([^)]*\))?` \|", DESIGNERS.read_text(), re.MULTILINE)
    documented_properties = {name for kind, name in rows if kind == "property"}
    documented_slots = {name for kind, name in rows if kind == "slot"}
    properties, slots = qml_surface()
    assert documented_properties == properties
    assert documented_slots == slots


def test_every_property_notifies_or_is_constant_and_only_the_pool_sizes_and_mode_are_writable():
    meta = Backend.staticMetaObject
    for i in range(QObject.staticMetaObject.propertyCount(), meta.propertyCount()):
        prop = meta.property(i)
        assert prop.hasNotifySignal() != prop.isConstant(), prop.name()
        assert prop.isWritable() == (prop.name() in ("maxThreadCount", "processCount", "mode")), prop.name()


def test_the_roles_table_lists_exactly_the_models_roles():
    from offthread.engine.model import ROLES

    text = DESIGNERS.read_text()
    table = text[text.index("`taskModel`'s roles") :].split("\n\n")[1]
    first_cells = [row.split("|")[1] for row in table.splitlines()[2:]]
    documented = [name for cell in first_cells for name in re.findall(r"`(\w+)`", cell)]
    assert sorted(documented) == sorted(ROLES)


def test_the_names_to_keep_are_exactly_the_object_names_in_qml():
    text = DESIGNERS.read_text()
    paragraph = text[text.index("## 8. The names to keep") :].split("\n## ")[0]
    documented = {n for n in re.findall(r"`(\w+)(?:<id>)?`", paragraph) if not re.fullmatch(r"taskRow\d+", n)}
    documented -= {"objectName", "count", "running"}  # the words around the names
    sources = "".join(p.read_text() for p in (ROOT / "qml").glob("*.qml"))
    named = set(re.findall(r'objectName: "(\w+)"', sources)) | set(
        re.findall(r'^ *textName: "(\w+)"', sources, re.MULTILINE)
    )
    assert documented == named
