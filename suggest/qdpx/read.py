"""Reading a REFI-QDA project (.qdpx): its codebook, text sources, users and coded selections.

A .qdpx is a zip holding ``project.qde`` (XML, namespace ``urn:QDA-XML:project:1.0``) and the
source files under ``sources/``. A ``TextSource`` holds its text inline (``PlainTextContent``) or
points at it (``plainTextPath``; ``internal://NAME`` is ``sources/NAME`` in the zip). Its
``PlainTextSelection``s are character spans (``startPosition`` to ``endPosition``, Unicode
characters from 0, end exclusive) carrying ``Coding``s, each referring to a code by guid. The
coder of a coding is its ``creatingUser``, else the selection's, else the source's; users are
named by ``User/@name`` (else ``@id``, else the guid).

Everything is checked before anything is returned: a selection outside its source's text, a
coding of an unknown code or a damaged zip raises a `DataError` naming the file and the element.
PDF, picture, audio and video sources are skipped and counted.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from suggest.errors import DataError

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

    from suggest.codebook import Codebook
    from suggest.corpus import Document

NS = "urn:QDA-XML:project:1.0"
OTHER_SOURCES = ("PDFSource", "PictureSource", "AudioSource", "VideoSource")
_RE_EXPORT = "export the project again from your QDA software (File > Export > REFI-QDA project)"


def _q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


@dataclass
class Selection:
    """One coding of a span of a text source by one coder."""

    source_guid: str
    start: int
    end: int
    coder: str
    code: str  # code id in the project's codebook


@dataclass
class QdaProject:
    """What `read_qdpx` found: documents (one per text source), the codebook and the codings."""

    path: Path
    name: str
    codebook: "Codebook | None"
    documents: list["Document"]
    selections: list[Selection]
    guid_of: dict[str, str] = field(default_factory=dict)  # document id -> source guid
    skipped: dict[str, int] = field(default_factory=dict)  # kind of source -> how many were skipped

    def skipped_note(self) -> str:
        """'project.qdpx: skipped 2 PDF, 1 audio source(s) (only text sources are read)', or ''."""
        if not self.skipped:
            return ""
        parts = [f"{n} {_KIND_WORDS.get(kind, kind)}" for kind, n in self.skipped.items()]
        return f"{self.path}: skipped {', '.join(parts)} source(s) (only text sources are read)"


_KIND_WORDS = {"PDFSource": "PDF", "PictureSource": "picture", "AudioSource": "audio", "VideoSource": "video",
               "TextSource without plain text": "rich-text-only"}


def read_qdpx(path: str | Path, *, parents_as_domains: bool = False, coding: bool = True) -> QdaProject:
    """Read a .qdpx project; see the module docstring. `parents_as_domains`: each top-level code with
    child codes becomes the domain of its descendants. `coding=False` reads only the sources (no
    codebook needed; `codebook` is None and `selections` empty)."""
    import zipfile

    from suggest import limits

    path = Path(path)
    if not path.is_file():
        raise DataError("file not found", path=path, hint="check the path")
    limits.check_file_size(path)
    if not zipfile.is_zipfile(path):
        raise DataError("not a REFI-QDA project: the file is not a zip archive (damaged, or not a .qdpx)",
                        path=path, hint=_RE_EXPORT)
    limits.check_archive(path)
    try:
        with zipfile.ZipFile(path) as zf:
            root = _project_root(zf, path)
            codebook, code_of = _codebook(root, path, parents_as_domains) if coding else (None, None)
            users = _users(root)
            documents, guid_of, skipped, selections = _sources(root, zf, path, code_of, users)
    except (zipfile.BadZipFile, EOFError, OSError) as exc:
        raise DataError(f"the zip archive is damaged ({exc})", path=path, hint=_RE_EXPORT) from None
    return QdaProject(path=path, name=root.get("name") or path.stem, codebook=codebook, documents=documents,
                      selections=selections, guid_of=guid_of, skipped=skipped)


def _project_root(zf, path: Path) -> "Element":
    import xml.etree.ElementTree as ET

    names = [n for n in zf.namelist() if n.lower().endswith(".qde")]
    if not names:
        raise DataError("the archive holds no project.qde", path=path, hint=_RE_EXPORT)
    try:
        root = ET.fromstring(zf.read(names[0]))
    except ET.ParseError as exc:
        raise DataError(f"{names[0]} is not well-formed XML ({exc})", path=path, hint=_RE_EXPORT) from None
    if root.tag != _q("Project"):
        raise DataError(f"{names[0]} has the root <{root.tag.rpartition('}')[2]}>, not a REFI-QDA <Project> "
                        f"in namespace '{NS}'", path=path, hint=_RE_EXPORT)
    return root


def _codebook(root: "Element", path: Path, parents_as_domains: bool) -> tuple["Codebook", dict[str, str]]:
    """The project's codebook and {code guid: code id}; the code tree is read as a .qdc would be."""
    import dataclasses
    import xml.etree.ElementTree as ET

    from suggest.codebook.qdc import NS as QDC_NS, codebook_from_element

    codes = root.find(f"{_q('CodeBook')}/{_q('Codes')}")
    if codes is None:
        raise DataError("the project has no codebook (no <CodeBook><Codes>)", path=path,
                        hint="give the codebook with --codebook, or export the project with its codes")
    book = ET.Element(f"{{{QDC_NS}}}CodeBook", origin=root.get("origin") or "")
    book.append(_retag(codes, QDC_NS))
    codebook = codebook_from_element(book, path, allow_empty_definitions=True)
    if not root.get("origin", "").startswith("suggest"):
        codebook = dataclasses.replace(codebook, name=root.get("name") or path.stem)
    codable = [el for el in codes.iter(_q("Code")) if (el.get("isCodable") or "true").lower() in ("true", "1")]
    code_of = {_guid(el.get("guid")): code.id for el, code in zip(codable, codebook.codes)}
    if parents_as_domains:
        codebook = _parents_as_domains(codes, codebook, code_of)
    return codebook, code_of


def _parents_as_domains(codes: "Element", codebook: "Codebook", code_of: dict[str, str]) -> "Codebook":
    import dataclasses

    domain_of: dict[str, str] = {}
    domains: list[str] = []
    for top in codes.findall(_q("Code")):
        below = [code_of[_guid(el.get("guid"))] for el in top.iter(_q("Code"))
                 if el is not top and _guid(el.get("guid")) in code_of]
        if below:
            name = " ".join((top.get("name") or "").split())
            domains.append(name)
            domain_of.update({cid: name for cid in below})
    if not domains:
        return codebook
    new_codes = tuple(dataclasses.replace(c, domain=domain_of.get(c.id, c.domain)) for c in codebook.codes)
    return dataclasses.replace(codebook, codes=new_codes, domains=tuple(dict.fromkeys(
        [*codebook.domains, *domains])))


def _retag(el: "Element", ns: str) -> "Element":
    import xml.etree.ElementTree as ET

    copy = ET.Element(f"{{{ns}}}{el.tag.rpartition('}')[2]}", dict(el.attrib))
    copy.text = el.text
    for child in el:
        copy.append(_retag(child, ns))
    return copy


def _guid(value: str | None) -> str:
    return (value or "").strip().strip("{}").lower()


def _users(root: "Element") -> dict[str, str]:
    users = {}
    for u in root.iter(_q("User")):
        users[_guid(u.get("guid"))] = (u.get("name") or u.get("id") or u.get("guid") or "").strip()
    return users


def _sources(root: "Element", zf, path: Path, code_of: dict[str, str], users: dict[str, str]):
    from suggest.corpus import Document
    from suggest.slug import slugify
    from suggest.transcript import is_interview

    sources = root.find(_q("Sources"))
    documents, guid_of, skipped, selections = [], {}, {}, []
    taken: set[str] = set()
    for el in list(sources) if sources is not None else []:
        kind = el.tag.rpartition("}")[2]
        if kind != "TextSource":
            if kind in OTHER_SOURCES:
                skipped[kind] = skipped.get(kind, 0) + 1
            continue
        name = el.get("name") or el.get("guid") or "source"
        where = f"TextSource '{name}'"
        text = _source_text(el, zf, path, where)
        if text is None:
            skipped["TextSource without plain text"] = skipped.get("TextSource without plain text", 0) + 1
            continue
        doc_id = slugify(Path(name).stem if "." in name[-6:] else name, "source", taken=taken)
        taken.add(doc_id)
        guid = _guid(el.get("guid"))
        guid_of[doc_id] = guid
        kind = "interview" if is_interview(text) else "text"
        documents.append(Document(document_id=doc_id, text=text, source_type=kind, path=f"{path}#{name}",
                                  metadata={"qdpx_source": name}))
        source_user = el.get("creatingUser")
        if code_of is None:
            continue
        for sel in el.findall(_q("PlainTextSelection")):
            selections.extend(_selection(sel, text, guid, source_user, code_of, users, path, where))
        for coding in el.findall(_q("Coding")):  # a coding of the whole source
            selections.append(_coding(coding, guid, 0, len(text), source_user, code_of, users, path, where))
    return documents, guid_of, skipped, selections


def _source_text(el: "Element", zf, path: Path, where: str) -> str | None:
    inline = el.find(_q("PlainTextContent"))
    if inline is not None:
        return inline.text or ""
    target = el.get("plainTextPath")
    if not target:
        return None
    member = re.sub(r"^internal://", "sources/", target.strip()) if target.startswith("internal://") else None
    names = {n.lower(): n for n in zf.namelist()}
    if member is None or member.lower() not in names:
        raise DataError(f"{where}: its text '{target}' is not inside the archive", path=path,
                        field="plainTextPath", hint=f"{_RE_EXPORT}, with the sources embedded")
    raw = zf.read(names[member.lower()])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DataError(f"{where}: its text file is not UTF-8", path=path, field="plainTextPath",
                        hint=_RE_EXPORT) from None
    return text  # as stored: selection positions count its characters, line breaks included


def _selection(sel: "Element", text: str, source_guid: str, source_user: str | None, code_of, users, path,
               where: str) -> list[Selection]:
    label = f"{where}, PlainTextSelection '{sel.get('name') or sel.get('guid')}'"
    try:
        start, end = int(sel.get("startPosition", "")), int(sel.get("endPosition", ""))
    except ValueError:
        raise DataError(f"{label}: startPosition and endPosition must be whole numbers", path=path,
                        field="startPosition", hint=_RE_EXPORT) from None
    if not 0 <= start < end <= len(text):
        raise DataError(f"{label}: characters {start} to {end} are outside the source's text "
                        f"({len(text)} characters)", path=path, field="startPosition",
                        hint="the text was changed after coding, or the file is damaged; " + _RE_EXPORT)
    user = sel.get("creatingUser") or source_user
    return [_coding(c, source_guid, start, end, user, code_of, users, path, label)
            for c in sel.findall(_q("Coding"))]


def _coding(coding: "Element", source_guid: str, start: int, end: int, user: str | None, code_of, users, path,
            where: str) -> Selection:
    ref = coding.find(_q("CodeRef"))
    target = _guid(ref.get("targetGUID") if ref is not None else "")
    if target not in code_of:
        raise DataError(f"{where}: a coding refers to code guid '{target or '(none)'}', which is not a codable "
                        "code of the project's codebook", path=path, field="CodeRef",
                        hint="the project is inconsistent; " + _RE_EXPORT)
    who = _guid(coding.get("creatingUser") or user)
    return Selection(source_guid=source_guid, start=start, end=end, coder=users.get(who) or who or "coder",
                     code=code_of[target])


def read_sources(path: Path) -> list["Document"]:
    """The text sources of a .qdpx as Documents (for `suggest batch`); other sources are counted in the log."""
    import logging

    project = read_qdpx(path, coding=False)
    if project.skipped:
        logging.getLogger(__name__).warning(project.skipped_note())
    return project.documents
