"""The tables a user reads against what the code does: the options of docs/development.md, the keyboard and
the files of docs/designers.md."""

from __future__ import annotations

import re
from pathlib import Path

from offthread.app.cli import BUILT_IN_MODES, build_parser

ROOT = Path(__file__).resolve().parent.parent
DEVELOPMENT = (ROOT / "docs" / "development.md").read_text()
DESIGNERS = (ROOT / "docs" / "designers.md").read_text()


def section(text: str, heading: str) -> str:
    return text[text.index(heading) :].split("\n## ")[0]


def test_the_options_table_lists_every_option_and_every_mode():
    table = [line for line in section(DEVELOPMENT, "## Options").splitlines() if line.startswith("| `--")]
    documented = {flag for line in table for flag in re.findall(r"`(--[\w-]+)", line.split("|")[1])}
    options = {flag for action in build_parser()._actions for flag in action.option_strings if flag.startswith("--")}
    assert documented == options - {"--help"}
    (mode_row,) = [line for line in table if line.startswith("| `--mode")]
    assert all(f"`{mode}`" in mode_row for mode in BUILT_IN_MODES)


def test_the_keyboard_section_names_every_shortcut_of_the_window():
    sequences = set()
    for path in (ROOT / "qml").glob("*.qml"):
        sequences |= set(re.findall(r'sequence: "([^"]+)"', path.read_text()))
    assert sequences >= {"Ctrl+D", "Ctrl+I"}
    keyboard = section(DESIGNERS, "## 9. The keyboard")
    assert [s for s in sorted(sequences) if s not in keyboard] == []


def test_the_files_table_names_every_button_of_task_buttons():
    row = next(line for line in DESIGNERS.splitlines() if line.startswith("| `qml/TaskButtons.qml`"))
    source = (ROOT / "qml" / "TaskButtons.qml").read_text()
    texts = re.findall(r'objectName: "\w+Button"\s+text: qsTr\("([^"]+)"\)', source)
    assert len(texts) == 4 and "I/O job" in texts
    assert [t for t in texts if t.lower() not in row.lower()] == []
