"""The README and docs/ point at things that exist: every relative link, every
anchor, every repository path they name in backticks; and the README stays short."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", ROOT / "CHANGELOG.md", *sorted((ROOT / "docs").glob("*.md"))]
# Top-level folders and files whose paths a page may name in backticks.
TOP = ("backend/", "qml/", "tests/", "bench/", "scripts/", "docs/", ".ci/", "examples/")


def prose(text: str) -> str:
    """``text`` without its fenced code blocks (commands and examples, not references)."""
    return re.sub(r"^```.*?^```", "", text, flags=re.MULTILINE | re.DOTALL)


def links(page: Path) -> Iterator[tuple[str, str]]:
    """(target, anchor) of each relative Markdown link or image on ``page``."""
    for target in re.findall(r"\]\(([^)\s]+)\)", prose(page.read_text())):
        if re.match(r"[a-z]+:", target):
            continue  # https:, mailto:
        path, _, anchor = target.partition("#")
        yield path, anchor


def anchors(page: Path) -> set[str]:
    """GitHub's anchors for the headings of ``page``."""
    found = set()
    for heading in re.findall(r"^#+ (.*)$", prose(page.read_text()), re.MULTILINE):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        found.add(slug)
    return found


@pytest.mark.parametrize("page", PAGES, ids=[p.relative_to(ROOT).as_posix() for p in PAGES])
def test_every_relative_link_resolves(page):
    for path, anchor in links(page):
        target = (page.parent / path).resolve() if path else page
        assert target.exists(), f"{page.name}: link to {path} which does not exist"
        if anchor:
            assert target.suffix == ".md" and anchor in anchors(target), (
                f"{page.name}: no heading for #{anchor} in {path}"
            )


@pytest.mark.parametrize("page", PAGES, ids=[p.relative_to(ROOT).as_posix() for p in PAGES])
def test_every_repository_path_named_in_backticks_exists(page):
    for name in re.findall(r"`([\w./-]+)`", prose(page.read_text())):
        if not name.startswith(TOP) or "<" in name:
            continue
        assert (ROOT / name).exists(), f"{page.name} names {name}, which does not exist"


def test_the_readme_is_short_and_sends_readers_to_each_page():
    readme = ROOT / "README.md"
    assert len(readme.read_bytes()) <= 10 * 1024
    linked = {path for path, _ in links(readme)}
    for page in (ROOT / "docs").glob("*.md"):
        assert f"docs/{page.name}" in linked, f"the README does not link to docs/{page.name}"


def test_the_checks_catch_a_broken_link_and_a_missing_path(tmp_path, monkeypatch):
    page = tmp_path / "page.md"
    page.write_text("# Title\n\nSee [there](missing.md), [here](#nowhere) and `backend/nothing.py`.\n")
    with pytest.raises(AssertionError, match="missing.md"):
        test_every_relative_link_resolves(page)
    page.write_text("# Title\n\nSee [here](#nowhere).\n")
    with pytest.raises(AssertionError, match="#nowhere"):
        test_every_relative_link_resolves(page)
    page.write_text("# Title\n\nSee `backend/nothing.py`.\n")
    with pytest.raises(AssertionError, match="nothing.py"):
        test_every_repository_path_named_in_backticks_exists(page)
