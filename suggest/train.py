"""Train a SuggestionModel from a coded corpus: encode the excerpts once, fit the head on them."""
from __future__ import annotations

import time

import numpy as np

from suggest.codebook import Codebook
from suggest.corpus import CodedCorpus
from suggest.errors import DataError
from suggest.model import SuggestionModel, new_config


def make_encoder(name: str | None = None, *, progress: bool = False, cache_dir=None):
    """The sentence encoder by name (None = the shipped all-MiniLM-L6-v2; 'fake' for tests)."""
    from suggest.embed import make_embedder

    if (name or "").startswith("fake"):
        return make_embedder(name)
    kwargs = {"progress": progress}
    if cache_dir is not None:
        kwargs["cache_dir"] = cache_dir
    return make_embedder(name, **kwargs)


def train(corpus: CodedCorpus, *, kind: str = "combined", encoder_name: str | None = None, seed: int = 0,
          progress: bool = False, cache_dir=None, extra_config: dict | None = None,
          fine_tune=None, context: str = "auto") -> SuggestionModel:
    """Fit a model on `corpus` and return it with its evidence (embeddings of the training excerpts).

    `fine_tune`: None for the stock encoder, or `suggest.finetune.FineTuneSettings` to tune the
    encoder on the corpus (combined models only), cross-fitted so calibration stays honest.
    A codebook with single-choice groups gets a `GroupedClassifier` around the head.
    `context`: 'on' reads each excerpt under its context (corpus column `context`), 'off' the text
    alone, 'auto' (default) uses context when the corpus has any (README, "Context").
    """
    from suggest.classify import fit_head, group_head, make_classifier
    from suggest.classify.base import multilabel_folds
    from suggest.classify.prior import definition_texts

    if len(corpus) < 10:
        raise DataError(f"only {len(corpus)} coded excerpts; at least 10 are needed to train",
                        hint="code more excerpts first")
    if corpus.Y.sum() == 0:
        raise DataError("no excerpt carries any code", field="code", hint="check the code column")
    codebook = corpus.codebook
    use_context = use_context_for(corpus, context)
    texts = corpus.inputs(use_context)
    if fine_tune is not None and kind != "combined":
        raise DataError(f"fine-tuning the encoder needs the combined model, not '{kind}'", field="--fine-tune",
                        hint="leave out --kind, or leave out --fine-tune")
    t0 = time.perf_counter()
    extra: dict = {}
    if fine_tune is None:
        head = group_head(make_classifier(kind, codebook.ids, seed=seed, progress=progress), codebook,
                          random_state=seed)
        encoder = make_encoder(encoder_name, progress=progress, cache_dir=cache_dir)
        E = encoder.transform(texts)
        D = encoder.transform(definition_texts(codebook)) if head.input_kind == "both" else None
        fit_head(head, texts, corpus.Y, E, D)
    else:
        from dataclasses import asdict

        from suggest.finetune import cross_fit_encoders

        head = group_head(make_classifier(kind, codebook.ids, seed=seed, progress=progress, cv=fine_tune.folds),
                          codebook, random_state=seed)
        folds = multilabel_folds(corpus.Y, fine_tune.folds, seed)
        encoder, cross_fit, tune_seconds = cross_fit_encoders(
            texts, corpus.Y, definition_texts(codebook), folds, base=encoder_name, settings=fine_tune,
            seed=seed, progress=progress, cache_dir=cache_dir)
        E = encoder.transform(texts)
        head.fit(texts, corpus.Y, embeddings=E, definition_embeddings=encoder.transform(
            definition_texts(codebook)), cross_fit=cross_fit)
        extra["fine_tune"] = {**asdict(fine_tune), "seconds": round(tune_seconds, 1),
                              "base": encoder.base, "fingerprint": encoder.fingerprint}
    fit_seconds = time.perf_counter() - t0
    extra.update(fit_seconds=round(fit_seconds, 2), positives=corpus.Y.sum(axis=0).astype(int).tolist(),
                 context=use_context)
    if codebook.groups:
        extra["groups"] = [{"id": g.id, **cfg} for g, cfg in zip(codebook.groups, head.group_config())]
    if hasattr(head, "oof_proba_"):
        extra["cv_metrics"] = cv_summary(head.oof_proba_, corpus.Y, head.thresholds_, codebook,
                                         extra.get("groups", ()))
    config = new_config(kind=kind, codebook=codebook, encoder_name=getattr(encoder, "name", str(encoder_name)),
                        thresholds=head.thresholds_, data_hash=corpus.data_hash, n_excerpts=len(corpus), seed=seed,
                        params={k: v for k, v in getattr(head, "head", head).get_params(deep=False).items()
                                if isinstance(v, (int, float, str, bool, type(None)))},
                        extra={**extra, **(extra_config or {})})
    return SuggestionModel(codebook=codebook, classifier=head, encoder=encoder, config=config,
                           evidence_ids=corpus.ids, evidence_texts=corpus.texts, evidence_Y=corpus.Y.copy(),
                           evidence_E=E)


def use_context_for(corpus: CodedCorpus, context: str) -> bool:
    """Resolve 'auto' / 'on' / 'off'; 'on' with a corpus that has no context is a DataError."""
    if context not in ("auto", "on", "off"):
        raise DataError(f"context must be auto, on or off, not {context!r}", field="--context")
    if context == "on" and not corpus.has_context:
        raise DataError("--context on, but no excerpt has a context", field="context",
                        hint="add a 'context' column to the coded data (or --context-columns for a wide table), "
                             "or leave out --context")
    return corpus.has_context if context == "auto" else context == "on"


def cv_summary(oof: np.ndarray, Y: np.ndarray, thresholds: np.ndarray, codebook: Codebook,
               groups: list[dict] | tuple = ()) -> dict:
    """Out-of-fold macro/micro F1 and per-code F1 at the chosen thresholds (one choice per group)."""
    from sklearn.metrics import f1_score

    from suggest.model import group_columns
    from suggest.classify import decide

    pred = decide(oof, thresholds, group_columns(groups, codebook))
    per_code = f1_score(Y, pred, average=None, zero_division=0)
    return {
        "macro_f1": round(float(np.mean(per_code)), 4),
        "micro_f1": round(float(f1_score(Y, pred, average="micro", zero_division=0)), 4),
        "per_code_f1": {c: round(float(f), 4) for c, f in zip(codebook.ids, per_code)},
    }
