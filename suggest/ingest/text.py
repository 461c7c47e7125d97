"""Plain-text sources (.txt, .md) and the small text helpers other readers share."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from suggest.errors import IngestError
from suggest.slug import slugify
from suggest.transcript import is_interview, speakers

if TYPE_CHECKING:
    from suggest.corpus import Document


def normalize_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def decode_utf8(data: bytes, path: Path) -> str:
    """Decode UTF-8 (with or without a BOM) or raise an IngestError that says how to fix the file."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise IngestError(f"not UTF-8 text (bad byte at position {exc.start})", path=path,
                          hint="open it in a text editor and save it with the encoding 'UTF-8'") from None


def read_text(path: Path) -> "Document":
    """Read a .txt or .md file; source_type is 'interview' when it has interviewer turns, else 'text'."""
    from suggest.corpus import Document

    text = normalize_newlines(decode_utf8(path.read_bytes(), path))
    interview = is_interview(text)
    metadata: dict = {}
    if interview:
        metadata["speakers"] = speakers(text)
    return Document(document_id=slugify(path.stem), text=text, source_type="interview" if interview else "text",
                    path=str(path), metadata=metadata)
