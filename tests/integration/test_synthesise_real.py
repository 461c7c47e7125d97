"""Candidate new mechanisms with the real sentence encoder: a planted theme no code covers comes out on top."""
from __future__ import annotations

import pytest

from synthesis_corpora import CMO, candidate_corpus

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def encoder():
    from suggest.embed import SentenceEmbedder

    return SentenceEmbedder(cache_dir=False)


def test_planted_theme_is_a_top_candidate_with_the_real_encoder(encoder):
    from suggest.synthesis import from_long, synthesise

    s = synthesise(from_long(candidate_corpus(), CMO), encoder=encoder)
    top = s.candidates[:2]
    assert any(sum(e.startswith("park") for e in c.excerpt_ids) >= 5
               and sum(not e.startswith("park") for e in c.excerpt_ids) <= 1 for c in top), \
        [(c.excerpt_ids, c.words) for c in s.candidates]
