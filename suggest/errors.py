"""Domain errors. Each message names the file, row or field at fault and what to do."""
from __future__ import annotations

from pathlib import Path


class SuggestError(Exception):
    """Base class: an error the user can fix. The CLI prints it without a traceback."""

    def __init__(self, message: str, *, path: str | Path | None = None,
                 row: int | None = None, field: str | None = None, hint: str | None = None):
        self.path = str(path) if path is not None else None
        self.row = row
        self.field = field
        self.hint = hint
        where = []
        if self.path:
            where.append(self.path)
        if row is not None:
            where.append(f"row {row}")
        if field:
            where.append(f"field '{field}'")
        text = (", ".join(where) + ": " if where else "") + message
        if hint:
            text += f"\n  What to do: {hint}"
        super().__init__(text)


class CodebookError(SuggestError):
    """The codebook file is malformed or inconsistent."""


class DataError(SuggestError):
    """A coded-data or excerpt table is malformed."""


class UnknownCodeError(DataError):
    """A code id that the codebook does not define."""


class EmptyBatchError(SuggestError):
    """There is nothing to work on (an empty file, folder or pool)."""


class IngestError(SuggestError):
    """A source document could not be read."""


class ModelError(SuggestError):
    """A model directory is missing, corrupt or incompatible."""


class CodebookMismatchError(ModelError):
    """A model was trained on another codebook (version) than the one in use."""


class OutputError(SuggestError):
    """An output path cannot be written."""


class StoreError(SuggestError):
    """The project database is missing, too new, or inconsistent."""


class InputTooLargeError(SuggestError):
    """An input is over a size limit (see `suggest.limits`)."""
