"""Limits on input size, so that no file can make `suggest` run for minutes or exhaust memory.

Three limits, each raised for one run by a command-line flag (every subcommand has them):
a table cell (`--max-cell-chars`), a document's text or a file read whole
(`--max-document-mb`), and what a .docx/.xlsx archive expands to (`--max-archive-mb`).
"""
from __future__ import annotations

import dataclasses
import zipfile
from dataclasses import dataclass
from pathlib import Path

from suggest.errors import InputTooLargeError


@dataclass(frozen=True)
class Limits:
    cell_chars: int = 100_000  # Excel itself stops at 32,767
    document_mb: float = 50.0  # a file read whole, or one document's text
    archive_mb: float = 200.0  # everything inside a .docx or .xlsx, decompressed


_current = Limits()
FLAGS = {"cell_chars": "--max-cell-chars", "document_mb": "--max-document-mb", "archive_mb": "--max-archive-mb"}


def current() -> Limits:
    return _current


def configure(**changes: float | None) -> Limits:
    """Replace some limits for this process (None keeps a limit); returns the previous limits."""
    global _current
    previous = _current
    _current = dataclasses.replace(_current, **{k: v for k, v in changes.items() if v is not None})
    return previous


def _mb(n_bytes: float) -> str:
    return f"{n_bytes / 1e6:.1f} MB"


def check_file_size(path: str | Path) -> None:
    """Refuse a file larger than the document limit before reading it."""
    size = Path(path).stat().st_size
    if size > _current.document_mb * 1e6:
        raise InputTooLargeError(f"the file is {_mb(size)}, over the limit of {_mb(_current.document_mb * 1e6)}",
                                 path=path, hint=f"split it, or raise the limit with {FLAGS['document_mb']}")


def check_text_size(text: str, path: str | Path, what: str = "document") -> None:
    """Refuse a document whose text is longer than the document limit."""
    if len(text) > _current.document_mb * 1e6:
        raise InputTooLargeError(f"the {what}'s text is {len(text):,} characters, over the limit of "
                                 f"{int(_current.document_mb * 1e6):,}", path=path,
                                 hint=f"split it, or raise the limit with {FLAGS['document_mb']}")


def check_archive(path: str | Path) -> None:
    """Refuse a zip-based file (.docx, .xlsx) that would expand past the archive limit (a zip bomb)."""
    try:
        with zipfile.ZipFile(path) as zf:
            total = sum(info.file_size for info in zf.infolist())
    except (zipfile.BadZipFile, OSError):
        return  # the format's own reader reports a damaged file
    if total > _current.archive_mb * 1e6:
        raise InputTooLargeError(f"the file expands to {_mb(total)}, over the limit of "
                                 f"{_mb(_current.archive_mb * 1e6)} (a damaged or hostile archive?)", path=path,
                                 hint=f"if you trust the file, raise the limit with {FLAGS['archive_mb']}")


def is_encrypted_office(path: str | Path) -> bool:
    """A password-protected .docx/.xlsx: an OLE container holding an 'EncryptedPackage' stream."""
    with open(path, "rb") as fh:
        if fh.read(8) != b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
            return False
        return "EncryptedPackage".encode("utf-16-le") in fh.read(4_000_000)


def check_cells(table, path: str | Path, first_row: int = 2) -> None:
    """Refuse a table (DataFrame of strings, or columns of strings) with a cell longer than the cell limit;
    names row and column (`first_row`: the spreadsheet row of the table's first row)."""
    import numpy as np

    limit = _current.cell_chars
    for col in table:
        values = table[col]
        values = values if isinstance(values, list) else values.astype(str).tolist()
        lengths = np.fromiter(map(len, values), np.int64, len(values))
        over = np.flatnonzero(lengths > limit)
        if over.size:
            raise InputTooLargeError(f"a cell holds {int(lengths[over[0]]):,} characters, over the limit of "
                                     f"{limit:,}", path=path, row=int(over[0]) + first_row, field=str(col),
                                     hint=f"split the text, or raise the limit with {FLAGS['cell_chars']}")


def check_cell(value: str, path: str | Path, *, row: int | None = None, field: str | None = None) -> None:
    if len(value) > _current.cell_chars:
        raise InputTooLargeError(f"the value holds {len(value):,} characters, over the limit of "
                                 f"{_current.cell_chars:,}", path=path, row=row, field=field,
                                 hint=f"shorten it, or raise the limit with {FLAGS['cell_chars']}")
