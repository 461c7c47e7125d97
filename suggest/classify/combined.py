"""The default head: a calibrated blend of the lexical and dense heads and a definition prior.

It reads texts (`X`) and their embeddings (`embeddings=`, from the model's encoder); the prior
needs the codes' definition embeddings (`definition_embeddings=` at fit). Fitting, with folds
stratified over the label matrix:
1. out-of-fold probabilities of the lexical and the dense model;
2. the prior: cosine similarity of each excerpt to each code's "name: definition";
3. per code, a logistic regression on [logit p_lexical, logit p_dense, similarity, relative
   similarity] calibrates the blend; codes with fewer than `min_positives` examples share one
   blend fitted on all codes, and codes with none use the prior alone;
4. per-code thresholds come from out-of-fold blended scores, which the blend calibrates: the lower
   of the F1-maximising threshold and half the F1 it reaches (`calibrated_f1_threshold`), so rare
   codes keep their recall; an excerpt with no code above its threshold gets no suggestion.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from suggest.classify.base import (MultiLabelBase, calibrated_f1_threshold, check_embeddings, check_labels,
                                   check_texts, logit, multilabel_folds)
from suggest.classify.dense import DenseClassifier
from suggest.classify.lexical import LexicalClassifier
from suggest.classify.prior import prior_features


def _progress(iterable, enabled: bool, desc: str, total: int | None = None):
    if not enabled:
        return iterable
    from tqdm.auto import tqdm

    return tqdm(iterable, desc=desc, total=total, leave=False)


class CombinedClassifier(MultiLabelBase):
    """Lexical + dense + definition prior, blended and calibrated per code.

    Parameters
    ----------
    lexical_C, dense_C, blend_C : inverse regularisation of the lexical, dense and blend models.
    cv : folds for out-of-fold scores (blend and thresholds).
    min_positives : codes with fewer positives use the shared blend.
    codes : code ids, label-column order (become `classes_`).
    """

    input_kind = "both"

    def __init__(self, lexical_C: float = 4.0, dense_C: float = 2.0, blend_C: float = 1.0, cv: int = 5,
                 min_positives: int = 8, random_state: int | None = 0, progress: bool = False,
                 codes: Sequence[str] | None = None):
        self.lexical_C = lexical_C
        self.dense_C = dense_C
        self.blend_C = blend_C
        self.cv = cv
        self.min_positives = min_positives
        self.random_state = random_state
        self.progress = progress
        self.codes = codes

    # --- features ---------------------------------------------------------------
    def _prior(self, E: np.ndarray) -> np.ndarray:
        """(n, k, 2) definition-prior features (zeros without definitions)."""
        if self.definition_vectors_ is None:
            return np.zeros((E.shape[0], self.n_codes_, 2))
        return prior_features(E, self.definition_vectors_)

    @staticmethod
    def _stack(p_lex: np.ndarray, p_dense: np.ndarray, prior: np.ndarray) -> np.ndarray:
        """Blend features, shape (n, k, 4)."""
        return np.concatenate([logit(p_lex)[..., None], logit(p_dense)[..., None], prior], axis=2)

    # --- fitting ----------------------------------------------------------------
    def _fit_blends(self, Z: np.ndarray, Y: np.ndarray) -> tuple[list, object, object]:
        from sklearn.linear_model import LogisticRegression

        def lr():
            return LogisticRegression(C=self.blend_C, max_iter=1000)

        k = Y.shape[1]
        counts = Y.sum(axis=0)
        rich = counts >= self.min_positives
        pool = rich if rich.any() else counts > 0
        shared = lr().fit(Z[:, pool].reshape(-1, Z.shape[2]), Y[:, pool].T.reshape(-1)) if pool.any() else None
        prior_only = None
        if self.definition_vectors_ is not None and pool.any():
            prior_only = lr().fit(Z[:, pool, 2:].reshape(-1, 2), Y[:, pool].T.reshape(-1))
        per_code = []
        for j in range(k):
            if rich[j] and 0 < counts[j] < len(Y):
                per_code.append(lr().fit(Z[:, j], Y[:, j]))
            elif counts[j] == 0 and prior_only is not None:
                per_code.append(("prior", prior_only))
            else:
                per_code.append(("shared", shared))
        return per_code, shared, prior_only

    @staticmethod
    def _apply_blends(blends: list, Z: np.ndarray) -> np.ndarray:
        """(n, k) blended scores from the (n, k, 4) features: every code's logistic regression at once."""
        from scipy.special import expit

        k, f = Z.shape[1], Z.shape[2]
        W, b, off = np.zeros((k, f)), np.zeros(k), np.zeros(k, bool)
        for j, blend in enumerate(blends):
            kind, model = blend if isinstance(blend, tuple) else ("own", blend)
            if model is None:
                off[j] = True
                continue
            cols = slice(2, f) if kind == "prior" else slice(0, f)  # the prior-only blend reads the prior
            W[j, cols], b[j] = model.coef_[0], model.intercept_[0]
        out = expit(np.einsum("nkf,kf->nk", Z, W) + b)
        out[:, off] = 0.0
        return out

    def fit(self, X: Sequence[str], Y: np.ndarray, *, embeddings: np.ndarray,
            definition_embeddings: np.ndarray | None = None, cross_fit: list | None = None) -> "CombinedClassifier":
        """X: texts; Y: (n, k) 0/1; embeddings: (n, dim) of X; definition_embeddings: (k, dim) or None.

        `cross_fit`, for an encoder fine-tuned on these excerpts: a list of (train_idx, val_idx,
        embeddings, definition_embeddings), one per fold, each encoded by an encoder fine-tuned on
        that fold's train_idx only. The out-of-fold scores that fit the blend and the thresholds
        then come from encoders that never saw the excerpts they score.
        """
        X = check_texts(X)
        E = check_embeddings(embeddings, len(X))
        Y = check_labels(Y, len(X))
        self._set_classes(Y)
        if definition_embeddings is not None:
            D = check_embeddings(definition_embeddings, name="definition_embeddings")
            if len(D) != Y.shape[1]:
                raise ValueError(f"{len(D)} definition embeddings for {Y.shape[1]} codes")
            if D.shape[1] != E.shape[1]:
                raise ValueError(f"definition embeddings have {D.shape[1]} dimensions, excerpt embeddings "
                                 f"{E.shape[1]}: encode both with the same encoder")
            self.definition_vectors_ = D
        else:
            self.definition_vectors_ = None
        if cross_fit is None:
            folds = multilabel_folds(Y, self.cv, self.random_state)
            encoded = [(E, self.definition_vectors_)] * len(folds)
        else:
            folds = [(np.asarray(tr), np.asarray(va)) for tr, va, _, _ in cross_fit]
            encoded = [(check_embeddings(Ek, len(X)), Dk if self.definition_vectors_ is not None else None)
                       for _, _, Ek, Dk in cross_fit]
        p_lex, p_dense = np.zeros(Y.shape), np.zeros(Y.shape)
        prior = self._prior(E) if cross_fit is None else np.zeros((len(X), Y.shape[1], 2))
        for (tr, va), (Ek, Dk) in _progress(list(zip(folds, encoded)), self.progress, "cross-validating",
                                            len(folds)):
            lex = LexicalClassifier(C=self.lexical_C, random_state=self.random_state).fit([X[i] for i in tr], Y[tr])
            p_lex[va] = lex.predict_proba([X[i] for i in va])
            den = DenseClassifier(C=self.dense_C, random_state=self.random_state).fit(Ek[tr], Y[tr])
            p_dense[va] = den.predict_proba(Ek[va])
            if cross_fit is not None and Dk is not None:
                prior[va] = prior_features(Ek[va], Dk)
        Z = self._stack(p_lex, p_dense, prior)
        oof = np.zeros(Y.shape)
        for tr, va in folds:
            blends, _, _ = self._fit_blends(Z[tr], Y[tr])
            oof[va] = self._apply_blends(blends, Z[va])
        self.oof_proba_ = oof
        self.thresholds_ = np.array([calibrated_f1_threshold(oof[:, j], Y[:, j]) for j in range(Y.shape[1])])
        self.blends_, _, _ = self._fit_blends(Z, Y)
        self.lexical_ = LexicalClassifier(C=self.lexical_C, random_state=self.random_state).fit(X, Y)
        self.dense_ = DenseClassifier(C=self.dense_C, random_state=self.random_state).fit(E, Y)
        self.positives_ = Y.sum(axis=0)
        self.n_features_in_ = E.shape[1]
        return self

    # --- prediction ---------------------------------------------------------------
    def predict_parts(self, X: Sequence[str], *, embeddings: np.ndarray) -> dict[str, np.ndarray]:
        """Blended scores and each part's: keys proba, lexical, dense, prior (all (n, k)), and embeddings."""
        self._check_fitted()
        X = check_texts(X)
        E = check_embeddings(embeddings, len(X))
        p_lex = self.lexical_.predict_proba(X)
        p_dense = self.dense_.predict_proba(E)
        prior = self._prior(E)
        proba = self._apply_blends(self.blends_, self._stack(p_lex, p_dense, prior))
        return {"proba": proba, "lexical": p_lex, "dense": p_dense, "prior": prior[..., 0], "embeddings": E}

    def predict_proba(self, X: Sequence[str], *, embeddings: np.ndarray) -> np.ndarray:
        return self.predict_parts(X, embeddings=embeddings)["proba"]

    def predict(self, X: Sequence[str], *, embeddings: np.ndarray) -> np.ndarray:
        return (self.predict_proba(X, embeddings=embeddings) >= self.thresholds_).astype(int)
