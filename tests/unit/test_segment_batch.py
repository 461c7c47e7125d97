"""The shipped new batch: excerpts worth coding, every kind of framing line present and kept as context."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from suggest import boilerplate
from suggest.ingest import load_excerpts
from suggest.segment import Segmenter

BATCH = Path(__file__).resolve().parents[2] / "training_data" / "retake" / "new_batch"


@pytest.fixture(scope="module")
def batch():
    return load_excerpts([BATCH], segmenter=Segmenter(sentencizer="rule"))


def test_few_short_excerpts_and_no_framing_lines(batch):
    docs, excerpts = batch
    assert len(docs) == 59
    assert sum(len(e.text) < 30 for e in excerpts) <= 0.05 * len(excerpts)
    titles = {str(d.metadata.get("title", "")) for d in docs}
    for e in excerpts:
        first, last = e.text.splitlines()[0], e.text.splitlines()[-1]
        assert not (boilerplate.is_greeting(first) or boilerplate.is_marker(e.text) or boilerplate.is_signoff(last)
                    or e.text in titles), e.excerpt_id
        assert not (e.source_type == "record_form" and boilerplate.is_heading(e.text)), e.excerpt_id


def test_every_kind_of_context_is_shown(batch):
    _, excerpts = batch
    kinds = Counter(c["kind"] for e in excerpts for c in e.metadata.get("context", []))
    assert {"greeting", "signoff", "name", "title", "heading", "field", "marker", "header", "turn"} <= set(kinds)
    assert all(e.metadata.get("field") for e in excerpts if e.source_type == "record_form")
    assert all(e.metadata.get("speaker") for e in excerpts if e.source_type == "interview")
    assert all(e.metadata.get("subject") for e in excerpts if e.source_type == "email")
