"""Malformed and hostile inputs, each given to the command that reads it.

Every case asserts: exit code 2; an error whose first line names the file and (where the
input has them) the row, field, sheet or cell; no traceback; nothing created or changed
anywhere in the case's folder (so no output appeared and the input is unchanged).
"""
from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from helpers import (BILLION_LAUGHS_DTD, docx, encrypted_office, foreign_sqlite, malicious_skops, rezip, snapshot,
                     workbook_edit, write, zip_bomb)

Case = Callable[..., object]  # (world, folder) -> (argv, hostile input[, transient suffixes]), or a generator of it
CASES: dict[str, tuple[Case, str]] = {}
ROW = r"row \d+"


def case(where: str = ""):
    """Register a case; `where`: a pattern the error's first line must also match (row, field, sheet...)."""
    def register(fn: Case) -> Case:
        CASES[fn.__name__] = (fn, where)
        return fn
    return register


# --- coded tables (suggest train) ----------------------------------------------------------------------
def train(w, d: Path, data: Path, *extra: str) -> tuple[list[str], Path]:
    cb = w.copy("codebook", d)
    return (["train", "--codebook", str(cb), "--data", str(data), "--out", str(d / "model"), "--embedder", "fake",
             "--kind", "lexical", "--no-track", "--quiet", *extra], data)


def coded_text(w) -> str:
    return w.coded.read_text(encoding="utf-8")


@case(r"row 1.*separated by semicolons")
def table_semicolon_separated(w, d):
    text = coded_text(w).splitlines()[:40]
    import csv
    import io

    rows = list(csv.reader(io.StringIO("\n".join(text))))
    out = io.StringIO()
    csv.writer(out, delimiter=";").writerows(rows)
    return train(w, d, write(d / "coded.csv", out.getvalue()))


@case(r"row 1, field 'text'.*appears 2 times")
def table_two_text_columns(w, d):
    lines = coded_text(w).splitlines()
    body = [lines[0] + ",text"] + [ln + ",other words" for ln in lines[1:]]
    return train(w, d, write(d / "coded.csv", "\n".join(body) + "\n"))


@case(r"row \d+, field 'text'.*over the limit")
def table_huge_cell(w, d):
    lines = coded_text(w).splitlines()
    lines[5] = "big1,\"" + "word " * 30_000 + "\",M1,amira,doc,email"
    return train(w, d, write(d / "coded.csv", "\n".join(lines) + "\n"))


@case(r"row \d+, field 'text'.*over the limit")
def table_cell_over_a_lowered_limit(w, d):
    return train(w, d, w.copy("coded", d), "--max-cell-chars", "50")


@case(r"field 'code'")
def table_missing_code_column(w, d):
    return train(w, d, write(d / "coded.csv", "excerpt_id,text\na,hello\nb,world\n"))


@case(ROW + r", field 'code'")
def table_unknown_code(w, d):
    lines = coded_text(w).splitlines()
    lines[3] = "odd,Some text,M99,amira,doc,email"
    return train(w, d, write(d / "coded.csv", "\n".join(lines) + "\n"))


@case(ROW + r", field 'text'")
def table_empty_text(w, d):
    lines = coded_text(w).splitlines()
    lines[4] = "blank,,M1,amira,doc,email"
    return train(w, d, write(d / "coded.csv", "\n".join(lines) + "\n"))


@case(ROW)
def table_unbalanced_quote(w, d):
    lines = coded_text(w).splitlines()
    lines[6] = 'q1,"an open quote,M1,amira,doc,email'
    lines.insert(7, 'x2,another,"M1",amira,"doc",email,extra,"more')
    return train(w, d, write(d / "coded.csv", "\n".join(lines) + "\n"))


@case(r"not UTF-8")
def table_latin1(w, d):
    return train(w, d, write(d / "coded.csv", "excerpt_id,text,code\na,caf\xe9 \xa3 5,M1\n".encode("latin-1")))


@case(r"cannot read the table")
def table_csv_renamed_xlsx(w, d):
    return train(w, d, write(d / "coded.xlsx", coded_text(w)))


@case(r"cannot read the table")
def table_encrypted_xlsx(w, d):
    return train(w, d, encrypted_office(d / "coded.xlsx"))


@case(r"expands to")
def table_xlsx_zip_bomb(w, d):
    import pandas as pd

    src = d / "src.xlsx"
    pd.read_csv(w.coded, dtype=str, keep_default_na=False).to_excel(src, index=False)
    bomb = zip_bomb(src, d / "coded.xlsx", "xl/worksheets/sheet1.xml")
    src.unlink()
    return train(w, d, bomb, "--max-archive-mb", "5")


@case(r"row 1, field 'text'")
def table_xlsx_two_text_columns(w, d):
    import pandas as pd

    df = pd.DataFrame([["a", "one", "M1", "two"], ["b", "three", "M2", "four"]])
    df.columns = ["excerpt_id", "text", "code", "text"]
    df.to_excel(d / "coded.xlsx", index=False)
    return train(w, d, d / "coded.xlsx")


@case(r"the file is empty")
def table_zero_bytes(w, d):
    return train(w, d, write(d / "coded.csv", b""))


@case(r"header but no rows")
def table_header_only(w, d):
    return train(w, d, write(d / "coded.csv", "excerpt_id,text,code\n"))


@case(ROW + r", field 'text'")
def table_same_id_two_texts(w, d):
    lines = coded_text(w).splitlines()
    eid = lines[1].split(",")[0]
    lines.append(f"{eid},A different text,M1,amira,doc,email")
    return train(w, d, write(d / "coded.csv", "\n".join(lines) + "\n"))


@case(r"field 'words'")
def table_wide_without_text_column(w, d):
    data = write(d / "wide.csv", "id,notes,A,B\n1,hello,1,0\n2,world,0,1\n")
    return (["train", "--data", str(data), "--format", "wide", "--text-column", "words", "--codes-after", "notes",
             "--out", str(d / "model"), "--embedder", "fake", "--no-track"], data)


@case(r"file is \d+\.\d MB, over the limit")
def table_file_over_document_limit(w, d):
    return train(w, d, w.copy("coded", d), "--max-document-mb", "0.005")


@case(r"(not UTF-8|malformed|cannot read)")
def table_binary_garbage(w, d):
    return train(w, d, write(d / "coded.csv", bytes(range(256)) * 40))


# --- codebooks (suggest codebook) ----------------------------------------------------------------------
def codebook(path: Path) -> tuple[list[str], Path]:
    return ["codebook", str(path)], path


@case(ROW)
def yaml_bad_indentation(w, d):
    return codebook(write(d / "cb.yaml", "name: x\ncodes:\n  - id: A\n   name: bad\n  definition: [\n"))


@case(r"")
def yaml_alias_bomb(w, d):
    lines = ["name: bomb", "a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    lines.append("codes: *a8")
    return codebook(write(d / "cb.yaml", "\n".join(lines) + "\n"))


@case(r"")
def yaml_python_object_tag(w, d):
    return codebook(write(d / "cb.yaml", "name: x\ncodes: !!python/object/apply:os.system ['touch pwned']\n"))


@case(r"")
def yaml_duplicate_code_ids(w, d):
    return codebook(write(d / "cb.yaml", "name: x\ncodes:\n  - {id: A, name: a, definition: one}\n"
                                         "  - {id: A, name: b, definition: two}\n"))


@case(r"")
def yaml_codes_not_a_list(w, d):
    return codebook(write(d / "cb.yaml", "name: x\ncodes: just words\n"))


@case(r"")
def yaml_empty(w, d):
    return codebook(write(d / "cb.yaml", ""))


@case(r"not UTF-8")
def yaml_latin1(w, d):
    return codebook(write(d / "cb.yaml", "name: caf\xe9\ncodes: []\n".encode("latin-1")))


@case(r"over the limit")
def yaml_over_size_limit(w, d):
    path = w.copy("codebook", d)
    return ["codebook", str(path), "--max-document-mb", "0.0005"], path


QDC_HEAD = '<?xml version="1.0" encoding="utf-8"?>\n'
QDC_NS = "urn:QDA-XML:codebook:1.0"


@case(r"")
def qdc_billion_laughs(w, d):
    body = f'{BILLION_LAUGHS_DTD}<CodeBook xmlns="{QDC_NS}"><Codes><Code guid="1" name="&lol9;"/></Codes></CodeBook>'
    return codebook(write(d / "cb.qdc", QDC_HEAD + body))


@case(r"")
def qdc_external_entity(w, d):
    body = (f'<!DOCTYPE c [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><CodeBook xmlns="{QDC_NS}"><Codes>'
            '<Code guid="1" name="&xxe;" isCodable="true"/></Codes></CodeBook>')
    return codebook(write(d / "cb.qdc", QDC_HEAD + body))


@case(r"")
def qdc_external_dtd_entity(w, d):
    body = (f'<!DOCTYPE CodeBook SYSTEM "http://example.invalid/evil.dtd"><CodeBook xmlns="{QDC_NS}"><Codes>'
            '<Code guid="1" name="&evil;" isCodable="true"/></Codes></CodeBook>')
    return codebook(write(d / "cb.qdc", QDC_HEAD + body))


@case(r"line \d+")
def qdc_not_well_formed(w, d):
    return codebook(write(d / "cb.qdc", QDC_HEAD + f'<CodeBook xmlns="{QDC_NS}"><Codes><Code></Codes>'))


@case(r"root element")
def qdc_wrong_root(w, d):
    return codebook(write(d / "cb.qdc", QDC_HEAD + '<Project xmlns="urn:QDA-XML:project:1.0"/>'))


@case(r"")
def qdc_binary(w, d):
    return codebook(write(d / "cb.qdc", bytes(range(256)) * 10))


# --- documents (suggest batch) -------------------------------------------------------------------------
def batch(w, d: Path, *inputs: Path, extra: tuple[str, ...] = ()) -> tuple[list[str], Path]:
    return (["batch", "--model", str(w.model), *map(str, inputs), "--out", str(d / "out.csv"),
             "--out", str(d / "out.xlsx"), "--quiet", *extra], inputs[0])


@case(r"no From, To, Subject")
def eml_not_an_email(w, d):
    return batch(w, d, write(d / "note.eml", "just some words\nand more\n"))


@case(r"truncated or damaged")
def eml_missing_mime_boundary(w, d):
    return batch(w, d, write(d / "cut.eml", 'From: a@b.org\nTo: c@d.org\nSubject: x\nMIME-Version: 1.0\n'
                                            'Content-Type: multipart/mixed; boundary="XYZ"\n\n--XYZ\n'
                                            'Content-Type: text/plain\n\nHello\n'))


@case(r"cannot be decoded")
def eml_undecodable_charset(w, d):
    return batch(w, d, write(d / "bad.eml", b"From: a@b.org\nTo: c@d.org\nSubject: x\n"
                                            b"Content-Type: text/plain; charset=utf-8\n"
                                            b"Content-Transfer-Encoding: 8bit\n\n\xff\xfe\xfa broken\n"))


@case(r"over the limit")
def eml_over_size_limit(w, d):
    body = "From: a@b.org\nTo: c@d.org\nSubject: big\n\n" + "All fine here. " * 20_000
    return batch(w, d, write(d / "big.eml", body), extra=("--max-document-mb", "0.1"))


@case(r"")
def mbox_without_messages(w, d):
    return batch(w, d, write(d / "empty.mbox", "this is not an mbox\n"))


@case(r"over the limit")
def txt_over_size_limit(w, d):
    return batch(w, d, write(d / "big.txt", "word " * 50_000), extra=("--max-document-mb", "0.1"))


@case(r"expands to .* over the limit")
def docx_decompression_bomb(w, d):
    src = docx(d / "src.docx", ["A mentoring record."])
    bomb = zip_bomb(src, d / "bomb.docx", "word/document.xml", mb=12)
    src.unlink()
    return batch(w, d, bomb, extra=("--max-archive-mb", "5"))


@case(r"expands to .* over the limit")
def docx_bomb_over_default_limit(w, d):
    src = docx(d / "src.docx", ["A mentoring record."])
    bomb = zip_bomb(src, d / "bomb.docx", "word/document.xml", mb=210)
    src.unlink()
    return batch(w, d, bomb)


@case(r"password-protected")
def docx_encrypted(w, d):
    return batch(w, d, encrypted_office(d / "secret.docx"))


@case(r"not a Word .docx")
def docx_old_doc_format(w, d):
    return batch(w, d, write(d / "old.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 3000))


@case(r"not a Word .docx")
def docx_without_document_part(w, d):
    src = docx(d / "src.docx", ["Hello."])
    out = rezip(src, d / "hollow.docx", {}, drop=("word/document.xml",))
    src.unlink()
    return batch(w, d, out)


@case(r"not a Word .docx")
def docx_truncated(w, d):
    src = docx(d / "src.docx", ["Hello there, this is a record form."] * 20)
    data = src.read_bytes()
    src.unlink()
    return batch(w, d, write(d / "cut.docx", data[: len(data) // 2]))


@case(r"")
def docx_malformed_xml(w, d):
    src = docx(d / "src.docx", ["Hello."])
    out = rezip(src, d / "broken.docx", {"word/document.xml": b"<w:document><w:body><w:p>"})
    src.unlink()
    return batch(w, d, out)


@case(r"")
def docx_billion_laughs(w, d):
    src = docx(d / "src.docx", ["Hello."])
    xml = ('<?xml version="1.0"?>' + BILLION_LAUGHS_DTD.replace("lolz", "w:document") +
           '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r>'
           '<w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>')
    out = rezip(src, d / "laughs.docx", {"word/document.xml": xml.encode()})
    src.unlink()
    return batch(w, d, out)


@case(r"field 'excerpt_id'")
def excerpt_table_without_id(w, d):
    return batch(w, d, write(d / "ex.csv", "text\nhello\nworld\n"))


@case(r"row \d+, field 'text'.*over the limit")
def excerpt_table_huge_cell(w, d):
    return batch(w, d, write(d / "ex.csv", "excerpt_id,text\na,hello\nb," + "x" * 200_000 + "\n"))


@case(r"row 1.*separated by semicolons")
def excerpt_table_semicolons(w, d):
    return batch(w, d, write(d / "ex.csv", "excerpt_id;text\na;hello, there\nb;world, again\n"))


# --- model folders (suggest batch --model) ---------------------------------------------------------------
def with_model(w, d: Path, change: Callable[[Path], object], remanifest: bool = True) -> tuple[list[str], Path]:
    from suggest.model_files import write_manifest

    model = w.copy("model", d)
    change(model)
    if remanifest and (model / "manifest.json").exists():
        write_manifest(model)  # as a careful attacker would: the type and content checks must still hold
    text = write(d / "in.txt", "Could you check my letter to the employer?\n")
    return (["batch", "--model", str(model), str(text), "--out", str(d / "out.csv"), "--quiet"], model)


@case(r"classifier.skops.*does not allow: builtins.exec")
def model_skops_calls_exec(w, d):
    marker = d.parent / f"{d.name}-pwned"
    args = with_model(w, d, lambda m: malicious_skops(m / "classifier.skops", marker))
    yield args
    assert not marker.exists(), "the tampered classifier ran code"


@case(r"classifier.skops.*changed or damaged")
def model_skops_replaced_without_manifest(w, d):
    marker = d.parent / f"{d.name}-pwned"
    return with_model(w, d, lambda m: malicious_skops(m / "classifier.skops", marker), remanifest=False)


@case(r"classifier.skops.*not a readable skops file")
def model_skops_truncated(w, d):
    def cut(m):
        data = (m / "classifier.skops").read_bytes()
        (m / "classifier.skops").write_bytes(data[: len(data) // 2])
    return with_model(w, d, cut)


@case(r"classifier.skops.*changed or damaged")
def model_skops_truncated_without_manifest(w, d):
    def cut(m):
        data = (m / "classifier.skops").read_bytes()
        (m / "classifier.skops").write_bytes(data[:100])
    return with_model(w, d, cut, remanifest=False)


@case(r"classifier.skops.*not a readable skops file")
def model_pickle_renamed_skops(w, d):
    import pickle

    return with_model(w, d, lambda m: (m / "classifier.skops").write_bytes(pickle.dumps({"a": 1})))


@case(r"training_excerpts.csv is missing")
def model_without_training_excerpts(w, d):
    return with_model(w, d, lambda m: (m / "training_excerpts.csv").unlink())


@case(r"evidence.npz cannot be read")
def model_corrupt_evidence(w, d):
    return with_model(w, d, lambda m: (m / "evidence.npz").write_bytes(b"PK\x03\x04 not really"))


@case(r"evidence.npz cannot be read")
def model_evidence_with_pickled_objects(w, d):
    import numpy as np

    return with_model(w, d, lambda m: np.savez(m / "evidence.npz", Y=np.array([{"a": 1}], dtype=object),
                                               E=np.zeros((1, 2))))


@case(r"evidence.npz.*does not fit")
def model_evidence_wrong_shape(w, d):
    import numpy as np

    return with_model(w, d, lambda m: np.savez(m / "evidence.npz", Y=np.zeros((3, 2), np.int8),
                                               E=np.zeros((3, 4), np.float16)))


@case(r"config.json, field 'thresholds'")
def model_thresholds_shorter_than_codebook(w, d):
    def cut(m):
        cfg = json.loads((m / "config.json").read_text())
        cfg["thresholds"] = cfg["thresholds"][:3]
        (m / "config.json").write_text(json.dumps(cfg))
    return with_model(w, d, cut)


@case(r"config.json is corrupt")
def model_config_corrupt(w, d):
    return with_model(w, d, lambda m: (m / "config.json").write_text("{not json"))


@case(r"model format 99")
def model_from_the_future(w, d):
    def bump(m):
        cfg = json.loads((m / "config.json").read_text())
        cfg["format_version"] = 99
        (m / "config.json").write_text(json.dumps(cfg))
    return with_model(w, d, bump)


@case(r"manifest.json is missing")
def model_without_manifest(w, d):
    return with_model(w, d, lambda m: (m / "manifest.json").unlink())


@case(r"manifest.json is corrupt")
def model_manifest_corrupt(w, d):
    return with_model(w, d, lambda m: (m / "manifest.json").write_text("[1, 2"), remanifest=False)


@case(r"unexpected file 'extra.py'")
def model_with_an_extra_file(w, d):
    return with_model(w, d, lambda m: (m / "extra.py").write_text("print('hi')"), remanifest=False)


@case(r"does not match the hash")
def model_codebook_edited(w, d):
    def edit(m):
        cb = m / "codebook.yaml"
        cb.write_text(cb.read_text().replace("Trial set-up", "Trial setup"))
    return with_model(w, d, edit)


@case(r"encoder.json is corrupt")
def model_encoder_spec_corrupt(w, d):
    return with_model(w, d, lambda m: (m / "encoder.json").write_text("{{"))


@case(r"no config.json")
def model_is_an_empty_folder(w, d):
    (d / "model").mkdir()
    text = write(d / "in.txt", "Could you check my letter to the employer before Friday?\n")
    return ["batch", "--model", str(d / "model"), str(text), "--out", str(d / "out.csv"), "--quiet"], d / "model"


# --- project files (export, import, batch --project) --------------------------------------------------
def export(d: Path, project: Path) -> tuple[list[str], Path]:
    return ["export", "--project", str(project), "--xlsx", str(d / "out.xlsx"), "--csv", str(d / "out.csv")], project


@case(r"empty \(0 bytes\)")
def project_zero_bytes(w, d):
    return export(d, write(d / "p.sqlite", b""))


@case(r"empty \(0 bytes\)")
def project_zero_bytes_given_to_batch(w, d):
    project = write(d / "p.sqlite", b"")
    args, _ = batch(w, d, w.copy("excerpts", d), extra=("--project", str(project)))
    return args, project


@case(r"not an SQLite database")
def project_text_file(w, d):
    return export(d, write(d / "p.sqlite", "name,value\nx,1\n"))


@case(r"not a suggest project \(it holds tables patients\)")
def project_foreign_sqlite(w, d):
    return export(d, foreign_sqlite(d / "p.sqlite"))


@case(r"not a suggest project")
def project_foreign_sqlite_given_to_batch(w, d):
    project = foreign_sqlite(d / "p.sqlite")
    args, _ = batch(w, d, w.copy("excerpts", d), extra=("--project", str(project)))
    yield args, project
    mode = sqlite3.connect(project).execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "delete", "the foreign database was switched to WAL mode"


@case(r"folder, not a project file")
def project_is_a_folder(w, d):
    (d / "p.sqlite").mkdir()
    return export(d, d / "p.sqlite")


@case(r"newer suggest")
def project_from_the_future(w, d):
    project = w.copy("project", d)
    conn = sqlite3.connect(project)
    conn.execute("UPDATE schema_info SET value = '99' WHERE key = 'schema_version'")
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    for leftover in d.glob("*-wal"), d.glob("*-shm"):
        for p in leftover:
            p.unlink()
    return export(d, project)


@case(r"field 'codebook'")
def project_of_another_codebook_given_to_batch(w, d):
    import yaml

    from suggest.model_files import write_manifest

    model = w.copy("model", d)
    cb = yaml.safe_load((model / "codebook.yaml").read_text())
    cb["version"] = "2"
    (model / "codebook.yaml").write_text(yaml.safe_dump(cb))
    from suggest.codebook import Codebook

    cfg = json.loads((model / "config.json").read_text())
    cfg["codebook_hash"] = Codebook.from_yaml(model / "codebook.yaml").hash
    (model / "config.json").write_text(json.dumps(cfg))
    write_manifest(model)
    project = w.copy("project", d)
    return (["batch", "--model", str(model), str(w.copy("excerpts", d)), "--out", str(d / "s.csv"),
             "--out", str(d / "s.xlsx"), "--project", str(project), "--quiet"], project)


@case(r"refused the change|database is locked|cannot open")
def project_locked_given_to_batch(w, d):
    project = w.copy("project", d)
    holder = sqlite3.connect(project, isolation_level=None)
    holder.execute("PRAGMA journal_mode=WAL")
    holder.execute("BEGIN EXCLUSIVE")
    os.environ["SUGGEST_LOCK_TIMEOUT"] = "0.5"
    try:
        args, _ = batch(w, d, w.copy("excerpts", d), extra=("--project", str(project), "--again"))
        yield args, project, ("-wal", "-shm")
    finally:
        del os.environ["SUGGEST_LOCK_TIMEOUT"]
        holder.execute("ROLLBACK")
        holder.close()


# --- review workbooks (suggest import) ----------------------------------------------------------------
def import_(w, d: Path, workbook: Path) -> tuple[list[str], Path, tuple[str, ...]]:
    project = w.copy("project", d)
    return ["import", "--project", str(project), "--coder", "amira", str(workbook)], workbook, ("-wal", "-shm")


@case(r"row 2, field 'Review!I'.*formula")
def workbook_formula_in_decision(w, d):
    return import_(w, d, workbook_edit(w.workbook, d / "wb.xlsx", {"I2": '=IF(1,"accept","reject")'}))


@case(r"row 2, field 'Review!I'")
def workbook_unknown_decision(w, d):
    return import_(w, d, workbook_edit(w.workbook, d / "wb.xlsx", {"I2": "maybe"}))


@case(r"row 3, field 'Review!E'")
def workbook_edited_excerpt(w, d):
    return import_(w, d, workbook_edit(w.workbook, d / "wb.xlsx", {"E3": "Someone changed this text"}))


@case(r"row 2, field 'Review!A'")
def workbook_unknown_excerpt_id(w, d):
    return import_(w, d, workbook_edit(w.workbook, d / "wb.xlsx", {"A2": "not-an-id"}))


@case(r"row 2, field 'Review!J'")
def workbook_unknown_missed_code(w, d):
    return import_(w, d, workbook_edit(w.workbook, d / "wb.xlsx", {"J2": "Q42"}))


@case(r"row 2, field 'Review!J'.*formula")
def workbook_formula_in_missed_codes(w, d):
    return import_(w, d, workbook_edit(w.workbook, d / "wb.xlsx", {"J2": '=HYPERLINK("http://x.invalid","M1")'}))


@case(r"field 'sheet'")
def workbook_without_review_sheet(w, d):
    return import_(w, d, workbook_edit(w.workbook, d / "wb.xlsx", {}, rename_sheet="Mine"))


@case(r"row 1, field 'Decision'")
def workbook_without_decision_column(w, d):
    return import_(w, d, workbook_edit(w.workbook, d / "wb.xlsx", {}, delete_col=9))


@case(r"cannot read the workbook")
def workbook_csv_renamed_xlsx(w, d):
    return import_(w, d, write(d / "wb.xlsx", "excerpt_id,Decision\nx0,accept\n"))


@case(r"expands to")
def workbook_zip_bomb(w, d):
    bomb = zip_bomb(w.workbook, d / "wb.xlsx", "xl/worksheets/sheet1.xml")
    args, wb, extra = import_(w, d, bomb)
    return [*args, "--max-archive-mb", "5"], wb, extra


# --- model output folders (suggest train --out) ---------------------------------------------------------
@case(r"not empty and is not a model folder")
def out_folder_with_a_thesis(w, d):
    (d / "thesis").mkdir()
    write(d / "thesis" / "ch1.docx", "my chapter")
    args, _ = train(w, d, w.copy("coded", d))
    args[args.index("--out") + 1] = str(d / "thesis")
    return args, d / "thesis"


@case(r"exists and is not a folder")
def out_is_an_existing_file(w, d):
    write(d / "model", "precious")
    args, _ = train(w, d, w.copy("coded", d))
    return args, d / "model"


# --- the runner ----------------------------------------------------------------------------------------
def _ignored(rel: str, suffixes: tuple[str, ...]) -> bool:
    return rel.endswith(suffixes)


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_input_is_refused_cleanly(name, world, tmp_path, capsys):
    from suggest.cli import main

    fn, where = CASES[name]
    d = tmp_path / "case"
    d.mkdir()
    made = fn(world, d)
    gen = made if hasattr(made, "__next__") else None
    made = next(gen) if gen else made
    argv, bad, transient = (*made, ())[:3]
    capsys.readouterr()
    before = snapshot(d)
    rc = main(argv)
    err = capsys.readouterr().err
    after = snapshot(d)
    if gen:
        with pytest.raises(StopIteration):
            next(gen)
    assert rc == 2, err
    assert "Traceback" not in err
    lines = err.rstrip("\n").splitlines()
    assert lines[0].startswith("error: "), err
    assert all(line.startswith("  ") for line in lines[1:]), err
    assert bad.name in lines[0], err
    assert re.search(where, err, re.DOTALL), err
    changed = {k for k in before.keys() | after.keys()
               if before.get(k) != after.get(k) and not _ignored(k, tuple(transient))}
    assert not changed, f"created or changed: {sorted(changed)}"


def test_there_are_at_least_60_cases():
    assert len(CASES) >= 60
