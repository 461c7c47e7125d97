"""Every head keeps the scikit-learn contract: clone, params, fit returns self and leaves params alone,
NotFittedError before fit, classes_, pickle round trip, same seed -> same scores, clear input errors."""
from __future__ import annotations

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from suggest.classify import (HEADS, CombinedClassifier, DenseClassifier, GroupedClassifier, LexicalClassifier, fit_head,
                              predict_head)
from suggest.embed import FakeEmbedder

ENC = FakeEmbedder(dim=32)
CODES = ("mentor", "work", "fatigue")
WORDS = {"mentor": "mentor phoned listened visit", "work": "employer hours return manager",
         "fatigue": "tired fatigue sleep rest"}


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    texts, rows = [], []
    for i in range(60):
        j = i % 3
        words = WORDS[CODES[j]].split()
        texts.append(" ".join(rng.choice(words, 4)) + f" note {i}")
        rows.append([int(k == j) for k in range(3)])
    return texts, np.array(rows), ENC.transform(texts), ENC.transform([f"{c}: {WORDS[c]}" for c in CODES])


KINDS = sorted(HEADS) + ["grouped"]  # grouped: a lexical head with an at-most-one group of two codes


def make(kind: str, **params):
    if kind == "grouped":
        codes = params.pop("codes", CODES)
        members = CODES[:2] if codes is not None else (0, 1)
        return GroupedClassifier(LexicalClassifier(threshold_cv=3, codes=codes), groups=(("at-most-one", members),),
                                 cv=3, **{"random_state": 0, **params})
    small = {"combined": {"cv": 3}, "lexical": {"threshold_cv": 3}, "dense": {"threshold_cv": 3}}[kind]
    return HEADS[kind](**{**small, "random_state": 0, "codes": CODES, **params})


def fit(head, data):
    texts, Y, E, D = data
    return fit_head(head, texts, Y, E, D)


def scores(head, data):
    texts, _, E, _ = data
    return predict_head(head, texts[:10], E[:10])["proba"]


@pytest.mark.parametrize("kind", KINDS)
def test_clone_and_params_round_trip(kind):
    head = make(kind, random_state=7)
    params = plain(head.get_params())
    twin = clone(head)
    assert twin is not head and plain(twin.get_params()) == params
    twin.set_params(random_state=8)
    assert twin.get_params()["random_state"] == 8 and head.get_params()["random_state"] == 7


def plain(params: dict) -> dict:
    """Parameters without nested estimators (a clone holds an equal copy, not the same object)."""
    return {k: v for k, v in params.items() if not hasattr(v, "get_params")}


@pytest.mark.parametrize("kind", KINDS)
def test_fit_returns_self_and_leaves_params(kind, data):
    head = make(kind)
    before = head.get_params()
    assert fit(head, data) is head
    assert head.get_params() == before


@pytest.mark.parametrize("kind", KINDS)
def test_not_fitted_error_before_fit(kind, data):
    with pytest.raises(NotFittedError):
        scores(make(kind), data)


@pytest.mark.parametrize("kind", KINDS)
def test_classes_are_the_code_ids(kind, data):
    head = fit(make(kind), data)
    assert head.classes_.tolist() == list(CODES)
    assert fit(make(kind, codes=None), data).classes_.tolist() == [0, 1, 2]
    assert scores(head, data).shape == (10, 3)


@pytest.mark.parametrize("kind", KINDS)
def test_pickle_round_trip(kind, data):
    head = fit(make(kind), data)
    again = pickle.loads(pickle.dumps(head))
    np.testing.assert_array_equal(scores(again, data), scores(head, data))
    np.testing.assert_array_equal(again.thresholds_, head.thresholds_)


@pytest.mark.parametrize("kind", KINDS)
def test_same_seed_same_scores(kind, data):
    a, b = fit(make(kind, random_state=3), data), fit(make(kind, random_state=3), data)
    np.testing.assert_array_equal(scores(a, data), scores(b, data))
    np.testing.assert_array_equal(a.thresholds_, b.thresholds_)


@pytest.mark.parametrize("kind", KINDS)
def test_scores_are_learned(kind, data):
    """Each head ranks the right code first on most excerpts: the scores come from the data."""
    texts, Y, E, _ = data
    P = predict_head(fit(make(kind), data), texts, E)["proba"]
    assert (P.argmax(axis=1) == Y.argmax(axis=1)).mean() > 0.9


def test_bad_inputs_get_clear_errors(data):
    texts, Y, E, D = data
    with pytest.raises(ValueError, match="empty"):
        LexicalClassifier().fit([], np.zeros((0, 3)))
    with pytest.raises(ValueError, match="one string"):
        LexicalClassifier().fit("a single text", Y)
    with pytest.raises(ValueError, match="rows for"):
        LexicalClassifier().fit(texts, Y[:5])
    with pytest.raises(ValueError, match="only 0 and 1"):
        LexicalClassifier().fit(texts, Y * 2)
    with pytest.raises(ValueError, match="2-D"):
        LexicalClassifier().fit(texts, Y[:, 0])
    bad = E.copy()
    bad[3, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        DenseClassifier().fit(bad, Y)
    with pytest.raises(ValueError, match="2-D"):
        DenseClassifier().fit(E[0], Y)
    with pytest.raises(ValueError, match="not texts"):
        DenseClassifier().fit(texts, Y)
    with pytest.raises(ValueError, match="embeddings are required"):
        CombinedClassifier(cv=3).fit(texts, Y, embeddings=None)
    with pytest.raises(ValueError, match="same encoder"):
        CombinedClassifier(cv=3).fit(texts, Y, embeddings=E, definition_embeddings=D[:, :16])
    with pytest.raises(ValueError, match="2 codes for 3"):
        LexicalClassifier(codes=("a", "b")).fit(texts, Y)
