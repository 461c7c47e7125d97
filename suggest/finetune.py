"""Fine-tune the sentence encoder on coded excerpts, and cross-fit it for honest calibration.

The encoder (mean-pooled transformer) gets a linear multi-label layer on top and both are trained
with binary cross-entropy, positives up-weighted per code; the layer is thrown away and the tuned
encoder replaces the stock one for the dense part, the definition prior and the evidence.

Scores that fit the blend and the thresholds must come from encoders that never saw the excerpts
they score, so `cross_fit_encoders` tunes one encoder per fold (on the other folds) besides the
final one tuned on everything.
"""
from __future__ import annotations

import hashlib
import math
import shutil
import tempfile
import time
import weakref
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from suggest.embed import DEFAULT_MODEL, FineTunedEmbedder, resolve_model_path


@dataclass(frozen=True)
class FineTuneSettings:
    """How the encoder is tuned (defaults measured on NHS comments and the shipped corpus)."""

    epochs: int = 3
    batch_size: int = 32
    lr_encoder: float = 8e-5
    lr_head: float = 3e-3
    max_seq_length: int = 128
    max_pos_weight: float = 30.0
    folds: int = 3
    device: str = "cpu"


def cuda_available() -> bool:
    try:
        import torch
    except ImportError:  # pragma: no cover - torch is a dependency
        return False
    return bool(torch.cuda.is_available())


def estimate_seconds(n_texts: int, settings: FineTuneSettings, seconds_per_text: float | None = None) -> float:
    """Rough time to cross-fit and tune: (folds + 1) encoders x epochs over the texts."""
    if seconds_per_text is None:
        seconds_per_text = 0.002 if settings.device.startswith("cuda") else 0.09  # measured: 2 idle CPU cores
    passes = (settings.folds * (settings.folds - 1) / settings.folds + 1) * settings.epochs
    return n_texts * passes * seconds_per_text


def fine_tune(texts: Sequence[str], Y: np.ndarray, *, base: str | None = None,
              settings: FineTuneSettings = FineTuneSettings(), seed: int = 0, progress: bool = False,
              desc: str = "fine-tuning the encoder"):
    """A SentenceTransformer tuned on (texts, Y); the stock model at `base` is not changed."""
    import torch
    from sentence_transformers import SentenceTransformer

    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    model = SentenceTransformer(resolve_model_path(base), device=settings.device)
    model.max_seq_length = settings.max_seq_length
    body = torch.nn.Sequential(*list(model)[:2])  # transformer + mean pooling, before normalising
    dim = (model.get_embedding_dimension() if hasattr(model, "get_embedding_dimension")
           else model.get_sentence_embedding_dimension())
    Y = np.asarray(Y, dtype=np.float32)
    head = torch.nn.Linear(dim, Y.shape[1]).to(settings.device)
    pos = Y.sum(axis=0)
    pos_weight = np.clip((len(Y) - pos) / np.maximum(pos, 1), 1.0, settings.max_pos_weight)
    loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor(pos_weight, device=settings.device))
    optimiser = torch.optim.AdamW([{"params": body.parameters(), "lr": settings.lr_encoder},
                                   {"params": head.parameters(), "lr": settings.lr_head}], weight_decay=0.01)
    steps_per_epoch = math.ceil(len(texts) / settings.batch_size)
    total = steps_per_epoch * settings.epochs
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda step: min(1.0, (step + 1) / max(1, total // 10)) * max(0.0, 1 - step / total))
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=total, desc=desc, unit="batch", leave=False)
    model.train()
    texts = [str(t) for t in texts]
    for _ in range(settings.epochs):
        order = rng.permutation(len(texts))
        for start in range(0, len(order), settings.batch_size):
            rows = order[start:start + settings.batch_size]
            features = _tokenize(model, [texts[i] for i in rows], settings.device)
            pooled = body(features)["sentence_embedding"]
            loss = loss_fn(head(pooled), torch.from_numpy(Y[rows]).to(settings.device))
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
            if bar is not None:
                bar.update(1)
    if bar is not None:
        bar.close()
    model.eval()
    return model


def _tokenize(model, texts: list[str], device: str) -> dict:
    """Model inputs for a batch of texts (`preprocess` in sentence-transformers 6, `tokenize` before)."""
    features = model.preprocess(texts) if hasattr(model, "preprocess") else model.tokenize(texts)
    return {k: (v.to(device) if hasattr(v, "to") else v) for k, v in features.items()}


def fingerprint(texts: Sequence[str], Y: np.ndarray, base: str | None, settings: FineTuneSettings,
                seed: int) -> str:
    """Identifies a tuned encoder by what made it: embeddings cached for one never serve another."""
    h = hashlib.sha256()
    for t in texts:
        h.update(str(t).encode("utf-8") + b"\x1f")
    h.update(np.ascontiguousarray(Y, dtype=np.int8).tobytes())
    h.update(repr((base or DEFAULT_MODEL, sorted(asdict(settings).items()), seed)).encode())
    return h.hexdigest()[:16]


def as_embedder(model, texts: Sequence[str], Y: np.ndarray, *, base: str | None, settings: FineTuneSettings,
                seed: int, workdir: Path, progress: bool = False, cache_dir=None) -> FineTunedEmbedder:
    """Save a tuned model under `workdir` and wrap it as the encoder a SuggestionModel holds."""
    fp = fingerprint(texts, Y, base, settings, seed)
    folder = Path(workdir) / f"encoder-{fp}"
    model.save(str(folder))
    kwargs = {"progress": progress}
    if cache_dir is not None:
        kwargs["cache_dir"] = cache_dir
    encoder = FineTunedEmbedder(model_name=str(folder), base=base or DEFAULT_MODEL, fingerprint=fp,
                                device=settings.device, **kwargs)
    encoder.adopt(model)
    return encoder


def cross_fit_encoders(texts: Sequence[str], Y: np.ndarray, definitions: Sequence[str], folds, *,
                       base: str | None = None, settings: FineTuneSettings = FineTuneSettings(), seed: int = 0,
                       progress: bool = False, cache_dir=None, workdir: Path | None = None):
    """(final encoder, cross_fit list for `CombinedClassifier.fit`, seconds taken).

    One encoder per fold, tuned on the fold's training rows, encodes every excerpt and the
    definitions and is then deleted; the final encoder is tuned on every excerpt. Its folder
    (a temporary one unless `workdir` is given) lives as long as the encoder object: saving
    the model copies it into the model folder.
    """
    t0 = time.perf_counter()
    own = workdir is None
    workdir = Path(workdir or tempfile.mkdtemp(prefix="suggest-encoders-"))
    texts = [str(t) for t in texts]
    cross_fit = []
    for k, (tr, va) in enumerate(folds, start=1):
        tuned = fine_tune([texts[i] for i in tr], Y[tr], base=base, settings=settings, seed=seed + k,
                          progress=progress, desc=f"fine-tuning fold {k}/{len(folds)}")
        enc = as_embedder(tuned, [texts[i] for i in tr], Y[tr], base=base, settings=settings, seed=seed + k,
                          workdir=workdir, progress=progress, cache_dir=cache_dir)
        cross_fit.append((tr, va, enc.transform(texts), enc.transform(list(definitions))))
        enc.release()
        shutil.rmtree(enc.model_name, ignore_errors=True)
    tuned = fine_tune(texts, Y, base=base, settings=settings, seed=seed, progress=progress,
                      desc="fine-tuning on every excerpt")
    final = as_embedder(tuned, texts, Y, base=base, settings=settings, seed=seed, workdir=workdir,
                        progress=progress, cache_dir=cache_dir)
    if own:
        weakref.finalize(final, shutil.rmtree, workdir, True)
    return final, cross_fit, time.perf_counter() - t0


__all__ = ["FineTuneSettings", "fine_tune", "cross_fit_encoders", "cuda_available", "estimate_seconds"]
