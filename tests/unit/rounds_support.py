"""Constructed projects for the agreement-over-rounds tests: real SQLite files, known decisions.

A round is written as a list of (suggested, final) code strings per excerpt, e.g. ("AB", "A"): the
model suggested A and B, the coder kept A and rejected B; ("", "C"): nothing suggested, the coder
added C; ("", ""): nothing suggested, the coder confirmed that no code applies.
"""
from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd

from suggest.codebook import Code, Codebook
from suggest.corpus import Document, Excerpt
from suggest.store import Store

CODEBOOK = Codebook(name="tiny", codes=(Code("A", "Alpha", "About alpha."), Code("B", "Beta", "About beta."),
                                        Code("C", "Gamma", "About gamma.")))


def stub_model(version: str) -> SimpleNamespace:
    return SimpleNamespace(version=version, codebook=CODEBOOK, codes=CODEBOOK.ids,
                           config={"model_version": version, "codebook_hash": CODEBOOK.hash})


def add_round(store: Store, r: int, specs: list[tuple[str, str]], version: str,
              source_types: list[str] | None = None) -> list[str]:
    """Store one batch whose suggestions are the specs' first halves; returns its excerpt ids."""
    source_types = source_types or ["email"] * len(specs)
    documents, excerpts, rows = [], [], []
    P = np.full((len(specs), len(CODEBOOK)), 0.1)
    for i, ((suggested, _), st) in enumerate(zip(specs, source_types)):
        eid, text = f"r{r}-e{i + 1}", f"Round {r}, excerpt {i + 1}."
        documents.append(Document(f"r{r}-d{i + 1}", text, st))
        excerpts.append(Excerpt(eid, f"r{r}-d{i + 1}", text, 0, len(text), st))
        for c in suggested:
            P[i, CODEBOOK.index(c)] = 0.9
            rows.append({"excerpt_id": eid, "code": c, "score": 0.9, "threshold": 0.5, "terms": ""})
    store.add_batch(stub_model(version), documents, excerpts, P, pd.DataFrame(rows))
    return [e.excerpt_id for e in excerpts]


def decide_round(store: Store, coder: str, ids: list[str], specs: list[tuple[str, str]],
                 hidden: list[bool] | bool | None = False) -> None:
    """Record the coder's decisions that turn each excerpt's suggestions into its final codes."""
    hidden = hidden if isinstance(hidden, list) else [hidden] * len(ids)
    rows = []
    for eid, (suggested, final), h in zip(ids, specs, hidden):
        base = {"coder": coder, "excerpt_id": eid, "scores_hidden": h}
        rows += [{**base, "code": c, "action": "accept" if c in final else "reject"} for c in suggested]
        rows += [{**base, "code": c, "action": "add"} for c in final if c not in suggested]
        if not suggested and not final:
            rows.append({**base, "code": "", "action": "accept"})
    store.decide_many(rows)


def build(path: Path, rounds: list[list[tuple[str, str]]], coder: str = "amira",
          source_types: list[list[str]] | None = None) -> Path:
    """A project with one batch per round (model v1, v2, ...), each fully reviewed by `coder`."""
    with Store.open(path, create=True) as store:
        for r, specs in enumerate(rounds, start=1):
            ids = add_round(store, r, specs, f"v{r}", source_types[r - 1] if source_types else None)
            decide_round(store, coder, ids, specs)
    return path


def hand_figures(specs: list[tuple[str, str]], codes: str = "ABC") -> dict[str, float]:
    """Acceptance, recall and Cohen's kappa over every excerpt x code decision, counted by hand."""
    tp = fp = fn = tn = 0
    for suggested, final in specs:
        for c in codes:
            s, f = c in suggested, c in final
            tp += s and f
            fp += s and not f
            fn += f and not s
            tn += not s and not f
    n = tp + fp + fn + tn
    po = (tp + tn) / n
    pe = ((tp + fn) * (tp + fp) + (fp + tn) * (fn + tn)) / n ** 2
    return {"acceptance": tp / (tp + fp), "recall": tp / (tp + fn), "kappa": (po - pe) / (1 - pe)}
