"""Candidate new mechanisms with the real sentence encoder: a planted theme, and the shipped corpus."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def encoder():
    from suggest.embed import SentenceEmbedder

    return SentenceEmbedder(cache_dir=False)


def test_planted_theme_is_a_top_candidate_with_the_real_encoder(encoder):
    from test_synthesis import CMO, candidate_corpus

    from suggest.synthesis import from_long, synthesise

    s = synthesise(from_long(candidate_corpus(), CMO), encoder=encoder)
    top = s.candidates[:2]
    assert any(sum(e.startswith("park") for e in c.excerpt_ids) >= 5
               and sum(not e.startswith("park") for e in c.excerpt_ids) <= 1 for c in top), \
        [(c.excerpt_ids, c.words) for c in s.candidates]


def test_shipped_corpus_candidates_yaml(encoder, tmp_path, codebook):
    import yaml

    from conftest import DATA
    from suggest.synthesis import from_table, synthesise, write

    s = synthesise(from_table([DATA / "coded.csv"], codebook), encoder=encoder)
    write(s, tmp_path)
    fragment = yaml.safe_load((tmp_path / "candidates.yaml").read_text(encoding="utf-8"))
    assert len(fragment["codes"]) == len(s.candidates) >= 1
    assert all(c.coherence > 0.3 and c.size >= 4 for c in s.candidates)
