"""`suggest pseudonymise INPUT... --out DIR`: pseudonymised copies of emails, Word files, texts and tables.

Each input file gets a copy under DIR (a folder's files keep their place below it): an email as
.eml (an .mbox gives one .eml per message) with From, To, Cc and Subject pseudonymised and the body
as `suggest` reads it (quoted replies and signatures already cut); a .docx as a .docx of the same
lines; a .txt/.md as it was; a .csv/.xlsx table with its `text` column pseudonymised. All files of
one call share one key, so a person has one placeholder across them.
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from suggest.errors import DataError, OutputError

if TYPE_CHECKING:
    from suggest.corpus import Document
    from suggest.pseudonymise.replace import Pseudonymiser


def pseudonymise_files(inputs: Sequence[str | Path], out_dir: str | Path, pseudonymiser: "Pseudonymiser",
                       progress: bool = False) -> list[Path]:
    """Write pseudonymised copies of `inputs` under `out_dir`; returns the files written."""
    from suggest.corpus import TABLE_SUFFIXES
    from suggest.ingest import DOCUMENT_SUFFIXES, list_files, read_file
    from suggest.output import ensure_writable_dir

    out_dir = ensure_writable_dir(out_dir, what="pseudonymised copies")
    docs: list[tuple[Path, "Document", int]] = []  # (output path without suffix, document, index in file)
    tables: list[tuple[Path, Path]] = []
    for given, path in list_files(inputs):
        if out_dir.resolve() in path.resolve().parents:
            continue
        rel = path.relative_to(given) if given.is_dir() else Path(path.name)
        suffix = path.suffix.lower()
        if suffix == ".qdpx":
            raise DataError("a REFI-QDA project cannot be pseudonymised here (its codings point at character "
                            "positions)", path=path, hint="pseudonymise the documents before coding them, or "
                                                          "give `suggest batch --pseudonymise` the project")
        if suffix in TABLE_SUFFIXES:
            tables.append((path, out_dir / rel))
        elif suffix in DOCUMENT_SUFFIXES:
            for k, doc in enumerate(read_file(path)):
                docs.append((out_dir / rel, doc, k))
    written = []
    new_docs = pseudonymiser.documents([d for _, d, _ in docs]) if docs else []
    for (target, old, k), doc in zip(docs, new_docs):
        written.append(_write_document(target, old, doc, k))
    for path, target in tables:
        written.append(_write_table(path, target, pseudonymiser))
    if not written:
        raise DataError("no readable files to pseudonymise", path=", ".join(map(str, inputs)),
                        hint=f"give {', '.join(DOCUMENT_SUFFIXES[:-1])} files, folders of them, or .csv/.xlsx tables")
    return written


def _write_document(target: Path, old: "Document", doc: "Document", k: int) -> Path:
    from suggest.output import atomic_path

    suffix = target.suffix.lower()
    target.parent.mkdir(parents=True, exist_ok=True)
    if suffix in (".eml", ".mbox"):
        out = target.with_name(f"{target.stem}-msg{k + 1:03d}.eml") if suffix == ".mbox" else target
        data = _email_bytes(doc)
    elif suffix == ".docx":
        out = target
        with atomic_path(out) as tmp:
            _write_docx(tmp, doc.text)
        return out
    else:
        out, data = target, doc.text.encode("utf-8")
    with atomic_path(out) as tmp:
        tmp.write_bytes(data)
    return out


def _email_bytes(doc: "Document") -> bytes:
    from email.message import EmailMessage
    from email.policy import SMTP

    msg = EmailMessage()
    for header, key in (("From", "sender"), ("To", "to"), ("Cc", "cc"), ("Subject", "subject"), ("Date", "date")):
        value = doc.metadata.get(key)
        if value:
            msg[header] = (_header_date(value) if key == "date" else
                           _addresses(value) if key in ("sender", "to", "cc") else value)
    msg.set_content(doc.text)
    return msg.as_bytes(policy=SMTP)


def _addresses(value: str) -> str:
    """'[Person 1] <[Email 2]>' as a header mail programs parse: '"[Person 1]" <email-2@pseudonymised.invalid>'."""
    import re
    from email.utils import formataddr

    out = []
    for part in value.split(", "):  # as `Pseudonymiser.header` joins them
        m = re.fullmatch(r"(?:(.*?) )?<(.*)>", part.strip())
        name, addr = (m.group(1) or "", m.group(2)) if m else ("", part.strip())
        email = re.fullmatch(r"\[Email (\d+)\]", addr)
        if email:
            addr = f"email-{email.group(1)}@pseudonymised.invalid"
        elif "@" not in addr:
            name, addr = addr, ""
        out.append(formataddr((name, addr)) if addr else name)
    return ", ".join(out)


def _header_date(value: str) -> str:
    import datetime as dt
    from email.utils import format_datetime

    try:
        return format_datetime(dt.datetime.fromisoformat(value))
    except ValueError:
        return value


def _write_docx(path: Path, text: str) -> None:
    import docx

    document = docx.Document()
    for line in text.split("\n"):
        document.add_paragraph(line)
    document.save(str(path))


def _write_table(path: Path, target: Path, pseudonymiser: "Pseudonymiser") -> Path:
    from suggest.corpus import read_table
    from suggest.output import write_table

    table = read_table(path)
    if "text" not in table.columns:
        raise DataError("no 'text' column to pseudonymise", path=path, field="text",
                        hint="name the column holding the free text 'text'")
    table["text"] = pseudonymiser.texts(table["text"].tolist())
    if target.resolve() == path.resolve():
        raise OutputError("would overwrite the original", path=target, hint="choose another --out folder")
    target.parent.mkdir(parents=True, exist_ok=True)
    return write_table(target, table)
