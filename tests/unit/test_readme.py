"""The README's layout section matches the package tree, and its code imports work."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def layout_entries() -> set[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("```\nsuggest/\n", 1)[1].split("```", 1)[0]
    return {m.group(1) for m in re.finditer(r"^  (\S+?/?)\s", block, re.M)}


def test_layout_section_lists_every_top_level_part_and_nothing_else():
    tree = {p.name + ("/" if p.is_dir() else "") for p in (ROOT / "suggest").iterdir()
            if not p.name.startswith(("_", ".")) and (p.suffix == ".py" or (p / "__init__.py").is_file())}
    assert layout_entries() == tree


def test_readme_heads_import_as_shown():
    from suggest.classify import CombinedClassifier, DenseClassifier, LexicalClassifier  # noqa: F401
