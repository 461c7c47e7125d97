"""A trained model: an encoder (texts -> embeddings) plus a head (scores per code), saved as a folder.

Layout of a model directory (format 2):
    config.json            codebook hash, package version, encoder name, thresholds, data hash, metrics
    codebook.yaml          the codebook it was trained on
    encoder.json           the sentence encoder (its name, or for a fine-tuned one its folder), a part of its own
    encoder/               a fine-tuned encoder's weights (sentence-transformers folder, safetensors)
    classifier.skops       the fitted head (skops: loads without running arbitrary code)
    evidence.npz           training embeddings and label matrix (for "similar coded excerpts")
    training_excerpts.csv  ids and texts of the training excerpts (evidence shown to coders)
    manifest.json          name, size and SHA-256 of every other file, checked before loading (model_files)
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Sequence

import numpy as np

from suggest.codebook import Codebook
from suggest.errors import CodebookMismatchError, ModelError

FORMAT_VERSION = 2  # 1: no encoder.json, the encoder named in config["embedder"]


@dataclass
class SuggestionModel:
    """An encoder and a fitted head, with the codebook and the training evidence."""

    codebook: Codebook
    classifier: object
    encoder: object
    config: dict
    evidence_ids: list[str] = field(default_factory=list)
    evidence_texts: list[str] = field(default_factory=list)
    evidence_Y: np.ndarray | None = None
    evidence_E: np.ndarray | None = None

    @property
    def codes(self) -> list[str]:
        return self.codebook.ids

    @property
    def version(self) -> str:
        return self.config["model_version"]

    @property
    def coder_name(self) -> str:
        """How the model appears as a coder in agreement tables."""
        return f"model:{self.version}"

    @property
    def uses_context(self) -> bool:
        """Whether the model reads each excerpt with its context (subject line, form question, speaker)."""
        return bool(self.config.get("context", False))

    def inputs(self, texts: Sequence[str], contexts: Sequence[str] | None = None) -> list[str]:
        """What the encoder and head read: the texts, under their contexts if the model was trained so."""
        from suggest.corpus import with_context

        return with_context(texts, contexts if self.uses_context else None)

    @property
    def thresholds(self) -> np.ndarray:
        return np.asarray(self.config["thresholds"], dtype=float)

    # --- prediction -----------------------------------------------------------------
    def predict_parts(self, texts: Sequence[str], contexts: Sequence[str] | None = None) -> dict[str, np.ndarray]:
        """Scores (n, k) under 'proba', the embeddings (n, dim) under 'embeddings', and the head's parts.

        `contexts` (one per text, '' for none) are read only by a model trained with context.
        """
        from suggest.classify import predict_head

        inputs = self.inputs(texts, contexts)
        E = self.encoder.transform(inputs)
        return {**predict_head(self.classifier, inputs, E), "embeddings": E}

    def predict_proba(self, texts: Sequence[str], contexts: Sequence[str] | None = None) -> np.ndarray:
        """Per-code scores, shape (n_texts, n_codes), columns in `codes` order."""
        if self.classifier.input_kind == "texts":
            return self.classifier.predict_proba(self.inputs(texts, contexts))
        return self.predict_parts(texts, contexts)["proba"]

    def predict(self, texts: Sequence[str], contexts: Sequence[str] | None = None) -> np.ndarray:
        """0/1 matrix (n_texts, n_codes): scores at or above each code's threshold, one choice per group."""
        return self.decide(self.predict_proba(texts, contexts))

    def decide(self, P: np.ndarray) -> np.ndarray:
        """Scores (n, n_codes) -> 0/1 suggestions: thresholds, and each single-choice group's one choice."""
        from suggest.classify.groups import decide

        return decide(P, self.thresholds, group_columns(self.config.get("groups") or (), self.codebook))

    def similar(self, embeddings: np.ndarray, code_index: int, n: int = 3) -> list[list[tuple[str, str, float]]]:
        """For each row of `embeddings`, the n most similar training excerpts carrying the code."""
        if self.evidence_E is None or self.evidence_Y is None:
            return [[] for _ in range(len(embeddings))]
        rows = np.flatnonzero(self.evidence_Y[:, code_index])
        if rows.size == 0:
            return [[] for _ in range(len(embeddings))]
        sims = embeddings @ self.evidence_E[rows].astype(np.float32).T
        out = []
        for s in sims:
            top = np.argsort(-s)[:n]
            out.append([(self.evidence_ids[rows[t]], self.evidence_texts[rows[t]], float(s[t])) for t in top])
        return out

    def top_terms(self, text: str, code_index: int, n: int = 5) -> list[str]:
        """Words of `text` that raised this code's score most, leaving out terms made only of stop words."""
        from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

        lexical = getattr(self.classifier, "lexical_", None) or (
            self.classifier if hasattr(self.classifier, "top_terms") else None)
        if lexical is None:
            return []
        terms = lexical.top_terms(text, code_index, n * 4)
        keep = [t for t in terms if not all(w in ENGLISH_STOP_WORDS or len(w) < 3 for w in t.split())]
        return keep[:n]

    def check_codebook(self, codebook: Codebook, where: str | Path | None = None) -> None:
        """Raise CodebookMismatchError unless `codebook` is the one this model was trained on."""
        if codebook.hash != self.codebook.hash:
            raise CodebookMismatchError(
                f"this model was trained on codebook '{self.codebook.name}' version {self.codebook.version} "
                f"(hash {self.codebook.hash}), but the codebook in use is '{codebook.name}' version "
                f"{codebook.version} (hash {codebook.hash})",
                path=where, field="codebook",
                hint="retrain with `suggest train` on the current codebook, or use the codebook the model was "
                     "trained on (it is saved as codebook.yaml inside the model directory)")

    # --- persistence -----------------------------------------------------------------
    def save(self, path: str | Path) -> Path:
        """Write the model directory with its manifest; it replaces `path` only once complete.

        Refuses a `path` that is a file or a non-empty folder other than a model folder.
        """
        import pandas as pd
        import skops.io as sio

        from suggest.embed import save_encoder
        from suggest.model_files import replacing
        from suggest.output import ensure_writable_dir, write_csv

        path = Path(path)
        ensure_writable_dir(path.parent, what="model directory")
        with replacing(path) as tmp:
            (tmp / "config.json").write_text(json.dumps(self.config, indent=2), encoding="utf-8")
            self.codebook.to_yaml(tmp / "codebook.yaml")
            save_encoder(self.encoder, tmp)
            sio.dump(self.classifier, tmp / "classifier.skops")
            if self.evidence_Y is not None:
                np.savez_compressed(tmp / "evidence.npz", Y=self.evidence_Y.astype(np.int8),
                                    E=(self.evidence_E.astype(np.float16) if self.evidence_E is not None
                                       else np.zeros((0, 0), np.float16)))
                write_csv(tmp / "training_excerpts.csv",
                          pd.DataFrame({"excerpt_id": self.evidence_ids, "text": self.evidence_texts}))
        return path

    @classmethod
    def load(cls, path: str | Path, codebook: Codebook | None = None, *, encoder=None) -> "SuggestionModel":
        """Load a model directory; with `codebook`, refuse a model trained on another codebook.

        `encoder` replaces the saved one (tests pass a fake). Format 1 folders load too.
        """
        from suggest.embed import encoder_from_spec
        from suggest.env import set_offline_defaults
        from suggest.model_files import load_classifier, verify

        set_offline_defaults()
        path = Path(path)
        cfg_path = path / "config.json"
        if not cfg_path.is_file():
            raise ModelError("not a model directory (no config.json)", path=path,
                             hint="give the folder written by `suggest train --out`")
        try:
            config = json.loads(cfg_path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ModelError(f"config.json is corrupt ({exc})", path=cfg_path, hint="retrain the model") from None
        fmt = config.get("format_version", 0) if isinstance(config, dict) else None
        if not isinstance(fmt, int) or fmt > FORMAT_VERSION or fmt < 1:
            raise ModelError(f"model format {fmt!r} is not one this suggest understands (1 to {FORMAT_VERSION})",
                             path=path, hint="upgrade suggest if the model is newer; otherwise retrain it with "
                                             "`suggest train`")
        verify(path, legacy=fmt == 1)
        model_cb = Codebook.from_yaml(path / "codebook.yaml")
        if model_cb.hash != config.get("codebook_hash"):
            raise ModelError("codebook.yaml does not match the hash in config.json", path=path,
                             hint="the model directory was edited by hand; retrain the model")
        _check_config(config, model_cb, cfg_path)
        classifier = load_classifier(path / "classifier.skops")
        if fmt == 1:  # the head kept the encoder's slot (empty on disk) and had no classes_
            config = {**config, "encoder": config.get("embedder")}
            for head in (classifier, getattr(classifier, "lexical_", None), getattr(classifier, "dense_", None)):
                if head is not None and not hasattr(head, "classes_"):
                    head.classes_ = np.array(model_cb.ids)
        if encoder is None:
            encoder = encoder_from_spec(_read_encoder_spec(path, config), path)
        model = cls(codebook=model_cb, classifier=classifier, encoder=encoder, config=config)
        if (path / "evidence.npz").is_file():
            _load_evidence(model, path)
        if codebook is not None:
            model.check_codebook(codebook, where=path)
        return model


def group_columns(groups, codebook: Codebook) -> list[dict]:
    """config.json's groups (codes by id) with the codes' column indices under 'columns'."""
    return [{**g, "columns": [codebook.index(c) for c in g["codes"]]} for g in groups]


def _check_config(config: dict, codebook: Codebook, where: Path) -> None:
    """Refuse a config whose thresholds do not give one number per code of the codebook."""
    thresholds = config.get("thresholds")
    ok = isinstance(thresholds, list) and all(isinstance(t, (int, float)) and not isinstance(t, bool)
                                               for t in thresholds)
    if not ok or len(thresholds) != len(codebook):
        n = len(thresholds) if isinstance(thresholds, list) else 0
        raise ModelError(f"config.json has {n} valid thresholds for {len(codebook)} codes", path=where,
                         field="thresholds", hint="retrain the model with `suggest train`")


def _load_evidence(model: SuggestionModel, path: Path) -> None:
    """Training embeddings, labels, ids and texts; a damaged or inconsistent file is a ModelError."""
    import zipfile

    import pandas as pd

    from suggest.output import restore

    ev, csv = path / "evidence.npz", path / "training_excerpts.csv"
    try:
        with np.load(ev, allow_pickle=False) as arrays:
            Y, E = arrays["Y"], arrays["E"]
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
        raise ModelError(f"evidence.npz cannot be read ({type(exc).__name__}: {exc})", path=ev,
                         hint="retrain the model with `suggest train`") from None
    if not csv.is_file():
        raise ModelError("training_excerpts.csv is missing (it goes with evidence.npz)", path=path,
                         hint="retrain the model with `suggest train`")
    try:
        table = pd.read_csv(csv, dtype=str, keep_default_na=False)
        ids, texts = table["excerpt_id"].tolist(), table["text"].map(restore).tolist()
    except (ValueError, KeyError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise ModelError(f"training_excerpts.csv cannot be read ({type(exc).__name__}: {exc})", path=csv,
                         hint="retrain the model with `suggest train`") from None
    n_codes = len(model.codebook)
    if Y.ndim != 2 or Y.shape != (len(ids), n_codes) or (E.size and (E.ndim != 2 or E.shape[0] != len(ids))):
        raise ModelError(f"evidence.npz ({Y.shape} labels, {E.shape} embeddings) does not fit "
                         f"{len(ids)} training excerpts and {n_codes} codes", path=ev,
                         hint="retrain the model with `suggest train`")
    model.evidence_Y = Y
    model.evidence_E = E.astype(np.float32) if E.size else None
    model.evidence_ids, model.evidence_texts = ids, texts


def _read_encoder_spec(path: Path, config: dict) -> dict:
    spec_path = path / "encoder.json"
    if config.get("format_version") == 1:
        return {"name": config.get("embedder")}
    if not spec_path.is_file():
        raise ModelError("encoder.json is missing", path=path, hint="retrain the model with `suggest train`")
    try:
        spec = json.loads(spec_path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ModelError(f"encoder.json is corrupt ({exc})", path=spec_path, hint="retrain the model") from None
    if not isinstance(spec, dict) or not isinstance(spec.get("name"), str):
        raise ModelError("encoder.json does not name an encoder", path=spec_path, hint="retrain the model")
    return spec


def new_config(*, kind: str, codebook: Codebook, encoder_name: str, thresholds: np.ndarray,
               data_hash: str, n_excerpts: int, seed: int, params: dict, extra: dict | None = None) -> dict:
    from suggest.version import __version__

    created = datetime.now(timezone.utc)
    version = f"{created:%Y%m%d-%H%M%S}-{data_hash[:4]}"
    return {
        "format_version": FORMAT_VERSION,
        "model_version": version,
        "kind": kind,
        "created": created.isoformat(timespec="seconds"),
        "package_version": __version__,
        "codebook_name": codebook.name,
        "codebook_version": codebook.version,
        "codebook_hash": codebook.hash,
        "codes": codebook.ids,
        "encoder": encoder_name,
        "thresholds": [round(float(t), 6) for t in thresholds],
        "training_data_hash": data_hash,
        "n_training_excerpts": n_excerpts,
        "seed": seed,
        "params": params,
        **(extra or {}),
    }
