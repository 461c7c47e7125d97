"""The product-mode active-learning loop (experiments/active_learning_product.py) on the fake encoder."""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "experiments"))
alp = pytest.importorskip("active_learning_product")


@pytest.fixture(scope="module")
def split_corpus(small_corpus):
    """The shipped corpus' first 240 excerpts with its four most used codes (few codes: fast fits)."""
    from dataclasses import replace

    from suggest.corpus import CodedCorpus

    keep = np.sort(np.argsort(-small_corpus.Y.sum(axis=0), kind="stable")[:4])
    codebook = replace(small_corpus.codebook, codes=tuple(small_corpus.codebook.codes[j] for j in keep))
    corpus = CodedCorpus(codebook, small_corpus.excerpts, small_corpus.Y[:, keep])
    pool, test = alp.split(corpus)
    return corpus, pool, test


def test_two_rounds_give_a_learning_curve_at_the_right_budgets(split_corpus):
    corpus, pool, test = split_corpus
    cfg = dict(start=60, step=20, added=40)
    rounds = alp.run_seed("tiny", corpus, pool, test, ["uncertainty-diversity", "random"], seed=3, cfg=cfg,
                          encoder_name="fake")
    for arm in ("uncertainty-diversity", "random"):
        mine = [r for r in rounds if r.arm == arm]
        assert [r.added for r in mine] == [0, 20, 40]
        assert [r.n_labelled for r in mine] == [60, 80, 100]
        assert all(0 <= r.macro_f1 <= 1 and 0 <= r.rare_recall <= 1 for r in mine)
    first = [r.macro_f1 for r in rounds if r.added == 0]
    assert first[0] == first[1]  # both arms start from the same start set and model
    added, F, seeds = alp.curves(rounds, "random")
    assert added.tolist() == [0, 20, 40] and F.shape == (1, 3) and seeds == [3]
    rows = alp.compare(rounds, "uncertainty-diversity")
    assert [r["labels"] for r in rows] == [60, 80, 100]


@pytest.mark.parametrize("arm", ["uncertainty-diversity", "random"])
def test_pick_takes_uncoded_pool_excerpts_only(split_corpus, arm):
    from suggest.train import train

    corpus, pool, _ = split_corpus
    coded = pool[:50]
    model = train(corpus.subset(coded), encoder_name="fake", seed=0)
    picked = alp.pick(model, corpus, pool, coded, alp.make_arm(arm), 15, np.random.default_rng(0))
    assert len(picked) == 15 == len(set(picked.tolist()))
    assert set(picked.tolist()) <= set(pool.tolist()) - set(coded.tolist())


def _rounds(default: list[list[float]], random: list[list[float]]) -> list:
    out = []
    for arm, table in (("d", default), ("random", random)):
        for seed, row in enumerate(table):
            out += [alp.Round("x", arm, seed, a, 100 + a, f, 0.0, 0.0, 0.0) for a, f in zip((0, 50, 100), row)]
    return out


def test_compare_needs_a_margin_beyond_the_spread_between_seeds():
    clear = _rounds([[0.30, 0.40, 0.50], [0.31, 0.41, 0.51]], [[0.30, 0.35, 0.40], [0.31, 0.36, 0.41]])
    rows = alp.compare(clear, "d")
    assert [r["beats"] for r in rows] == [False, True, True]
    assert rows[2]["margin"] == pytest.approx(0.10) and rows[2]["spread"] == pytest.approx(0.01)
    noisy = _rounds([[0.30, 0.40, 0.50], [0.31, 0.30, 0.40]], [[0.30, 0.35, 0.45], [0.31, 0.35, 0.45]])
    assert [r["beats"] for r in alp.compare(noisy, "d")] == [False, False, False]


def test_labels_to_target_reads_the_mean_curve_and_each_seed():
    rounds = _rounds([[0.30, 0.40, 0.50], [0.31, 0.46, 0.51]], [[0.30, 0.35, 0.40], [0.31, 0.36, 0.41]])
    assert alp.labels_to_target(rounds, "d", 0.43) == (150, [200, 150])
    assert alp.labels_to_target(rounds, "random", 0.43) == (None, [None, None])


def test_arm_specs_set_strategy_parameters():
    arm = alp.make_arm("uncertainty-diversity:rare_weight=0.25,candidates=5")
    assert (arm.rare_weight, arm.candidates, arm.rarity) == (0.25, 5, 0.5)
    assert alp.make_arm("random").name == "random"
