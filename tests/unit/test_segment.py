"""Segmenter with spaCy's rule-based sentencizer: offsets, ids, modes, turns, metadata, joining."""
from __future__ import annotations

import pytest

from suggest.corpus import Document
from suggest.segment import Segmenter

INTERVIEW = """Interview with P03, 12 June 2019

Interviewer: How did you find the mentoring?
P: It helped a lot. I felt supported.
I knew who to ask.

Interviewer:   And the paperwork?
P:
Much easier after the second session.

It was still long though.

[END OF RECORDING]
"""

LONG = " ".join(f"Sentence number {i} talks about the employer visit and the return to work plan." for i in range(20))


def documents() -> list[Document]:
    return [
        Document("p03", INTERVIEW, "interview"),
        Document("mail", "Hi Jane,\n\n  The OT was confident.  Fidelity improved.\n\n...\n\n--\n\nOK\n", "email",
                 metadata={"sender": "Kate <k@example.org>", "date": "2019-06-03T11:15:00+01:00",
                           "subject": "Update", "to": "j@example.org"}),
        Document("long", f"Title line\n\n{LONG}\n", "text"),
        Document("empty", "   \n\n  ", "text"),
    ]


@pytest.fixture(scope="module")
def rule_segmenters():
    return {mode: Segmenter(mode=mode, sentencizer="rule") for mode in ("auto", "sentences", "paragraphs")}


@pytest.mark.parametrize("mode", ["auto", "sentences", "paragraphs"])
def test_offsets_point_into_the_document(rule_segmenters, mode):
    docs = {d.document_id: d for d in documents()}
    excerpts = rule_segmenters[mode].segment(list(docs.values()))
    assert excerpts
    for ex in excerpts:
        assert docs[ex.document_id].text[ex.start:ex.end] == ex.text
        assert ex.text == ex.text.strip() and len(ex.text) >= 3
        assert ex.source_type == docs[ex.document_id].source_type


def test_ids_are_stable_and_numbered_in_reading_order(rule_segmenters):
    first = rule_segmenters["auto"].segment(documents())
    second = Segmenter(sentencizer="rule").segment(documents())
    assert [(e.excerpt_id, e.start, e.end) for e in first] == [(e.excerpt_id, e.start, e.end) for e in second]
    assert [e.metadata for e in first] == [e.metadata for e in second]
    mail = [e.excerpt_id for e in first if e.document_id == "mail"]
    assert mail == ["mail#001"]
    starts = [e.start for e in first if e.document_id == "p03"]
    assert starts == sorted(starts)


def test_interview_segmented_by_turns(rule_segmenters):
    ex = rule_segmenters["paragraphs"].segment([Document("p03", INTERVIEW, "interview")])
    assert [(e.metadata.get("speaker"), e.text) for e in ex] == [
        ("Interviewer", "How did you find the mentoring?"),
        ("P", "It helped a lot. I felt supported.\nI knew who to ask."),
        ("P", "Much easier after the second session.\n\nIt was still long though."),  # a short paragraph joined
    ]
    assert [(c["kind"], c["text"]) for c in ex[0].metadata["context"]] == [
        ("header", "Interview with P03, 12 June 2019")]
    assert ex[2].metadata["context"] == [  # a turn too short to stand alone introduces the answer
        {"kind": "turn", "text": "And the paperwork?", "speaker": "Interviewer",
         "start": INTERVIEW.index("And the"), "end": INTERVIEW.index("And the") + 18},
        {"kind": "marker", "text": "[END OF RECORDING]", "start": INTERVIEW.index("[END"),
         "end": INTERVIEW.index("[END") + 18}]


def test_sentence_windows():
    text = "One is here. Two is here. Three is here.\n\nFour is here. Five is here."
    doc = Document("d", text, "text")
    assert [e.text for e in Segmenter(mode="sentences", join_chars=0, sentencizer="rule").segment([doc])] == [
        "One is here.", "Two is here.", "Three is here.", "Four is here.", "Five is here."]
    pairs = Segmenter(mode="sentences", window=2, join_chars=0, sentencizer="rule").segment([doc])
    assert [e.text for e in pairs] == ["One is here. Two is here.", "Three is here.", "Four is here. Five is here."]
    doc = Document("d", text.replace("Five is here.", "Five is here too."), "text")
    joined = Segmenter(mode="sentences", sentencizer="rule").segment([doc])  # short sentences join, first in a block
    assert [e.text for e in joined] == ["One is here. Two is here. Three is here.", "Four is here. Five is here too."]


def test_auto_splits_long_paragraphs_at_sentences(rule_segmenters):
    body = [e for e in rule_segmenters["auto"].segment(documents()) if e.document_id == "long"]
    assert all(e.metadata["section"] == "Title line" for e in body)  # a heading is context, not an excerpt
    assert len(body) == 3 and all(400 <= len(e.text) <= 600 for e in body)  # even chunks, no tiny tail
    assert all(e.text.endswith("plan.") for e in body)
    assert " ".join(e.text for e in body) == LONG


def test_overlong_sentence_is_cut_at_spaces():
    text = "word " * 80 + "end."
    ex = Segmenter(max_chars=100, sentencizer="rule").segment([Document("d", text, "text")])
    assert len(ex) > 1 and all(len(e.text) <= 100 for e in ex)
    assert all(text[e.start:e.end] == e.text and not e.text.startswith(" ") for e in ex)


def test_punctuation_greeting_and_short_excerpts_skipped(rule_segmenters):
    ex = [e for e in rule_segmenters["paragraphs"].segment(documents()) if e.document_id == "mail"]
    assert [e.text for e in ex] == ["The OT was confident.  Fidelity improved."]
    assert [(c["kind"], c["text"]) for c in ex[0].metadata["context"]] == [("greeting", "Hi Jane,"), ("name", "OK")]
    assert not [e for e in rule_segmenters["auto"].segment(documents()) if e.document_id == "empty"]


def test_email_metadata_copied(rule_segmenters):
    ex = [e for e in rule_segmenters["auto"].segment(documents()) if e.document_id == "mail"]
    assert {k: v for k, v in ex[0].metadata.items() if k != "context"} == {
        "sender": "Kate <k@example.org>", "date": "2019-06-03T11:15:00+01:00", "subject": "Update"}


def test_paragraph_mode_does_not_load_spacy():
    seg = Segmenter(mode="paragraphs", sentencizer="rule")
    seg.segment(documents())
    assert seg._nlp is None


@pytest.mark.parametrize("kwargs", [{"mode": "words"}, {"window": 0}, {"sentencizer": "regex"},
                                    {"min_chars": 700}, {"join_chars": -1}])
def test_bad_arguments(kwargs):
    with pytest.raises(ValueError):
        Segmenter(**kwargs)
