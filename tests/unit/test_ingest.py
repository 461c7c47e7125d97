"""Ingest: email, docx, text and table readers; folder walking; ids; errors."""
from __future__ import annotations

import mailbox
import subprocess
import sys
from email.message import EmailMessage
from pathlib import Path

import pytest

from suggest.errors import DataError, EmptyBatchError, IngestError
from suggest.ingest import load_excerpts, read_documents
from suggest.ingest.email import clean_body, html_to_text
from suggest.ingest.table import read_excerpt_table
from suggest.segment import Segmenter

REPLY = """Hi Jane,

The session went well today and the OT felt more confident about the employer visit.
> inline quoted line

Kind regards,
Kate Smith
Occupational Therapist | Stroke Service

On Mon, 3 Jun 2019 at 10:02, Jane Doe <jane@example.org> wrote:
> How did it go?
"""


def make_email(body: str = REPLY, subtype: str = "plain", subject: str = "Mentoring session") -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "Kate Smith <kate@example.org>"
    msg["To"] = "Jane Doe <jane@example.org>"
    msg["Subject"] = subject
    msg["Date"] = "Mon, 03 Jun 2019 11:15:00 +0100"
    msg["Message-ID"] = "<abc123@example.org>"
    msg.set_content(body, subtype=subtype)
    return msg


def write_email(path: Path, msg: EmailMessage) -> Path:
    path.write_bytes(msg.as_bytes())
    return path


def make_form(path: Path, title: str = "Mentoring Record Form") -> Path:
    import docx

    d = docx.Document()
    d.add_heading(title, level=1)
    table = d.add_table(rows=3, cols=2)
    for row, (field, value) in zip(table.rows, [("Date", "12/03/2019"), ("Mentor", "Mentor 1"),
                                                ("Session type", "Telephone")]):
        row.cells[0].text, row.cells[1].text = field, value
    d.add_heading("Discussion", level=2)
    d.add_paragraph("We discussed how to contact the employer. The OT will phone next week.")
    d.save(path)
    return path


def test_quoted_reply_and_signature_stripped(tmp_path):
    (doc,) = read_documents([write_email(tmp_path / "reply.eml", make_email())])
    assert doc.source_type == "email" and doc.document_id == "reply"
    assert doc.text.startswith("Hi Jane,")
    assert "employer visit" in doc.text
    for gone in ("Kind regards", "Kate Smith", "wrote:", "How did it go", "inline quoted"):
        assert gone not in doc.text
    assert doc.metadata["sender"] == "Kate Smith <kate@example.org>"
    assert doc.metadata["date"] == "2019-06-03T11:15:00+01:00"
    assert doc.metadata["subject"] == "Mentoring session"
    assert doc.metadata["message_id"] == "<abc123@example.org>"


@pytest.mark.parametrize("tail", [
    "-----Original Message-----\nFrom: Bob\nSent: Monday\n\nold text",
    "________________________________\nFrom: Bob Smith\nSent: 03 June 2019 10:00\nTo: Jane\nSubject: RE: x\n\nold text",
    "-- \nJane Doe\nResearch Team",
    "Thanks, Jane\n\nThis email and any attachments are confidential. If you have received this email in error "
    "please tell the sender.",
    "Best wishes,\nJane\n\nSent from my iPhone",
    "Thanks so much\nChloe\n\n" + "*" * 40 + "\nThis email and any files sent with it are confidential and are meant only\n"
    "for the person(s) it is addressed to. If it has reached you by mistake,\nplease let the sender know.",
    "You are receiving this because you are part of the trial team. Please do not forward.",
])
def test_clean_body_cuts_replies_signatures_and_footers(tail):
    assert clean_body(f"Dear all,\n\nPlease record this as contamination.\n\n{tail}") == \
        "Dear all,\n\nPlease record this as contamination."


@pytest.mark.parametrize("signoff", ["Priya\n\nPriya Nandakumar\nOccupational Therapist (Stroke) | [Site 4]", "P",
                                     "Priya Nandakumar"])
def test_clean_body_cuts_a_bare_sender_name_signoff(signoff):
    body = f"Hi Gareth,\n\nThe employer meeting went well.\n\n{signoff}"
    assert clean_body(body, sender="Priya Nandakumar <ot@example.org>") == "Hi Gareth,\n\nThe employer meeting went well."
    assert clean_body(body, sender="Gareth Lowe <g@example.org>") == body


def test_clean_body_keeps_thanks_inside_the_text():
    body = "Hi,\n\nThanks,\nthat really helped me with the paperwork and I now feel much more able to complete " \
           "the forms on my own without asking for help every time."
    assert clean_body(body) == body


def test_html_only_email(tmp_path):
    html = ("<html><head><style>p {color: red}</style></head><body><p>Hello &amp; welcome,</p>"
            "<script>alert(1)</script><p>The session is on <b>Friday</b>.<br>Bring the forms.</p></body></html>")
    (doc,) = read_documents([write_email(tmp_path / "html.eml", make_email(html, subtype="html"))])
    assert doc.text == "Hello & welcome,\n\nThe session is on Friday.\nBring the forms."
    assert html_to_text("<div>a</div>\n<div>b</div><div><br></div><div>c</div>") == "a\nb\n\nc"


def test_attachment_listed_not_read(tmp_path):
    msg = make_email("Please see the attached form.\n")
    msg.add_attachment(b"%PDF-1.4 binary", maintype="application", subtype="pdf", filename="record form.pdf")
    (doc,) = read_documents([write_email(tmp_path / "att.eml", msg)])
    assert doc.metadata["attachments"] == ["record form.pdf"]
    assert doc.text == "Please see the attached form."


def test_mbox_with_two_messages(tmp_path):
    box = mailbox.mbox(tmp_path / "Inbox 2019.mbox")
    box.add(make_email("First message about fidelity.\n", subject="one"))
    box.add(make_email("Second message about monitoring.\n", subject="two"))
    box.close()
    docs = read_documents([tmp_path])
    assert [d.document_id for d in docs] == ["inbox-2019-msg001", "inbox-2019-msg002"]
    assert [d.metadata["subject"] for d in docs] == ["one", "two"]
    assert docs[1].text == "Second message about monitoring."


def test_non_utf8_email_is_an_error(tmp_path):
    raw = (b"From: a@example.org\r\nTo: b@example.org\r\nSubject: x\r\n"
           b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nCaf\xe9 at 10\r\n")
    (tmp_path / "bad.eml").write_bytes(raw)
    with pytest.raises(IngestError, match=r"bad\.eml.*utf-8(?s:.*)What to do"):
        read_documents([tmp_path / "bad.eml"])
    (tmp_path / "bad.eml").write_bytes(raw.replace(b"; charset=utf-8", b""))
    with pytest.raises(IngestError, match="no charset is declared"):
        read_documents([tmp_path / "bad.eml"])


def test_latin1_email_with_declared_charset_reads(tmp_path):
    raw = (b"From: a@example.org\r\nSubject: x\r\nContent-Type: text/plain; charset=iso-8859-1\r\n"
           b"Content-Transfer-Encoding: 8bit\r\n\r\nCaf\xe9 at 10\r\n")
    (tmp_path / "ok.eml").write_bytes(raw)
    assert read_documents([tmp_path / "ok.eml"])[0].text == "Café at 10"


def test_truncated_email_is_an_error(tmp_path):
    msg = make_email("Body text here.\n")
    msg.add_attachment(b"x" * 2000, maintype="application", subtype="octet-stream", filename="a.bin")
    raw = msg.as_bytes()
    (tmp_path / "cut.eml").write_bytes(raw[: len(raw) // 2])
    with pytest.raises(IngestError, match=r"cut\.eml.*truncated"):
        read_documents([tmp_path / "cut.eml"])
    headers_only = raw.split(b"\n\n")[0].replace(b"multipart/mixed", b"text/plain") + b"\n\n"
    (tmp_path / "cut.eml").write_bytes(headers_only)
    with pytest.raises(IngestError, match=r"cut\.eml.*no body"):
        read_documents([tmp_path / "cut.eml"])


def test_docx_record_form(tmp_path):
    (doc,) = read_documents([make_form(tmp_path / "MRF 01.docx")])
    assert doc.document_id == "mrf-01" and doc.source_type == "record_form"
    assert doc.text.split("\n\n")[:3] == ["Mentoring Record Form", "Date: 12/03/2019", "Mentor: Mentor 1"]
    assert "Discussion\n\nWe discussed" in doc.text
    assert doc.metadata == {"Date": "12/03/2019", "Mentor": "Mentor 1", "Session type": "Telephone",
                            "title": "Mentoring Record Form", "headings": ["Mentoring Record Form", "Discussion"]}


def test_docx_without_record_form_title_is_a_document(tmp_path):
    (doc,) = read_documents([make_form(tmp_path / "notes.docx", title="Meeting notes")])
    assert doc.source_type == "document"


def test_fake_docx_is_an_error(tmp_path):
    (tmp_path / "old.docx").write_bytes(b"\xd0\xcf\x11\xe0 an old Word 97 file")
    with pytest.raises(IngestError, match=r"old\.docx: not a Word \.docx file(?s:.*)save it as \.docx"):
        read_documents([tmp_path / "old.docx"])


def test_empty_folder_is_an_error(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(EmptyBatchError, match="empty"):
        read_documents([tmp_path / "empty"])
    (tmp_path / "empty" / "picture.png").write_bytes(b"\x89PNG")
    (tmp_path / "empty" / ".hidden.txt").write_text("secret")
    with pytest.raises(EmptyBatchError, match=str(tmp_path / "empty")):
        read_documents([tmp_path / "empty"])


def test_missing_path_is_an_error(tmp_path):
    with pytest.raises(IngestError, match="not found"):
        read_documents([tmp_path / "nope"])


def test_folder_walk_ids_and_types(tmp_path, caplog):
    for sub in ("a", "b", ".git"):
        (tmp_path / sub).mkdir()
        (tmp_path / sub / "notes.txt").write_text(f"Notes from {sub}.\n")
    (tmp_path / "a" / "P03 interview.txt").write_text("Interviewer: How was it?\nP: Helpful.\n")
    (tmp_path / "a" / "~$form.docx").write_bytes(b"lock")
    (tmp_path / "b" / "table.csv").write_text("excerpt_id,text\nx,y\n")
    docs = read_documents([tmp_path])
    assert [d.document_id for d in docs] == ["p03-interview", "notes", "notes-2"]
    assert [d.source_type for d in docs] == ["interview", "text", "text"]
    assert docs[0].metadata["speakers"] == ["Interviewer", "P"]
    assert "table.csv" in caplog.text
    assert [d.document_id for d in read_documents([tmp_path])] == ["p03-interview", "notes", "notes-2"]


def test_non_utf8_text_file_is_an_error(tmp_path):
    (tmp_path / "t.txt").write_bytes(b"caf\xe9")
    with pytest.raises(IngestError, match=r"t\.txt: not UTF-8"):
        read_documents([tmp_path])


def test_excerpt_table(tmp_path):
    path = tmp_path / "Ready Excerpts.csv"
    path.write_text("excerpt_id,text,source_type,note\ne1,First text,email,n\ne2,Second text,,\ne1,First text,,\n")
    ex = read_excerpt_table(path)
    assert [(e.excerpt_id, e.document_id, e.source_type) for e in ex] == [("e1", "ready-excerpts", "email"),
                                                                          ("e2", "ready-excerpts", "text")]
    assert (ex[1].start, ex[1].end, ex[1].text) == (0, 11, "Second text")
    assert ex[0].metadata == {"row": 2, "note": "n"}


@pytest.mark.parametrize("content, match", [
    ("id,text\ne1,x\n", r"field 'excerpt_id'"),
    ("excerpt_id,text\ne1,x\ne2, \n", r"row 3, field 'text': empty text"),
])
def test_excerpt_table_errors(tmp_path, content, match):
    (tmp_path / "t.csv").write_text(content)
    with pytest.raises(DataError, match=match):
        read_excerpt_table(tmp_path / "t.csv")


def test_load_excerpts_mixes_tables_and_documents(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "note.txt").write_text("The first paragraph is about the employer visit.\n\n"
                                                "The second paragraph is about the data queries.\n")
    (tmp_path / "t.csv").write_text("excerpt_id,text,document_id\nx1,A ready excerpt,d9\n")
    docs, ex = load_excerpts([tmp_path / "t.csv", tmp_path / "docs"], segmenter=Segmenter(sentencizer="rule"))
    assert [d.document_id for d in docs] == ["note"]
    assert [e.excerpt_id for e in ex] == ["x1", "note#001", "note#002"]
    (tmp_path / "t.csv").write_text("excerpt_id,text\nnote#001,clash\n")
    with pytest.raises(DataError, match="used twice"):
        load_excerpts([tmp_path / "t.csv", tmp_path / "docs"], segmenter=Segmenter(sentencizer="rule"))


def test_heavy_libraries_not_imported_on_import():
    code = "import sys, suggest.ingest, suggest.segment; print(sorted(m for m in ('spacy', 'docx') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_docx_header_row_table_and_transcript(tmp_path):
    import docx

    d = docx.Document()
    d.add_paragraph("Interview transcript")
    table = d.add_table(rows=2, cols=3)
    for cell, text in zip(table.rows[0].cells + table.rows[1].cells,
                          ["Date", "Site", "Mode", "12/05/2021", "[Site 4]", ""]):
        cell.text = text
    d.add_paragraph("Interviewer: How did the mentoring start?")
    d.add_paragraph("P: With a phone call.")
    d.save(tmp_path / "t.docx")
    (doc,) = read_documents([tmp_path / "t.docx"])
    assert doc.source_type == "interview" and doc.metadata["speakers"] == ["Interviewer", "P"]
    assert doc.text.split("\n\n")[1:3] == ["Date: 12/05/2021", "Site: [Site 4]"]


def test_text_in_an_eml_file_is_not_an_email(tmp_path):
    (tmp_path / "note.eml").write_text("just some notes, no headers\n")
    with pytest.raises(IngestError, match=r"note\.eml: not an email"):
        read_documents([tmp_path])
