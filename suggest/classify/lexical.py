"""Lexical model: TF-IDF word and character n-grams, one logistic regression per code."""
from __future__ import annotations

from typing import Sequence

import numpy as np
from scipy import sparse

from suggest.classify.base import MultiLabelBase, check_labels, check_texts, fit_binary, proba_many


class LexicalClassifier(MultiLabelBase):
    """TF-IDF over word 1-2-grams and character 2-5-grams, one logistic regression per code."""

    def __init__(self, C: float = 4.0, word_ngram_range: tuple[int, int] = (1, 2),
                 char_ngram_range: tuple[int, int] = (2, 5), max_features: int = 100_000,
                 class_weight: str | None = "balanced", threshold_cv: int = 0, random_state: int | None = 0,
                 codes: Sequence[str] | None = None):
        self.C = C
        self.word_ngram_range = word_ngram_range
        self.char_ngram_range = char_ngram_range
        self.max_features = max_features
        self.class_weight = class_weight
        self.threshold_cv = threshold_cv
        self.random_state = random_state
        self.codes = codes

    def _features(self, X: Sequence[str], fit: bool = False):
        if fit:
            from sklearn.feature_extraction.text import TfidfVectorizer

            self.word_ = TfidfVectorizer(ngram_range=tuple(self.word_ngram_range), sublinear_tf=True,
                                         token_pattern=r"(?u)\b[^\W\d_][\w'-]*\b", max_features=self.max_features)
            self.char_ = TfidfVectorizer(analyzer="char_wb", ngram_range=tuple(self.char_ngram_range),
                                         sublinear_tf=True, min_df=2, max_features=self.max_features)
            parts = [self.word_.fit_transform(X), self.char_.fit_transform(X)]
            for vectorizer in (self.word_, self.char_):  # plain ints: skops writes one file per numpy scalar
                vectorizer.vocabulary_ = {term: int(j) for term, j in vectorizer.vocabulary_.items()}
        else:
            from suggest.classify import ngrams

            pieces = ngrams.split(X)
            parts = [ngrams.transform(v, X, pieces, sorted_indices=False) if ngrams.supported(v) else v.transform(X)
                     for v in (self.word_, self.char_)]
        return sparse.hstack(parts).tocsr()

    def word_features(self, X: Sequence[str]):
        """TF-IDF of the word n-grams alone (the features `top_terms` explains)."""
        from suggest.classify import ngrams

        return ngrams.transform(self.word_, X) if ngrams.supported(self.word_) else self.word_.transform(X)

    def fit(self, X: Sequence[str], Y: np.ndarray) -> "LexicalClassifier":
        X = check_texts(X)
        Y = check_labels(Y, len(X))
        self._set_classes(Y)
        F = self._features(X, fit=True)
        self.estimators_ = [fit_binary(F, Y[:, j], self.C, self.class_weight, self.random_state)
                            for j in range(Y.shape[1])]
        self._tune_thresholds(X, Y)
        return self

    def predict_proba(self, X: Sequence[str]) -> np.ndarray:
        self._check_fitted()
        F = self._features(check_texts(X))
        return proba_many(self, F)

    def top_terms(self, text: str, code_index: int, n: int = 5) -> list[str]:
        """Words of `text` that raised the score of one code most (largest tf-idf x weight)."""
        self._check_fitted()
        model = self.estimators_[code_index]
        if isinstance(model, float):
            return []
        x = self.word_features([str(text)])
        n_word = len(self.word_.vocabulary_)
        coef = model.coef_[0, :n_word]
        idx, vals = x.indices, x.data * coef[x.indices]
        names = self.word_.get_feature_names_out()
        order = np.argsort(-vals)
        return [str(names[idx[i]]) for i in order[:n] if vals[i] > 0]
