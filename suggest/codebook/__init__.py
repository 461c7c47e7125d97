"""Codebooks: the `Codebook` model (YAML in and out) and REFI-QDA .qdc interchange."""
from __future__ import annotations

from pathlib import Path

from suggest.codebook.model import Code, Codebook
from suggest.codebook.qdc import read_qdc, write_qdc
from suggest.errors import CodebookError

SUFFIXES = (".yaml", ".yml", ".qdc")


def load_codebook(path: str | Path, *, allow_empty_definitions: bool = False) -> Codebook:
    """Load a codebook by suffix: .yaml / .yml (YAML) or .qdc (REFI-QDA; see `suggest.codebook.qdc`).

    `allow_empty_definitions` applies to .qdc only: codes without a description take their name.
    """
    suffix = Path(path).suffix.lower()
    if suffix in (".yaml", ".yml"):
        return Codebook.from_yaml(path)
    if suffix == ".qdc":
        return read_qdc(path, allow_empty_definitions=allow_empty_definitions)
    raise CodebookError(f"unknown codebook format '{suffix or '(none)'}'", path=path,
                        hint="give a .yaml / .yml codebook or a REFI-QDA .qdc codebook")


__all__ = ["Code", "Codebook", "load_codebook", "read_qdc", "write_qdc", "SUFFIXES"]
