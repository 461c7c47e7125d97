"""Writing a project's reviewed coding as a REFI-QDA project (.qdpx) for NVivo, ATLAS.ti, MAXQDA, QualCoder.

The archive holds ``project.qde`` and one UTF-8 text file per document under ``sources/``
(``plainTextPath="internal://<guid>.txt"``). The codebook is written as `suggest codebook --export`
writes a .qdc (domains and groups become parent codes; guids derive from codebook name and code
id, so reading the project back recovers the ids). Each coder is a ``User``; each excerpt a coder
reviewed becomes a ``PlainTextSelection`` at the excerpt's character offsets in its document, with
one ``Coding`` per code the coder accepted or added. With suggestions, the model is one more user
(``model:<version>``) whose selections carry the latest batch's suggested codes. Coders' current
memos become ``Note``s (plain text content), referenced from the coder's selection of the excerpt
(or, where the coder coded nothing there, from the document).
Excerpts read from a table come without their document: they are joined, in project order, into
one text source per (stub) document, blank line between excerpts.
"""
from __future__ import annotations

import uuid
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from suggest.store import Store

NS = "urn:QDA-XML:project:1.0"
_GUID_NS = uuid.uuid5(uuid.NAMESPACE_URL, "urn:suggest:qdpx")


def _guid(*parts: str) -> str:
    return str(uuid.uuid5(_GUID_NS, "\x1f".join(parts)))


def export_qdpx(store: "Store", path: str | Path, *, include_suggestions: bool = False,
                coder: str | None = None) -> tuple[Path, dict]:
    """Write the project as a .qdpx (atomically); returns (path, counts)."""
    from suggest.output import check_output_file

    path = check_output_file(path, (".qdpx",))
    snap = store.snapshot(coder, text=True)
    documents = _documents(store, snap)
    codings: dict[str, list[tuple[str, list[str]]]] = {}  # user name -> [(excerpt id, codes)]
    for name in ([coder] if coder else snap.coders):
        reviewed = snap.reviewed(name)
        codings[name] = [(eid, codes) for eid, codes in reviewed.items() if codes]
    if include_suggestions:
        by_model: dict[str, list[tuple[str, list[str]]]] = {}
        for ex in snap.excerpts:
            sugg = snap.suggestions.get(ex["id"], [])
            if sugg:
                by_model.setdefault(f"model:{ex['model_version']}", []).append((ex["id"], [s["code"] for s in sugg]))
        codings.update(by_model)
    known = {ex["id"] for ex in snap.excerpts}
    memos = [m for m in store.memos(coder) if m["excerpt_id"] in known]
    xml = project_xml(store.where, snap.codebook, documents, snap.excerpts, codings, memos)
    _write_zip(path, xml, documents)
    return path, {"documents": len(documents), "users": len(codings),
                  "selections": sum(len(v) for v in codings.values()), "memos": len(memos)}


def _documents(store: "Store", snap) -> dict[str, dict]:
    """{document id: {"text", "offsets": {excerpt id: (start, end)}}} for documents with excerpts in a batch."""
    from sqlalchemy import select

    from suggest.store import schema as t

    ids = list(dict.fromkeys(ex["document_id"] for ex in snap.excerpts))
    with store.engine.connect() as conn:
        texts = dict(conn.execute(select(t.documents.c.id, t.documents.c.text)
                                  .where(t.documents.c.id.in_(ids))).all()) if ids else {}
    docs: dict[str, dict] = {}
    for ex in snap.excerpts:
        doc = docs.setdefault(ex["document_id"], {"text": texts.get(ex["document_id"]), "offsets": {}, "parts": []})
        if doc["text"] is not None:
            doc["offsets"][ex["id"]] = (int(ex["start_offset"]), int(ex["end_offset"]))
        else:  # a stub: build the text from its excerpts
            start = sum(len(p) + 2 for p in doc["parts"])
            doc["parts"].append(ex["text"])
            doc["offsets"][ex["id"]] = (start, start + len(ex["text"]))
    for doc in docs.values():
        if doc["text"] is None:
            doc["text"] = "\n\n".join(doc["parts"])
    return docs


def project_xml(where: str, codebook, documents: dict[str, dict], excerpts: list[dict],
                codings: dict[str, list[tuple[str, list[str]]]], memos: list[dict] | None = None) -> bytes:
    """The ``project.qde`` document as UTF-8 bytes; `memos`: rows of `Store.memos` (coder, excerpt_id,
    code, text, written_at)."""
    import datetime as dt
    import xml.etree.ElementTree as ET

    from suggest.codebook.qdc import add_codes, code_guid, origin_of

    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    root = ET.Element("Project", {"xmlns": NS, "name": Path(where).stem or "suggest project",
                                  "origin": origin_of(codebook), "creationDateTime": now})
    users = ET.SubElement(root, "Users")
    memos = memos or []
    user_guid = {name: _guid("user", name) for name in [*codings, *(m["coder"] for m in memos)]}
    for name, guid in user_guid.items():
        ET.SubElement(users, "User", guid=guid, name=name)
    add_codes(ET.SubElement(ET.SubElement(root, "CodeBook"), "Codes"), codebook, Path(where))
    doc_of = {ex["id"]: ex["document_id"] for ex in excerpts}
    per_doc: dict[str, list[tuple[str, str, list[str]]]] = {}
    for name, items in codings.items():
        for eid, codes in items:
            per_doc.setdefault(doc_of[eid], []).append((name, eid, codes))
    notes_at: dict[tuple[str, str], list[str]] = {}  # (coder, excerpt) -> note guids
    for m in memos:
        notes_at.setdefault((m["coder"], m["excerpt_id"]), []).append(_guid("memo", str(m["id"])))
    sources = ET.SubElement(root, "Sources")
    for doc_id, doc in documents.items():
        guid = _guid("source", doc_id)
        src = ET.SubElement(sources, "TextSource", guid=guid, name=doc_id,
                            plainTextPath=f"internal://{guid}.txt", creationDateTime=now)
        for name, eid, codes in per_doc.get(doc_id, []):
            start, end = doc["offsets"][eid]
            sel = ET.SubElement(src, "PlainTextSelection", guid=_guid("selection", name, eid), name=eid,
                                startPosition=str(start), endPosition=str(end), creatingUser=user_guid[name],
                                creationDateTime=now)
            for code in codes:
                coding = ET.SubElement(sel, "Coding", guid=_guid("coding", name, eid, code),
                                       creatingUser=user_guid[name], creationDateTime=now)
                ET.SubElement(coding, "CodeRef", targetGUID=code_guid(codebook.name, code))
            for note in notes_at.pop((name, eid), []):
                ET.SubElement(sel, "NoteRef", targetGUID=note)
        for name, eid in list(notes_at):  # memos where the coder has no selection
            if doc_of.get(eid) == doc_id:
                for note in notes_at.pop((name, eid)):
                    ET.SubElement(src, "NoteRef", targetGUID=note)
    if memos:
        notes = ET.SubElement(root, "Notes")
        for m in memos:
            on = f"{m['excerpt_id']}" + (f", code {m['code']}" if m["code"] else "")
            note = ET.SubElement(notes, "Note", guid=_guid("memo", str(m["id"])), name=f"Memo by {m['coder']} on {on}",
                                 creatingUser=user_guid[m["coder"]], creationDateTime=_xml_time(m["written_at"]))
            ET.SubElement(note, "PlainTextContent").text = m["text"]
    ET.indent(root)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n").encode("utf-8")


def _xml_time(iso: str) -> str:
    """An ISO 8601 time from the store as xsd:dateTime in UTC, whole seconds."""
    import datetime as dt

    t = dt.datetime.fromisoformat(iso).astimezone(dt.timezone.utc).replace(microsecond=0)
    return t.isoformat().replace("+00:00", "Z")


def _write_zip(path: Path, xml: bytes, documents: dict[str, dict]) -> None:
    import zipfile

    from suggest.output import atomic_path

    with atomic_path(path) as tmp:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("project.qde", xml)
            for doc_id, doc in documents.items():
                zf.writestr(f"sources/{_guid('source', doc_id)}.txt", doc["text"].encode("utf-8"))
