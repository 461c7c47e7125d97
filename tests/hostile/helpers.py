"""Makers of malformed and hostile files for the hostile-input suite."""
from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import zipfile
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class World:
    root: Path
    codebook: Path
    coded: Path
    model: Path
    excerpts: Path
    project: Path
    workbook: Path

    def copy(self, name: str, dest: Path) -> Path:
        """A copy of one of the world's files or folders in `dest`."""
        src = getattr(self, name)
        target = dest / src.name
        if src.is_dir():
            shutil.copytree(src, target)
        else:
            shutil.copy2(src, target)
        return target


def snapshot(folder: Path) -> dict[str, tuple[int, str, int]]:
    """Every file and folder under `folder`: size, SHA-256 and modification time."""
    out = {}
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder).as_posix()
        if p.is_dir():
            out[rel + "/"] = (0, "", 0)
        else:
            out[rel] = (p.stat().st_size, hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
    return out


OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
BILLION_LAUGHS_DTD = ('<!DOCTYPE lolz [<!ENTITY lol "lol">'
                      + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
                                for i in range(1, 10)) + "]>")


def write(path: Path, data: str | bytes) -> Path:
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


def docx(path: Path, paragraphs: list[str]) -> Path:
    import docx as python_docx

    doc = python_docx.Document()
    for p in paragraphs:
        doc.add_paragraph(p)
    doc.save(str(path))
    return path


def rezip(src: Path, dest: Path, replace: dict[str, bytes], drop: tuple[str, ...] = ()) -> Path:
    """A copy of a zip file with some members replaced or dropped."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            if item.filename in drop:
                continue
            zout.writestr(item.filename, replace.get(item.filename, zin.read(item.filename)))
    return dest


def zip_bomb(src: Path, dest: Path, member: str, mb: int = 12) -> Path:
    """`src` with `member` padded to `mb` MB of XML whitespace (compresses ~1000:1)."""
    with zipfile.ZipFile(src) as zin:
        body = zin.read(member)
    head, _, tail = body.partition(b"?>")
    padded = head + b"?>" + b" " * (mb * 1_000_000) + tail if tail else body + b" " * (mb * 1_000_000)
    return rezip(src, dest, {member: padded})


def encrypted_office(path: Path) -> Path:
    """What Word saves for a password-protected document: an OLE file with an EncryptedPackage stream."""
    return write(path, OLE_MAGIC + b"\x00" * 504 + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 2000)


def malicious_skops(path: Path, marker: Path) -> Path:
    """A skops file whose reduce node calls builtins.exec (writes `marker` if ever loaded)."""
    code = json.dumps(f"open({str(marker)!r}, 'w').write('pwned')")
    tree = {"__class__": "exec", "__module__": "builtins", "__loader__": "ConstructorFromReduceNode", "__id__": 1,
            "content": {"__class__": "tuple", "__module__": "builtins", "__loader__": "TupleNode", "__id__": 2,
                        "content": [{"__class__": "str", "__module__": "builtins", "__loader__": "JsonNode",
                                     "content": code, "is_json": True, "__id__": 3}]},
            "protocol": 2, "_skops_version": "0.16.0"}
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("schema.json", json.dumps(tree))
    return path


def foreign_sqlite(path: Path) -> Path:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE patients (id INTEGER, name TEXT)")
    conn.execute("INSERT INTO patients VALUES (1, 'someone')")
    conn.commit()
    conn.close()
    return path


def workbook_edit(src: Path, dest: Path, edits: dict[str, object], sheet: str = "Review",
                  delete_col: int | None = None, rename_sheet: str | None = None) -> Path:
    from openpyxl import load_workbook

    wb = load_workbook(src)
    ws = wb[sheet]
    for ref, value in edits.items():
        ws[ref] = value
    if delete_col:
        ws.delete_cols(delete_col)
    if rename_sheet:
        ws.title = rename_sheet
    wb.save(dest)
    return dest
