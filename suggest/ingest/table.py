"""Tables of ready-made excerpts (.csv / .xlsx) -> Excerpts.

Columns: excerpt_id, text (required); document_id, source_type (optional). Other
columns and the spreadsheet row number go to each excerpt's metadata.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from suggest.errors import DataError
from suggest.ingest.text import slugify

if TYPE_CHECKING:
    from suggest.corpus import Excerpt

REQUIRED = ("excerpt_id", "text")
OPTIONAL = ("document_id", "source_type")


def read_excerpt_table(path: str | Path) -> list["Excerpt"]:
    """Excerpts from a table; start=0, end=len(text); document_id from its column or the file stem.

    Raises DataError naming the file, row (spreadsheet numbering, header = row 1) and column
    for a missing column, an empty id or text, or one id given two different texts.
    """
    from suggest.corpus import Excerpt, read_table

    path = Path(path)
    df = read_table(path)
    missing = [c for c in REQUIRED if c not in df.columns]
    if missing:
        raise DataError(f"missing required column(s): {', '.join(missing)}", path=path, field=missing[0],
                        hint="a table of excerpts needs the columns excerpt_id,text "
                             f"(optional: document_id,source_type); columns found: {', '.join(df.columns[:20])}")
    extra = [c for c in df.columns if c not in REQUIRED + OPTIONAL]
    default_doc = slugify(path.stem)
    excerpts: list[Excerpt] = []
    seen: dict[str, str] = {}
    for row_number, record in enumerate(df.to_dict("records"), start=2):
        eid, text = str(record["excerpt_id"]).strip(), str(record["text"])
        for col, value in (("excerpt_id", eid), ("text", text)):
            if not value.strip():
                raise DataError(f"empty {col.replace('_', ' ')}", path=path, row=row_number, field=col,
                                hint="fill it in or delete the row")
        if eid in seen:
            if seen[eid] != text:
                raise DataError(f"excerpt '{eid}' appears twice with different texts", path=path, row=row_number,
                                field="excerpt_id", hint="give each excerpt its own excerpt_id")
            continue  # the same excerpt again (e.g. one row per code): keep the first
        seen[eid] = text
        metadata = {"row": row_number, **{c: record[c] for c in extra if str(record[c]).strip()}}
        excerpts.append(Excerpt(excerpt_id=eid, document_id=str(record.get("document_id") or "").strip() or default_doc,
                                text=text, start=0, end=len(text),
                                source_type=str(record.get("source_type") or "").strip() or "text",
                                metadata=metadata))
    return excerpts
