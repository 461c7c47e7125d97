"""Word .docx files (record forms, transcripts, documents) -> Documents.

Paragraphs come in reading order, headings as their own paragraphs; table rows become
"Field: value" lines, each its own paragraph. Short table fields (Date, Mentor, Session
type...) also go to `metadata`, and so do the texts of Title- and Heading-styled paragraphs
(`headings`, which the segmenter takes as the form's field labels).
"""
from __future__ import annotations

import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

from suggest import limits
from suggest.errors import IngestError
from suggest.ingest.text import normalize_newlines, slugify
from suggest.transcript import is_interview, speakers

if TYPE_CHECKING:
    from suggest.corpus import Document

_NOT_DOCX = "not a Word .docx file"
_NOT_DOCX_HINT = "if it is an old .doc, save it as .docx (Word: File > Save As > Word Document)"
_SHORT_FIELD = 100  # longest value (characters) copied to metadata


def read_docx(path: Path) -> "Document":
    """Read a .docx; source_type is 'record_form' when its title says 'record form', 'interview' when it
    has interviewer turns, else 'document'."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table
    from lxml.etree import XMLSyntaxError

    if not zipfile.is_zipfile(path):
        if limits.is_encrypted_office(path):
            raise IngestError("the document is password-protected (encrypted)", path=path,
                              hint="open it in Word, remove the password (File > Info > Protect Document), save")
        raise IngestError(_NOT_DOCX, path=path, hint=_NOT_DOCX_HINT)
    limits.check_archive(path)
    try:
        word = docx.Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile, XMLSyntaxError) as exc:
        raise IngestError(f"{_NOT_DOCX} ({exc})", path=path, hint=_NOT_DOCX_HINT) from None
    from suggest.corpus import Document

    blocks: list[str] = []
    fields: dict[str, str] = {}
    headings: list[str] = []
    for item in word.iter_inner_content():
        if isinstance(item, Table):
            for name, value in _table_fields(item):
                blocks.append(f"{name}: {value}" if name else value)
                if name and len(value) <= _SHORT_FIELD and "\n" not in value:
                    fields.setdefault(name, value)
        elif item.text.strip():
            blocks.append(normalize_newlines(item.text).strip())
            style = item.style.name if item.style is not None else ""
            if style.startswith(("Title", "Heading")):
                headings.append(blocks[-1])
    text = "\n\n".join(blocks)
    props = word.core_properties
    heading = headings[0] if headings else ""
    metadata: dict = {**fields}
    metadata.setdefault("title", props.title or heading or (blocks[0] if blocks else ""))
    if headings:
        metadata["headings"] = headings
    candidates = " | ".join([props.title or "", heading, blocks[0] if blocks else ""]).lower()
    if "record form" in candidates:
        source_type = "record_form"
    elif is_interview(text):
        source_type = "interview"
        metadata["speakers"] = speakers(text)
    else:
        source_type = "document"
    return Document(document_id=slugify(path.stem), text=text, source_type=source_type, path=str(path),
                    metadata=metadata)


def _cells(table) -> list[list[str]]:
    """Cell texts per row, merged cells counted once."""
    rows = []
    for row in table.rows:
        seen, cells = set(), []
        for cell in row.cells:
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            cells.append(normalize_newlines(cell.text).strip())
        rows.append(cells)
    return rows


def _table_fields(table) -> list[tuple[str, str]]:
    """(field, value) pairs of a table; field is '' for a row that is a single text.

    Two columns: field | value per row. A header row of short labels over value rows:
    header: value per cell. Pairs of columns (field | value | field | value): each pair.
    Anything else: the row's cells joined with ' | '.
    """
    rows = [r for r in _cells(table) if any(r)]
    if not rows:
        return []
    width = max(len(r) for r in rows)
    out: list[tuple[str, str]] = []
    if width >= 3 and len(rows) >= 2 and all(0 < len(c) <= 40 for c in rows[0]) and len(rows[0]) == width:
        for row in rows[1:]:
            out.extend((h.rstrip(":").strip(), v) for h, v in zip(rows[0], row) if v)
        return out
    paired = width % 2 == 0 and all(len(r[i]) <= 40 for r in rows for i in range(0, len(r), 2))
    for row in rows:
        if len(row) == 1 or (len(row) > 2 and not paired):
            out.append(("", " | ".join(c for c in row if c)))
            continue
        for i in range(0, len(row) - 1, 2):
            name, value = row[i].rstrip(":").strip(), row[i + 1]
            if value:  # a field left blank on the form says nothing
                out.append((name, value))
    return out
