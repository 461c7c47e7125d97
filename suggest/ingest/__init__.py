"""Ingest: files and folders -> Documents (and, through the segmenter, Excerpts).

One small reader per format: email.py (.eml, .mbox), docx.py (.docx), text.py (.txt, .md),
table.py (.csv / .xlsx tables of ready-made excerpts). Document ids come from file names
and are unique within a call, so the same inputs always give the same ids.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from suggest import limits
from suggest.corpus import TABLE_SUFFIXES
from suggest.errors import DataError, EmptyBatchError, IngestError

if TYPE_CHECKING:
    from suggest.corpus import Document, Excerpt
    from suggest.segment import Segmenter

log = logging.getLogger(__name__)

DOCUMENT_SUFFIXES = (".eml", ".mbox", ".docx", ".txt", ".md", ".qdpx")


def _reader(suffix: str) -> Callable[[Path], "Document | list[Document]"]:
    if suffix in (".eml", ".mbox"):
        from suggest.ingest.email import read_eml, read_mbox

        return read_eml if suffix == ".eml" else read_mbox
    if suffix == ".docx":
        from suggest.ingest.docx import read_docx

        return read_docx
    if suffix == ".qdpx":
        from suggest.qdpx.read import read_sources

        return read_sources
    from suggest.ingest.text import read_text

    return read_text


def _hidden(relative: Path) -> bool:
    """Dot files and folders, and Word's '~$' lock files."""
    return any(part.startswith((".", "~$")) for part in relative.parts)


def list_files(inputs: Sequence[str | Path]) -> list[tuple[Path, Path]]:
    """(input, file) pairs: files as given, folders walked recursively in sorted order, hidden entries skipped."""
    pairs: list[tuple[Path, Path]] = []
    for given in map(Path, inputs):
        if given.is_file():
            pairs.append((given, given))
        elif given.is_dir():
            found = [p for p in given.rglob("*") if p.is_file() and not _hidden(p.relative_to(given))]
            pairs.extend((given, p) for p in sorted(found, key=lambda p: p.relative_to(given).as_posix()))
        else:
            raise IngestError("file or folder not found", path=given, hint="check the path and its spelling")
    return pairs


def read_documents(inputs: Sequence[str | Path], progress: bool = False) -> list["Document"]:
    """Read every supported file in `inputs` (files or folders) into Documents, in sorted order.

    Unknown suffixes are skipped with a warning; EmptyBatchError when nothing readable is found.
    """
    from tqdm.auto import tqdm

    if not inputs:
        raise EmptyBatchError("no input files or folders given")
    pairs = list_files(inputs)
    documents: list[Document] = []
    readable: set[Path] = set()
    for given, path in tqdm(pairs, desc="Reading", unit="file", disable=not progress):
        read = read_file(path)
        if read:
            documents.extend(read)
            readable.add(given)
    for given in dict.fromkeys(Path(p) for p in inputs):
        if given.is_dir() and given not in readable and documents:
            log.warning("%s: no readable documents in this folder", given)
    if not documents:
        where = ", ".join(str(p) for p in inputs)
        raise EmptyBatchError(f"no readable documents ({', '.join(DOCUMENT_SUFFIXES)}) found", path=where,
                              hint="check the folder; tables of ready-made excerpts (.csv, .xlsx) are given "
                                   "directly as inputs")
    return unique_ids(documents)


def read_file(path: Path) -> list["Document"]:
    """The documents of one file (an .mbox or .qdpx holds several); [] with a warning for a type that is not read."""
    suffix = path.suffix.lower()
    if suffix not in DOCUMENT_SUFFIXES:
        why = ("a table of excerpts is read only when given directly as an input" if suffix in TABLE_SUFFIXES
               else f"unsupported file type; readable types are {', '.join(DOCUMENT_SUFFIXES)}")
        log.warning("skipped %s: %s", path, why)
        return []
    limits.check_file_size(path)
    read = _reader(suffix)(path)
    read = read if isinstance(read, list) else [read]
    for doc in read:
        limits.check_text_size(doc.text, path)
    return read


def unique_ids(documents: list["Document"], seen: set[str] | None = None) -> list["Document"]:
    """Make document ids unique in reading order: a repeated id gets -2, -3...; `seen` carries the ids
    of earlier groups of documents (a stream) and is updated."""
    seen = set() if seen is None else seen
    for doc in documents:
        base, candidate, n = doc.document_id, doc.document_id, 2
        while candidate in seen:
            candidate, n = f"{base}-{n}", n + 1
        doc.document_id = candidate
        seen.add(candidate)
    return documents


def load_excerpts(inputs: Sequence[str | Path], segmenter: "Segmenter | None" = None,
                  progress: bool = False, pseudonymiser=None) -> tuple[list["Document"], list["Excerpt"]]:
    """(documents, excerpts) from inputs: .csv / .xlsx inputs are excerpt tables, the rest are read
    with `read_documents` and cut by `segmenter` (default `Segmenter()`).

    Table excerpts have no Document. Raises DataError when two excerpts share an id. With a
    `pseudonymiser` (`suggest.pseudonymise.Pseudonymiser`), documents are pseudonymised before they
    are cut, and table excerpts as they are read.
    """
    from suggest.ingest.table import read_excerpt_table

    if not inputs:
        raise EmptyBatchError("no input files or folders given")
    tables = [Path(p) for p in inputs if Path(p).is_file() and Path(p).suffix.lower() in TABLE_SUFFIXES]
    others = [p for p in inputs if Path(p) not in tables]
    excerpts: list[Excerpt] = []
    origin: dict[str, Path | None] = {}
    for table in tables:
        for ex in read_excerpt_table(table):
            _claim(origin, ex.excerpt_id, table)
            excerpts.append(ex)
    documents = read_documents(others, progress=progress) if others else []
    if pseudonymiser is not None:
        documents = pseudonymiser.documents(documents) if documents else []
        excerpts = pseudonymiser.excerpts(excerpts) if excerpts else []
    if documents:
        if segmenter is None:
            from suggest.segment import Segmenter

            segmenter = Segmenter()
        for ex in segmenter.segment(documents, progress=progress):
            _claim(origin, ex.excerpt_id, None)
            excerpts.append(ex)
    if not excerpts:
        raise EmptyBatchError("the documents hold no text to code", path=", ".join(map(str, inputs)))
    return documents, excerpts


def _claim(origin: dict, excerpt_id: str, source: Path | None) -> None:
    if excerpt_id in origin:
        raise DataError(f"excerpt id '{excerpt_id}' is used twice", path=source or origin[excerpt_id],
                        field="excerpt_id", hint="excerpt ids must be unique across all inputs; rename one")
    origin[excerpt_id] = source


__all__ = ["read_documents", "read_file", "load_excerpts", "list_files", "DOCUMENT_SUFFIXES", "TABLE_SUFFIXES"]
