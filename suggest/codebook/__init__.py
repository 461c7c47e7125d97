"""Codebooks: the `Codebook` model (YAML in and out) and REFI-QDA .qdc interchange."""
from __future__ import annotations

from pathlib import Path

from suggest.codebook.groups import CodeGroup, read_groups_yaml, with_groups
from suggest.codebook.model import Code, Codebook
from suggest.codebook.qdc import read_qdc, write_qdc
from suggest.errors import CodebookError

SUFFIXES = (".yaml", ".yml", ".qdc")


def load_codebook(path: str | Path, *, allow_empty_definitions: bool = False,
                  groups: str | Path | None = None) -> Codebook:
    """Load a codebook by suffix: .yaml / .yml (YAML) or .qdc (REFI-QDA; see `suggest.codebook.qdc`).

    `allow_empty_definitions` applies to .qdc only: codes without a description take their name.
    `groups`: a YAML file with a `groups:` list of single-choice groups to add (`suggest.codebook.groups`).
    """
    suffix = Path(path).suffix.lower()
    if suffix in (".yaml", ".yml"):
        cb = Codebook.from_yaml(path)
    elif suffix == ".qdc":
        cb = read_qdc(path, allow_empty_definitions=allow_empty_definitions)
    else:
        cb = None
    if cb is not None:
        return with_groups(cb, read_groups_yaml(groups), source=groups) if groups else cb
    raise CodebookError(f"unknown codebook format '{suffix or '(none)'}'", path=path,
                        hint="give a .yaml / .yml codebook or a REFI-QDA .qdc codebook")


__all__ = ["Code", "CodeGroup", "Codebook", "load_codebook", "read_qdc", "write_qdc", "SUFFIXES"]
