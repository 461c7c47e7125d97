"""Candidate new mechanisms with the real sentence encoder: a theme no code covers, planted among the
shipped corpus's excerpts that have no mechanism, comes out first or second."""
from __future__ import annotations

import pandas as pd
import pytest

from synthesis_corpora import PARKING

pytestmark = pytest.mark.slow


def test_planted_theme_among_real_uncoded_excerpts_is_a_top_candidate(codebook, coded_long):
    from suggest.embed import SentenceEmbedder
    from suggest.synthesis import from_long, synthesise

    planted = pd.DataFrame([{"excerpt_id": f"park{i}", "text": t, "code": "C2" if i % 2 else "", "coder": "amira",
                             "document_id": f"form-park-{i}", "source_type": "record_form"}
                            for i, t in enumerate(PARKING)])
    units = from_long(pd.concat([coded_long, planted], ignore_index=True), codebook)
    s = synthesise(units, encoder=SentenceEmbedder())
    assert s.pool_size > 200  # the shipped excerpts with no mechanism, and the planted ones
    found = [c for c in s.candidates[:2] if sum(e.startswith("park") for e in c.excerpt_ids) >= 5]
    assert found, [(c.size, c.words) for c in s.candidates]
    assert sum(not e.startswith("park") for e in found[0].excerpt_ids) <= 1
    assert {"parking", "permit", "car park", "permits"} & set(found[0].words[:4])
