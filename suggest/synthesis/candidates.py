"""Candidate new mechanisms: clusters of coded excerpts that no mechanism explains.

The pool is every excerpt the humans coded with no mechanism (optionally also excerpts where
a model scores no mechanism near its threshold). Their embeddings are clustered
(agglomerative, cosine distance, average linkage); each cluster of at least `min_size`
excerpts gets its distinctive words by class-based TF-IDF (the pool's clusters against each
other and the rest of the corpus) and its most central excerpts. Candidates are ranked by
size x coherence, coherence being the mean cosine similarity of members to their centroid.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np


@dataclass
class Candidate:
    """One cluster: member excerpt ids (most central first), its words, size, coherence, score."""

    rank: int
    excerpt_ids: list[str]
    words: list[str]
    coherence: float
    texts: list[str] = field(default_factory=list)

    @property
    def size(self) -> int:
        return len(self.excerpt_ids)

    @property
    def score(self) -> float:
        return self.size * self.coherence


def class_tfidf(docs_per_class: Sequence[str], n_words: int = 8) -> list[list[str]]:
    """Distinctive words of each class (its texts joined into one document): term frequency within
    the class x log(1 + average class length / the term's frequency over all classes)."""
    from sklearn.feature_extraction.text import CountVectorizer

    vec = CountVectorizer(stop_words="english", token_pattern=r"(?u)\b[a-zA-Z][a-zA-Z\-]{2,}\b", ngram_range=(1, 2),
                          min_df=1)
    counts = vec.fit_transform(docs_per_class).toarray().astype(float)
    tf = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    avg = counts.sum() / len(docs_per_class)
    idf = np.log(1 + avg / np.maximum(counts.sum(axis=0), 1))
    score = tf * idf
    vocab = np.asarray(vec.get_feature_names_out())
    out = []
    for row in score:
        order = [i for i in np.argsort(-row) if row[i] > 0]
        words: list[str] = []
        for i in order:
            w = vocab[i]
            if any(w in x.split() or x in w.split() for x in words):  # skip 'fob' beside 'key fob'
                continue
            words.append(w)
            if len(words) == n_words:
                break
        out.append(words)
    return out


def find_candidates(texts: Sequence[str], ids: Sequence[str], embeddings: np.ndarray, *,
                    background: Sequence[str] = (), min_size: int = 4, distance: float = 0.45,
                    max_candidates: int = 8) -> list[Candidate]:
    """Cluster the pool (`texts`, `ids`, L2-normalised `embeddings` of shape (n, dim)) into candidates.

    `distance`: the cosine distance below which clusters merge (average linkage). `background`:
    the other excerpts of the corpus, a contrast class for the distinctive words.
    """
    from sklearn.cluster import AgglomerativeClustering

    if len(texts) < max(min_size, 2):
        return []
    E = np.asarray(embeddings, dtype=np.float64)
    E = E / np.maximum(np.linalg.norm(E, axis=1, keepdims=True), 1e-12)
    labels = AgglomerativeClustering(n_clusters=None, metric="cosine", linkage="average",
                                     distance_threshold=distance).fit_predict(E)
    clusters = []
    for lab in np.unique(labels):
        idx = np.flatnonzero(labels == lab)
        if len(idx) < min_size:
            continue
        centroid = E[idx].mean(axis=0)
        centroid /= max(np.linalg.norm(centroid), 1e-12)
        sims = E[idx] @ centroid
        order = idx[np.argsort(-sims)]
        clusters.append((order, float(sims.mean())))
    if not clusters:
        return []
    classes = [" ".join(texts[i] for i in order) for order, _ in clusters]
    rest = [texts[i] for i in range(len(texts)) if not any(i in set(o) for o, _ in clusters)] + list(background)
    words = class_tfidf(classes + ([" ".join(rest)] if rest else []))[:len(clusters)]
    found = [Candidate(0, [ids[i] for i in order], w, coh, [texts[i] for i in order])
             for (order, coh), w in zip(clusters, words)]
    found.sort(key=lambda c: (-c.score, c.excerpt_ids[0]))
    for r, c in enumerate(found[:max_candidates], start=1):
        c.rank = r
    return found[:max_candidates]


def candidate_pool(units, scores: np.ndarray | None = None, thresholds: np.ndarray | None = None,
                   near: float = 0.8, min_chars: int = 40) -> np.ndarray:
    """Row indices of `units.excerpts` that humans coded with no mechanism, or (given a model's
    `scores` and `thresholds`, shape (n_excerpts, n_codes) and (n_codes,)) where no mechanism
    scores within `near` x its threshold."""
    cols = [units.codebook.index(c) for c in units.codes_in("mechanism")]
    pool = units.Y[:, cols].sum(axis=1) == 0
    if scores is not None and thresholds is not None:
        pool |= (scores[:, cols] < near * thresholds[cols]).all(axis=1)
    long_enough = units.excerpts["text"].str.len().to_numpy() >= min_chars
    return np.flatnonzero(pool & long_enough & ~units.excerpts["suggested"].to_numpy(dtype=bool))


def to_yaml(candidates: Sequence[Candidate], domain: str = "mechanism", prefix: str = "NEW") -> str:
    """A codebook fragment: one code per candidate with placeholder name and definition, and
    comments giving its words, size, coherence and most central excerpts. Paste under `codes:`."""
    import yaml

    lines = ["# Candidate new mechanisms found by `suggest synthesise` in excerpts that no mechanism explains.",
             "# Each is a cluster of similar excerpts. Read the examples; if the team agrees it is a mechanism,",
             "# give it an id, a name and a definition, then paste the entry under 'codes:' in your codebook.",
             "# Delete candidates that are not mechanisms (greetings, logistics, another code missed).",
             "codes:"]
    for c in candidates:
        name = "Name me: " + ", ".join(c.words[:3]) if c.words else "Name me"
        lines += ["", f"  # candidate {c.rank}: {c.size} excerpts, coherence {c.coherence:.2f}",
                  f"  # distinctive words: {', '.join(c.words)}"]
        for eid, text in list(zip(c.excerpt_ids, c.texts))[:3]:
            short = " ".join(text.split())
            short = short if len(short) <= 160 else short[:157] + "..."
            lines.append(f"  #   {eid}: {short}")
        entry = [{"id": f"{prefix}{c.rank}", "domain": domain, "name": name,
                  "definition": "Define me: what happens, for whom, and how it leads to an outcome."}]
        lines += ["  " + ln for ln in yaml.safe_dump(entry, sort_keys=False, allow_unicode=True,
                                                     width=100).rstrip().splitlines()]
    if not candidates:
        lines.append("  []  # no cluster of uncoded excerpts was large enough to suggest a new mechanism")
    return "\n".join(lines) + "\n"


def write_yaml(path: str | Path, candidates: Sequence[Candidate]) -> None:
    Path(path).write_text(to_yaml(candidates), encoding="utf-8")
