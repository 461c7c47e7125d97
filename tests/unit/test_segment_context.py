"""Excerpts worth coding: greetings, sign-offs, names, titles, labels and markers become context;
form fields are one excerpt with their label; short pieces join a neighbour. Real files, rule sentencizer."""
from __future__ import annotations

import re
from email.message import EmailMessage
from pathlib import Path

import pytest

from suggest.corpus import Document, Excerpt
from suggest.ingest import load_excerpts
from suggest.segment import Segmenter
from suggest.transcript import turn_labels


def segment(*paths: Path, **kwargs) -> tuple[dict[str, Document], list[Excerpt]]:
    docs, excerpts = load_excerpts(list(paths), segmenter=Segmenter(sentencizer="rule", **kwargs))
    by_id = {d.document_id: d for d in docs}
    for ex in excerpts:
        assert by_id[ex.document_id].text[ex.start:ex.end] == ex.text
    return by_id, excerpts


def context(ex: Excerpt) -> list[tuple[str, str]]:
    return [(c["kind"], c["text"]) for c in ex.metadata.get("context", [])]


def assert_nothing_lost(doc: Document, excerpts: list[Excerpt]) -> None:
    """Every line with a letter lies (in part) in an excerpt or in a context entry; bare turn labels aside."""
    spans = [(e.start, e.end) for e in excerpts if e.document_id == doc.document_id]
    spans += [(c["start"], c["end"]) for e in excerpts if e.document_id == doc.document_id
              for c in e.metadata.get("context", [])]
    labels = {m.start() for m in turn_labels(doc.text)}
    for m in re.finditer(r"[^\n]+", doc.text):
        bare_label = m.start() in labels and not re.search(r":\s*\S", m.group())
        if re.search(r"[^\W\d_]", m.group()) and not bare_label:
            assert any(s < m.end() and m.start() < e for s, e in spans), f"lost: {m.group()!r}"
    for e in excerpts:
        for c in e.metadata.get("context", []) if e.document_id == doc.document_id else []:
            assert doc.text[c["start"]:c["end"]] == c["text"]


def write_email(path: Path, body: str, subject: str = "Update", sender: str = "ot.site4@example.net") -> Path:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, "Gareth Lowe <mentor2@example.org>", subject
    msg["Date"] = "Tue, 14 May 2019 09:30:00 +0100"
    msg.set_content(body)
    path.write_bytes(msg.as_bytes())
    return path


def test_email_greeting_signoff_and_names_are_context(tmp_path):
    body = ("Hi Gareth,\n\nThe employer meeting went well and the participant led most of the conversation.\n\n"
            "She starts back on Monday.\n\nBest wishes,\nPriya\n\n"
            "PS I have put the letter in the site file and logged it on the SCF for session three.\n")
    docs, ex = segment(write_email(tmp_path / "a.eml", body, subject="Employer meeting"))
    assert [e.text for e in ex] == [
        "The employer meeting went well and the participant led most of the conversation.\n\n"
        "She starts back on Monday.",  # a short paragraph joins its neighbour
        "PS I have put the letter in the site file and logged it on the SCF for session three."]
    assert context(ex[0]) == [("greeting", "Hi Gareth,"), ("signoff", "Best wishes,"), ("name", "Priya")]
    assert ex[0].metadata["subject"] == "Employer meeting" and "context" not in ex[1].metadata
    assert_nothing_lost(docs["a"], ex)


def test_email_name_lines_and_inline_greeting(tmp_path):
    body = ("Ruth\n\nQuick one. My manager says the backfill has not been approved, so I am on the ward full time.\n\n"
            "Dan\n")
    inline = "Hi all,\nThe group call moves to Thursday at 12.30 because of the bank holiday.\n"
    docs, ex = segment(write_email(tmp_path / "b.eml", body), write_email(tmp_path / "c.eml", inline))
    assert [e.text for e in ex] == [
        "Quick one. My manager says the backfill has not been approved, so I am on the ward full time.",
        "The group call moves to Thursday at 12.30 because of the bank holiday."]
    assert context(ex[0]) == [("name", "Ruth"), ("name", "Dan")]
    assert context(ex[1]) == [("greeting", "Hi all,")]
    for doc in docs.values():
        assert_nothing_lost(doc, ex)


def test_email_title_and_headings_give_sections(tmp_path):
    body = ("Trial bulletin\n\nRecruitment\n\nWe randomised twelve participants this month, our best month so far.\n\n"
            "Data corner\n\nPlease record contact time only in the duration box, and travel in the travel field.\n\n"
            "It helps us.\n\nKeeping the arms apart\n\nTell your mentor about new services near your site.\n")
    docs, ex = segment(write_email(tmp_path / "news.eml", body, subject="Trial bulletin - March 2020"))
    assert [(e.metadata.get("section"), e.text) for e in ex] == [
        ("Recruitment", "We randomised twelve participants this month, our best month so far."),
        ("Data corner", "Please record contact time only in the duration box, and travel in the travel field.\n\n"
                        "It helps us."),
        ("Keeping the arms apart", "Tell your mentor about new services near your site.")]
    assert context(ex[0]) == [("title", "Trial bulletin"), ("heading", "Recruitment")]
    assert_nothing_lost(docs["news"], ex)


FIELDS = [("Date", "12/03/2019"), ("Mentor", "[Mentor 2]"), ("Session type", "One-to-one (phone)"),
          ("Discussion", "We went through the first employer contact and how to keep the participant in charge of "
                         "what is disclosed.")]


def make_form(path: Path, styled: str = "all") -> Path:
    """A record form whose headings are Word heading styles ('all'), only the title ('title') or bold text ('none')."""
    import docx

    d = docx.Document()

    def heading(text: str, level: int) -> None:
        if styled == "all" or (styled == "title" and level == 1):
            d.add_heading(text, level=level)
        else:
            d.add_paragraph().add_run(text).bold = True

    heading("Mentoring record form", 1)
    table = d.add_table(rows=len(FIELDS), cols=2)
    for row, (name, value) in zip(table.rows, FIELDS):
        row.cells[0].text, row.cells[1].text = name, value
    heading("Issues raised" if styled == "all" else "Issues raised:", 2)
    d.add_paragraph("Both OTs anxious about phoning employers; one has never done it.")
    d.add_paragraph("Still no log-in.")
    heading("Actions agreed", 2)
    d.add_paragraph("PN to phone the employer this week.")
    d.add_paragraph("GL to chase R&D.")
    heading("Fidelity or contamination concerns", 2)
    d.add_paragraph("None.")
    heading("Next session", 2)
    d.save(path)
    return path


@pytest.mark.parametrize("styled", ["all", "title", "none"])
def test_form_fields_are_one_excerpt_with_their_label(tmp_path, styled):
    docs, ex = segment(make_form(tmp_path / "MRF 01.docx", styled))
    doc = docs["mrf-01"]
    assert doc.source_type == "record_form"
    assert [(e.metadata["field"], e.text) for e in ex] == [
        ("Discussion", FIELDS[3][1]),  # the value only; its label is context
        ("Issues raised", "Both OTs anxious about phoning employers; one has never done it.\n\nStill no log-in."),
        ("Actions agreed", "PN to phone the employer this week.\n\nGL to chase R&D.")]
    assert context(ex[0]) == [("title", "Mentoring record form"), ("field", "Date: 12/03/2019"),
                              ("field", "Mentor: [Mentor 2]"), ("field", "Session type: One-to-one (phone)")]
    tail = ex[2].metadata["context"]  # a field too short to code, and a bare label with nothing under it
    assert [(c["kind"], c["text"], c.get("field")) for c in tail] == [
        ("heading", "Actions agreed", None), ("heading", "Fidelity or contamination concerns", None),
        ("field", "None.", "Fidelity or contamination concerns"),
        ("heading", "Next session", None)]
    assert_nothing_lost(doc, ex)


def test_form_table_without_headings(tmp_path):
    import docx

    d = docx.Document()
    d.add_paragraph("Mentoring record form")
    table = d.add_table(rows=3, cols=2)
    rows = [("Date", "02/07/2020"), ("Issues raised", "Backfill reinstated but the ward is still short, so visits "
                                                      "slip to the evenings."),
            ("Actions agreed", "DO to share the forklift example on the July group call.")]
    for row, (name, value) in zip(table.rows, rows):
        row.cells[0].text, row.cells[1].text = name, value
    d.save(tmp_path / "form.docx")
    docs, ex = segment(tmp_path / "form.docx")
    assert [(e.metadata["field"], e.text) for e in ex] == [(name, value) for name, value in rows[1:]]
    assert context(ex[0]) == [("title", "Mentoring record form"), ("field", "Date: 02/07/2020")]


TRANSCRIPT = """Interview: mentee OT, [Site 5]
Date: 03/03/2021

Interviewer: Thanks for joining. Could you tell me how the mentoring started for you?

P: My mentor phoned me before the training and asked what I had done with employers before.

That helped.

Interviewer: Did it?

P: Yes.

Interviewer: What changed after the first group call?

P: [laughs]

[00:14:05]

P: I stopped worrying about the forms, because everyone was getting the same data queries as me.

(inaudible)

[END OF RECORDING]
"""


def test_transcript_markers_header_and_short_turns_are_context(tmp_path):
    (tmp_path / "p05.txt").write_text(TRANSCRIPT)
    docs, ex = segment(tmp_path / "p05.txt")
    assert [(e.metadata["speaker"], e.text) for e in ex] == [
        ("Interviewer", "Thanks for joining. Could you tell me how the mentoring started for you?"),
        ("P", "My mentor phoned me before the training and asked what I had done with employers before.\n\n"
              "That helped."),  # joined within the turn, never across turns
        ("Interviewer", "What changed after the first group call?"),
        ("P", "I stopped worrying about the forms, because everyone was getting the same data queries as me.")]
    assert context(ex[0]) == [("header", "Interview: mentee OT, [Site 5]\nDate: 03/03/2021")]
    assert [(c["kind"], c["text"], c.get("speaker")) for c in ex[2].metadata["context"]] == [
        ("turn", "Did it?", "Interviewer"), ("turn", "Yes.", "P")]
    assert context(ex[3]) == [("marker", "[laughs]"), ("marker", "[00:14:05]"), ("marker", "(inaudible)"),
                              ("marker", "[END OF RECORDING]")]
    assert_nothing_lost(docs["p05"], ex)


def test_an_answer_carries_the_question_it_answers(tmp_path):
    from suggest.corpus import context_label

    (tmp_path / "p05.txt").write_text(TRANSCRIPT)
    _, ex = segment(tmp_path / "p05.txt")
    assert "question" not in ex[0].metadata and "question" not in ex[2].metadata  # the questions themselves
    assert ex[1].metadata["question"] == "Thanks for joining. Could you tell me how the mentoring started for you?"
    assert ex[3].metadata["question"] == "What changed after the first group call?"
    assert context_label(ex[3].metadata) == "Speaker: P; Question: What changed after the first group call?"
    preamble = "Interviewer: " + "So before we start, a few words about consent and recording. " * 8 + \
        "What did your mentor do first?\n\nP: She rang me the week after the training and we talked it through.\n"
    (tmp_path / "long.txt").write_text(preamble)
    _, ex = segment(tmp_path / "long.txt")
    question = ex[-1].metadata["question"]
    assert question.startswith("...") and question.endswith("What did your mentor do first?") and len(question) <= 243


def test_join_chars_zero_keeps_short_pieces(tmp_path):
    (tmp_path / "p05.txt").write_text(TRANSCRIPT)
    _, ex = segment(tmp_path / "p05.txt", join_chars=0)
    texts = [e.text for e in ex]
    assert "That helped." in texts and "Did it?" in texts and "Yes." in texts
    assert "[END OF RECORDING]" not in texts and "[laughs]" not in texts  # markers stay context


def test_auto_mode_never_joins_past_max_chars():
    text = "A" * 20 + " long sentence here." + "\n\n" + "Short bit."
    ex = Segmenter(max_chars=40, sentencizer="rule").segment([Document("d", text, "text")])
    assert all(len(e.text) <= 40 for e in ex)
    assert [e.text for e in ex] == ["A" * 20 + " long sentence here.", "Short bit."]


@pytest.mark.parametrize("line, kind", [
    ("Hi Gareth,", "greeting"), ("Dear all,", "greeting"), ("Hi Ruth, Gareth and Sinéad,", "greeting"),
    ("Good morning", "greeting"), ("Kind regards,", "signoff"), ("Thanks, Hannah", "signoff"),
    ("Speak soon,", "signoff"), ("Ruth", "names"), ("Dan and Megan", "names"), ("[Mentor 3]", "names"),
    ("[END OF RECORDING]", "marker"), ("(inaudible)", "marker"), ("00:12:30", "marker"),
    ("--- End of interview ---", "marker"), ("Actions agreed", "heading"), ("Issues raised:", "heading"),
    ("Advice / support given", "heading"),
])
def test_boilerplate_lines(line, kind):
    from suggest import boilerplate

    checks = {"greeting": boilerplate.is_greeting, "signoff": boilerplate.is_signoff, "names": boilerplate.is_names,
              "marker": boilerplate.is_marker, "heading": boilerplate.is_heading}
    assert checks[kind](line)


@pytest.mark.parametrize("line", [
    "Hi Jo, quick one about the SCF.", "Hello & welcome to the trial team.", "Thanks, that really helped.",
    "Nil.", "[laughs] Usually with questions.", "She starts back on Monday.", "Dial in: 0808 157 0412",
    "Is that right?",
])
def test_content_lines_are_not_boilerplate(line):
    from suggest import boilerplate

    assert not any(f(line) for f in (boilerplate.is_greeting, boilerplate.is_signoff, boilerplate.is_names,
                                     boilerplate.is_marker, boilerplate.is_heading))


def test_field_label():
    from suggest.boilerplate import field_label

    assert field_label("Session type: One-to-one (phone)") == ("Session type", 14)
    assert field_label("The employer said that we could: go ahead") is None
    assert field_label("02-008: declined contact") is None
