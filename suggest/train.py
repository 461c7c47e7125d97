"""Train a SuggestionModel from a coded corpus."""
from __future__ import annotations

import time

import numpy as np

from suggest.codebook import Codebook
from suggest.corpus import CodedCorpus
from suggest.errors import DataError
from suggest.model import KINDS, SuggestionModel, new_config


def definition_texts(codebook: Codebook) -> list[str]:
    """What the definition prior embeds for each code: 'name: definition' (underscores read as spaces)."""
    return [f"{c.name}: {c.definition}".replace("_", " ") for c in codebook]


def make_classifier(kind: str, codebook: Codebook, embedder, *, seed: int = 0, progress: bool = False,
                    cv: int = 5):
    """An unfitted estimator of the given kind (combined, lexical or dense)."""
    from suggest.classify.combined import CombinedClassifier
    from suggest.classify.dense import DenseClassifier
    from suggest.classify.lexical import LexicalClassifier

    if kind == "combined":
        return CombinedClassifier(embedder=embedder, definitions=definition_texts(codebook), cv=cv,
                                  random_state=seed, progress=progress)
    if kind == "lexical":
        return LexicalClassifier(threshold_cv=cv, random_state=seed)
    if kind == "dense":
        return DenseClassifier(embedder=embedder, threshold_cv=cv, random_state=seed)
    raise DataError(f"unknown model kind '{kind}'", field="kind", hint=f"use one of: {', '.join(KINDS)}")


def train(corpus: CodedCorpus, *, kind: str = "combined", embedder_name: str | None = None, seed: int = 0,
          progress: bool = False, cache_dir=None, extra_config: dict | None = None) -> SuggestionModel:
    """Fit a model on `corpus` and return it with its evidence (embeddings of the training excerpts)."""
    from suggest.embed import make_embedder

    if len(corpus) < 10:
        raise DataError(f"only {len(corpus)} coded excerpts; at least 10 are needed to train",
                        hint="code more excerpts first")
    if corpus.Y.sum() == 0:
        raise DataError("no excerpt carries any code", field="code", hint="check the code column")
    kwargs = {"progress": progress}
    if cache_dir is not None:
        kwargs["cache_dir"] = cache_dir
    embedder = make_embedder(embedder_name, **kwargs) if not (embedder_name or "").startswith("fake") \
        else make_embedder(embedder_name)
    codebook = corpus.codebook
    t0 = time.perf_counter()
    E = embedder.transform(corpus.texts)
    clf = make_classifier(kind, codebook, embedder, seed=seed, progress=progress)
    X = E if kind == "dense" else corpus.texts
    clf.fit(X, corpus.Y)
    fit_seconds = time.perf_counter() - t0
    extra = {"fit_seconds": round(fit_seconds, 2), "positives": corpus.Y.sum(axis=0).astype(int).tolist()}
    if hasattr(clf, "oof_proba_"):
        extra["cv_metrics"] = cv_summary(clf.oof_proba_, corpus.Y, clf.thresholds_, codebook)
    config = new_config(kind=kind, codebook=codebook, embedder_name=getattr(embedder, "name", str(embedder_name)),
                        thresholds=clf.thresholds_, data_hash=corpus.data_hash, n_excerpts=len(corpus), seed=seed,
                        params={k: v for k, v in clf.get_params(deep=False).items()
                                if isinstance(v, (int, float, str, bool, type(None)))},
                        extra={**extra, **(extra_config or {})})
    return SuggestionModel(codebook=codebook, classifier=clf, embedder=embedder, config=config,
                           evidence_ids=corpus.ids, evidence_texts=corpus.texts, evidence_Y=corpus.Y.copy(),
                           evidence_E=E)


def cv_summary(oof: np.ndarray, Y: np.ndarray, thresholds: np.ndarray, codebook: Codebook) -> dict:
    """Out-of-fold macro/micro F1 and per-code F1 at the chosen thresholds."""
    from sklearn.metrics import f1_score

    pred = (oof >= thresholds).astype(int)
    per_code = f1_score(Y, pred, average=None, zero_division=0)
    return {
        "macro_f1": round(float(np.mean(per_code)), 4),
        "micro_f1": round(float(f1_score(Y, pred, average="micro", zero_division=0)), 4),
        "per_code_f1": {c: round(float(f), 4) for c, f in zip(codebook.ids, per_code)},
    }
