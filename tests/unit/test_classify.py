"""The heads on tiny in-memory data with the fake encoder: shapes, parts, thresholds, the prior."""
from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse

from suggest.classify.base import best_f1_threshold, calibrated_f1_threshold, fit_binary, multilabel_folds
from suggest.classify.combined import CombinedClassifier
from suggest.classify.dense import DenseClassifier
from suggest.classify.lexical import LexicalClassifier
from suggest.embed import FakeEmbedder

TOPICS = {
    "mentor": ["the mentor phoned and listened", "mentor visits helped a lot", "my mentor called every week",
               "support from the mentor kept me going", "the mentor listened to my worries"],
    "work": ["back at work on reduced hours", "my employer agreed a phased return to work",
             "returning to work felt scary", "work adjustments were agreed with the manager",
             "the occupational health review at work"],
    "fatigue": ["fatigue made the days long", "so tired after the stroke", "fatigue stops me driving",
                "tired all the time and sleeping badly", "managing fatigue with rest breaks"],
}


@pytest.fixture(scope="module")
def data() -> tuple[list[str], np.ndarray]:
    texts, rows = [], []
    for rep in range(3):
        for j, examples in enumerate(TOPICS.values()):
            for text in examples:
                texts.append(f"{text} (note {rep})")
                rows.append([int(i == j) for i in range(len(TOPICS))])
    texts.append("mentor support while back at work")
    rows.append([1, 1, 0])
    return texts, np.array(rows)


DEFINITIONS = ["Mentor: support from the mentor", "Work: return to work", "Fatigue: tiredness after stroke"]
ENC = FakeEmbedder()


def fit_combined(texts, Y, definitions=DEFINITIONS, **params) -> CombinedClassifier:
    params = {"cv": 3, "random_state": 0, **params}
    D = ENC.transform(definitions) if definitions is not None else None
    return CombinedClassifier(**params).fit(texts, Y, embeddings=ENC.transform(texts), definition_embeddings=D)


def test_best_f1_threshold_separates_and_keeps_ties_together():
    scores = np.array([0.9, 0.8, 0.3, 0.2])
    assert 0.3 < best_f1_threshold(scores, np.array([1, 1, 0, 0])) < 0.8
    tied = best_f1_threshold(np.array([0.6, 0.6, 0.1]), np.array([1, 0, 0]))
    assert tied < 0.6  # both tied excerpts fall on the same side
    assert best_f1_threshold(scores, np.zeros(4), default=0.5) == 0.5


def test_calibrated_threshold_is_never_above_the_f1_argmax():
    rng = np.random.default_rng(0)
    for _ in range(20):
        y = rng.random(200) < 0.1
        scores = np.clip(0.4 * y + rng.random(200) * 0.6, 0, 1)
        assert calibrated_f1_threshold(scores, y) <= best_f1_threshold(scores, y) + 1e-12
    # a perfectly separated code keeps its F1-optimal threshold (half of F1 = 1 is 0.5)
    assert calibrated_f1_threshold(np.array([0.9, 0.8, 0.2, 0.1]), np.array([1, 1, 0, 0])) == pytest.approx(0.5)


def test_dual_and_primal_solvers_agree():
    rng = np.random.default_rng(1)
    X = sparse.random(40, 300, density=0.05, random_state=1, format="csr")
    y = (rng.random(40) < 0.3).astype(int)
    wide = fit_binary(X, y, C=4.0, class_weight="balanced", random_state=0)
    assert wide.dual
    from sklearn.linear_model import LogisticRegression

    primal = LogisticRegression(C=4.0, class_weight="balanced", solver="liblinear", max_iter=1000).fit(X, y)
    np.testing.assert_allclose(wide.predict_proba(X), primal.predict_proba(X), atol=1e-3)
    assert fit_binary(X, np.ones(40), 1.0, None, 0) == 1.0  # a constant code needs no model


def test_multilabel_folds_cover_every_row_once(data):
    _, Y = data
    folds = multilabel_folds(Y, 5, random_state=0)
    held_out = np.concatenate([va for _, va in folds])
    assert sorted(held_out.tolist()) == list(range(len(Y)))


def test_lexical_model(data):
    texts, Y = data
    clf = LexicalClassifier(threshold_cv=3, random_state=0).fit(texts, Y)
    proba = clf.predict_proba(["my mentor listened", "tired and fatigue"])
    assert proba.shape == (2, 3) and clf.thresholds_.shape == (3,)
    assert proba[0].argmax() == 0 and proba[1].argmax() == 2
    assert "mentor" in clf.top_terms("my mentor listened", 0)
    assert clf.predict(["my mentor listened"]).tolist() == [[1, 0, 0]]


def test_dense_head_reads_embeddings_and_refuses_texts(data):
    texts, Y = data
    clf = DenseClassifier(random_state=0).fit(ENC.transform(texts), Y)
    proba = clf.predict_proba(ENC.transform(["my mentor listened", "tired and fatigue"]))
    assert proba[0].argmax() == 0 and proba[1].argmax() == 2
    with pytest.raises(ValueError, match="embeddings, not texts"):
        clf.predict_proba(texts[:2])


def test_combined_model_parts_and_contract(data):
    from sklearn.base import clone

    from sklearn.metrics import f1_score

    texts, Y = data
    assert clone(CombinedClassifier(cv=3)).get_params()["cv"] == 3
    clf = fit_combined(texts, Y)
    new = ["the mentor phoned", "fatigue again"]
    parts = clf.predict_parts(new, embeddings=ENC.transform(new))
    assert {"proba", "embeddings", "lexical", "dense", "prior"} <= set(parts)
    assert parts["proba"].shape == (2, 3) and parts["embeddings"].shape == (2, 64)
    assert clf.oof_proba_.shape == Y.shape
    # thresholds come from the out-of-fold scores by the calibrated rule, and separate this easy data well
    for j in range(3):
        assert clf.thresholds_[j] == calibrated_f1_threshold(clf.oof_proba_[:, j], Y[:, j])
    assert f1_score(Y, clf.oof_proba_ >= clf.thresholds_, average="macro") > 0.8
    np.testing.assert_allclose(clf.predict_proba(new[:1], embeddings=ENC.transform(new[:1])), parts["proba"][:1])
    assert parts["proba"][0].argmax() == 0 and parts["proba"][1].argmax() == 2


def test_combined_is_deterministic_for_a_seed(data):
    texts, Y = data
    a, b = fit_combined(texts, Y, random_state=3), fit_combined(texts, Y, random_state=3)
    E = ENC.transform(texts)
    np.testing.assert_array_equal(a.predict_proba(texts, embeddings=E), b.predict_proba(texts, embeddings=E))
    np.testing.assert_array_equal(a.thresholds_, b.thresholds_)


def test_a_code_nobody_used_falls_back_on_its_definition(data):
    texts, Y = data
    Y4 = np.column_stack([Y, np.zeros(len(Y), int)])
    defs = DEFINITIONS + ["Driving: getting back behind the wheel of a car"]
    clf = fit_combined(texts, Y4, definitions=defs)
    assert isinstance(clf.blends_[3], tuple) and clf.blends_[3][0] == "prior"
    new = ["driving the car again", "the mentor phoned"]
    proba = clf.predict_proba(new, embeddings=ENC.transform(new))
    assert proba[0, 3] > proba[1, 3]


def test_definitions_must_match_codes(data):
    texts, Y = data
    with pytest.raises(ValueError, match="2 definition embeddings for 3 codes"):
        fit_combined(texts, Y, definitions=DEFINITIONS[:2])
