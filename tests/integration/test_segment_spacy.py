"""Segmentation with the real spaCy pipeline (sentence boundaries from its parser)."""
from __future__ import annotations

import pytest

from suggest.corpus import Document
from suggest.segment import Segmenter

pytestmark = pytest.mark.slow

TEXT = ("Hi Jane,\n\nDr. Smith met the OT on 3 Jun. at 10 a.m. and they agreed the plan. The employer was "
        "contacted e.g. by phone. Was it useful? Yes!\n\nInterviewer: How was it?\nP: Good. Very good.")


@pytest.fixture(scope="module")
def segmenter():
    return Segmenter(mode="sentences")


def test_pipeline_loads_only_what_sentences_need(segmenter):
    assert "parser" in segmenter.nlp.pipe_names
    assert not {"ner", "lemmatizer", "tagger"} & set(segmenter.nlp.pipe_names)


def test_real_sentences_and_offsets(segmenter):
    docs = [Document("d", TEXT, "interview"), Document("e", "Short one. " * 200, "text")]
    ex = segmenter.segment(docs)
    for e in ex:
        doc = docs[0] if e.document_id == "d" else docs[1]
        assert doc.text[e.start:e.end] == e.text == e.text.strip()
    d = [e.text for e in ex if e.document_id == "d"]
    assert d[0] == "Hi Jane,"
    assert any(t.startswith("Dr. Smith met the OT") for t in d)
    assert d[-2:] == ["Good.", "Very good."]
    assert len([e for e in ex if e.document_id == "e"]) >= 150


def test_auto_mode_with_real_pipeline():
    long = " ".join(f"The mentor phoned the therapist about participant {i} and the employer." for i in range(30))
    ex = Segmenter().segment([Document("x", long, "text")])
    assert len(ex) > 1 and all(len(e.text) <= 600 for e in ex)
    assert all(long[e.start:e.end] == e.text for e in ex)
