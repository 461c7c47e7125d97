"""`suggest batch --pseudonymise` end to end: no planted identifier in any file the pipeline writes but the key.

Emails (headers too), a Word form, a text note and a table of excerpts go through batch (with a
project), review decisions, every export (.xlsx, .csv, .qdpx with suggestions) and training on the
project with MLflow tracking; then every file under the work folder, zip members included, is
searched for the originals.
"""
from __future__ import annotations

import zipfile
from email.message import EmailMessage
from pathlib import Path

import pytest

from suggest.cli import main
from suggest.store import Store
from test_review_support import CODEBOOK, coded_long, model_dir

PLANTED = ["Ottoline", "Quartermaine", "Zebedee", "Fairbrass", "Marguerite", "Penhallow",
           "o.quartermaine@wyvern-trust.example", "z.fairbrass@wyvern-trust.example", "m.penhallow@wyvern-trust.example",
           "943 476 5919", "4505577104", "07700 900417", "01632 960418", "0113 496 0419", "14/03/1961", "2 June 1957",
           "27 Larch Road", "LS6 2AB", "BD7 1DP"]


def write_inbox(inbox: Path) -> list[Path]:
    import docx

    inbox.mkdir()
    msg = EmailMessage()
    msg["From"] = "Ottoline Quartermaine <o.quartermaine@wyvern-trust.example>"
    msg["To"] = "Zebedee Fairbrass <z.fairbrass@wyvern-trust.example>"
    msg["Cc"] = "Marguerite Penhallow <m.penhallow@wyvern-trust.example>"
    msg["Subject"] = "Zebedee's plan for the employer meeting"
    msg["Date"] = "Tue, 05 Mar 2019 10:00:00 +0000"
    msg.set_content("Hi Zebedee,\n\nI met Mrs Penhallow yesterday about going back to work at the bakery.\n"
                    "Her NHS number is 943 476 5919 and her date of birth is 14/03/1961.\n"
                    "She lives at 27 Larch Road, Leeds LS6 2AB. Could you call her on\n"
                    "07700 900417 to plan the phased return with the employer?\n\n"
                    "The ROC trial team will send the leaflet.\n\nBest wishes,\nOttoline\n")
    (inbox / "email-01.eml").write_bytes(bytes(msg))
    form = docx.Document()
    for line in ["Mentoring record form", "Mentee name: Marguerite Penhallow", "NHS number: 4505577104",
                 "Date of birth: 2 June 1957", "Telephone: 01632 960418", "Address: 14 Mill Lane, Bradford BD7 1DP",
                 "What was discussed: Marguerite talked about the hours her employer offered and felt the mentor "
                 "understood her worries about fatigue. Ottoline will phone the occupational health team."]:
        form.add_paragraph(line)
    form.save(str(inbox / "form-01.docx"))
    (inbox / "note-01.txt").write_text("Zebedee Fairbrass rang from 0113 496 0419: the employer agreed to shorter "
                                       "shifts for the first month, which Marguerite welcomed.\n", encoding="utf-8")
    (inbox / "excerpts.csv").write_text("excerpt_id,text\nx1,Quartermaine asked whether the work clinic could "
                                        "move to Fridays so Zebedee can come.\n", encoding="utf-8")
    return sorted(inbox.iterdir())


def contents(path: Path) -> list[tuple[str, str]]:
    """(where, text) for a file, or for each member of a zip (.xlsx, .docx, .qdpx)."""
    raw = path.read_bytes()
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            return [(f"{path}:{n}", zf.read(n).decode("utf-8", "replace")) for n in zf.namelist()]
    return [(str(path), raw.decode("utf-8", "replace"))]


def leaks(files: list[Path]) -> list[str]:
    return [f"{original!r} in {where}" for path in files for where, text in contents(path)
            for original in PLANTED if original.lower() in text.lower()]


@pytest.mark.slow
def test_no_planted_identifier_outside_the_key(tmp_path):
    inputs = write_inbox(tmp_path / "inbox")
    assert {o for o in PLANTED if any(o in t for p in inputs for _, t in contents(p))} == set(PLANTED)  # grep works
    work, key = tmp_path / "work", tmp_path / "secure" / "key.csv"
    work.mkdir()
    key.parent.mkdir()
    project = work / "project.sqlite"
    outs = [work / "s.csv", work / "s.jsonl", work / "s.xlsx"]
    assert main(["batch", *map(str, inputs), "--model", str(model_dir()), "--pseudonymise", "--key", str(key),
                 "--keep", "ROC trial", *[a for o in outs for a in ("--out", str(o))], "--project", str(project),
                 "--quiet"]) == 0
    with Store.open(project) as store:
        snap = store.snapshot()
        for ex in snap.excerpts[:4]:
            sugg = snap.suggestions.get(ex["id"], [])
            for k, s in enumerate(sugg):
                store.decide("amira", ex["id"], s["code"], "accept" if k == 0 else "reject")
            if not sugg:
                store.decide("amira", ex["id"], "M1", "add")
        texts = " ".join(e["text"] for e in store.snapshot(text=True).excerpts)
    assert "[Person" in texts and "[NHS number" in texts and "ROC trial" in texts
    assert main(["export", "--project", str(project), "--xlsx", str(work / "review.xlsx"), "--csv",
                 str(work / "coded.csv"), "--qdpx", str(work / "project.qdpx"), "--include-suggestions"]) == 0
    long, _ = coded_long()
    keep = long["excerpt_id"].drop_duplicates().tolist()[:80]
    data = tmp_path / "coded.csv"  # the shipped fictional corpus: holds none of the planted identifiers
    long[long["excerpt_id"].isin(keep)].to_csv(data, index=False)
    assert main(["train", "--codebook", str(CODEBOOK), "--data", str(data), "--project", str(project), "--out",
                 str(work / "model"), "--embedder", "fake", "--kind", "lexical", "--quiet"]) == 0
    written = [p for p in work.rglob("*") if p.is_file()]
    assert any("mlruns" in str(p) for p in written) and (work / "project.qdpx").exists()
    assert leaks(written) == []
    key_text = key.read_text(encoding="utf-8-sig")
    assert all(o in key_text for o in ("Ottoline Quartermaine", "943 476 5919", "o.quartermaine@wyvern-trust.example"))


@pytest.mark.slow
def test_pseudonymise_command_writes_copies_and_keeps_the_key_apart(tmp_path, capsys):
    from suggest.ingest import load_excerpts
    from suggest.segment import Segmenter

    inputs = write_inbox(tmp_path / "inbox")
    out = tmp_path / "shareable"
    assert main(["pseudonymise", str(tmp_path / "inbox"), "--out", str(out / "inside"), "--key",
                 str(out / "inside" / "key.csv")]) == 2
    assert "inside the folder" in capsys.readouterr().err and not (out / "inside").exists()
    assert main(["pseudonymise", *map(str, inputs), "--out", str(out), "--keep", "ROC trial"]) == 0
    copies = sorted(p for p in out.rglob("*") if p.is_file())
    assert [p.name for p in copies] == ["email-01.eml", "excerpts.csv", "form-01.docx", "note-01.txt"]
    assert leaks(copies) == []
    key = tmp_path / "shareable-key.csv"
    assert "Marguerite Penhallow" in key.read_text(encoding="utf-8-sig")
    docs, excerpts = load_excerpts(copies, segmenter=Segmenter(sentencizer="rule"))
    email = next(d for d in docs if d.source_type == "email")
    assert email.metadata["sender"] == "\"[Person 1]\" <email-1@pseudonymised.invalid>" and "ROC trial" in email.text
