"""Segmentation with the real spaCy pipeline (sentence boundaries from its parser)."""
from __future__ import annotations

import pytest

from suggest.corpus import Document
from suggest.segment import Segmenter

pytestmark = pytest.mark.slow

TEXT = ("Hi Jane,\n\nDr. Smith met the OT on 3 Jun. at 10 a.m. and they agreed the plan. The employer was "
        "contacted e.g. by phone. Was it useful? Yes!")
TURNS = "Interviewer: How was it?\nP: Good. Very good."


@pytest.fixture(scope="module")
def segmenter():
    return Segmenter(mode="sentences", join_chars=0)


def test_pipeline_loads_only_what_sentences_need(segmenter):
    assert "parser" in segmenter.nlp.pipe_names
    assert not {"ner", "lemmatizer", "tagger"} & set(segmenter.nlp.pipe_names)


def test_real_sentences_and_offsets(segmenter):
    docs = {d.document_id: d for d in [Document("d", TEXT, "email"), Document("t", TURNS, "interview"),
                                       Document("e", "Short one. " * 200, "text")]}
    ex = segmenter.segment(list(docs.values()))
    for e in ex:
        assert docs[e.document_id].text[e.start:e.end] == e.text == e.text.strip()
    d = [e.text for e in ex if e.document_id == "d"]
    assert d[0].startswith("Dr. Smith met the OT")  # the greeting is context
    assert [e.text for e in ex if e.document_id == "t"][-2:] == ["Good.", "Very good."]
    assert len([e for e in ex if e.document_id == "e"]) >= 150


def test_auto_mode_with_real_pipeline():
    long = " ".join(f"The mentor phoned the therapist about participant {i} and the employer." for i in range(30))
    ex = Segmenter().segment([Document("x", long, "text")])
    assert len(ex) > 1 and all(len(e.text) <= 600 for e in ex)
    assert all(long[e.start:e.end] == e.text for e in ex)


def test_short_sentences_join_with_real_pipeline():
    ex = Segmenter(mode="sentences").segment([Document("d", TEXT, "email"), Document("t", TURNS, "interview")])
    assert [e.text for e in ex if e.document_id == "d"] == [
        "Dr. Smith met the OT on 3 Jun. at 10 a.m. and they agreed the plan.",
        "The employer was contacted e.g. by phone. Was it useful? Yes!"]  # short questions joined a neighbour
    assert not [e for e in ex if e.document_id == "t"]  # 'How was it?' and 'Good. Very good.' are too short
