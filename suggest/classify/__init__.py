"""Classification heads: they read texts and/or embeddings from the model's encoder, never build one.

- `LexicalClassifier`: TF-IDF words and character n-grams (reads texts)
- `DenseClassifier`: logistic regressions on sentence embeddings (reads embeddings)
- `CombinedClassifier`: both, blended with the codes' definition prior (reads texts and embeddings)
- `GroupedClassifier`: wraps any of them for single-choice code groups (softmax, prior-corrected choice)
"""
from __future__ import annotations

from suggest.classify.combined import CombinedClassifier
from suggest.classify.dense import DenseClassifier
from suggest.classify.groups import GroupedClassifier, decide, group_head
from suggest.classify.lexical import LexicalClassifier
from suggest.classify.prior import DefinitionPrior, definition_texts
from suggest.errors import DataError

KINDS = ("combined", "lexical", "dense")
HEADS = {"combined": CombinedClassifier, "lexical": LexicalClassifier, "dense": DenseClassifier}


def make_classifier(kind: str, codes=None, *, seed: int = 0, progress: bool = False, cv: int = 5):
    """An unfitted head of the given kind (combined, lexical or dense) for these code ids."""
    codes = tuple(codes) if codes is not None else None
    if kind == "combined":
        return CombinedClassifier(cv=cv, random_state=seed, progress=progress, codes=codes)
    if kind == "lexical":
        return LexicalClassifier(threshold_cv=cv, random_state=seed, codes=codes)
    if kind == "dense":
        return DenseClassifier(threshold_cv=cv, random_state=seed, codes=codes)
    raise DataError(f"unknown model kind '{kind}'", field="kind", hint=f"use one of: {', '.join(KINDS)}")


def fit_head(head, texts, Y, embeddings=None, definition_embeddings=None):
    """Fit a head on what it reads (see `input_kind`); returns the head."""
    if head.input_kind == "both":
        return head.fit(texts, Y, embeddings=embeddings, definition_embeddings=definition_embeddings)
    return head.fit(embeddings if head.input_kind == "embeddings" else texts, Y)


def predict_head(head, texts, embeddings=None) -> dict:
    """A fitted head's scores under 'proba' (n, k), and its parts' scores where it has parts."""
    if head.input_kind == "both":
        parts = head.predict_parts(texts, embeddings=embeddings)
        return {k: v for k, v in parts.items() if k != "embeddings"}
    return {"proba": head.predict_proba(embeddings if head.input_kind == "embeddings" else texts)}


__all__ = ["fit_head", "predict_head", "CombinedClassifier", "DenseClassifier", "LexicalClassifier", "DefinitionPrior", "HEADS", "KINDS",
           "GroupedClassifier", "decide", "definition_texts", "group_head", "make_classifier"]
