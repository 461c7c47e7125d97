"""The query-strategy contract: pred_probs and a pool in, the next items to code (with reasons) out.

Every array is indexed by *item*: `pred_probs` has shape (n_items, n_codes), columns in
codebook order; `embeddings` (n_items, dim); `pool_indices` and `labelled_indices` are rows
of those arrays. A strategy never touches `np.random`: randomness comes from `random_state`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Sequence

import numpy as np

from suggest.errors import DataError, EmptyBatchError

EPS = 1e-9


@dataclass(frozen=True)
class Query:
    """The picks of one query, best first.

    indices : rows of pred_probs, shape (n,), no duplicates.
    reasons : one human-readable sentence per pick.
    scores : the strategy's score per pick (higher was preferred), shape (n,).
    """

    indices: np.ndarray
    reasons: list[str]
    scores: np.ndarray
    strategy: str = ""

    def __len__(self) -> int:
        return len(self.indices)


@dataclass
class QueryInputs:
    """Validated inputs shared by every strategy (see `QueryStrategy.query`)."""

    pred_probs: np.ndarray
    pool: np.ndarray
    labelled: np.ndarray
    embeddings: np.ndarray | None = None
    label_counts: np.ndarray | None = None
    committee: list[np.ndarray] = field(default_factory=list)
    thresholds: np.ndarray | None = None
    codes: list[str] = field(default_factory=list)

    @property
    def centred(self) -> np.ndarray:
        """pred_probs mapped so each code's threshold sits at 0.5 (piecewise linear)."""
        return centre_on_thresholds(self.pred_probs, self.thresholds)


class QueryStrategy:
    """Base class: subclasses set `name`, `needs` and implement `_query`."""

    name: ClassVar[str] = "strategy"
    needs: ClassVar[tuple[str, ...]] = ()  # inputs that must be given: embeddings, label_counts, committee

    def query(self, pred_probs: np.ndarray, pool_indices: Sequence[int], n: int, *,
              labelled_indices: Sequence[int] | None = None, embeddings: np.ndarray | None = None,
              label_counts: Sequence[float] | None = None, committee: Sequence[np.ndarray] | None = None,
              thresholds: Sequence[float] | None = None, codes: Sequence[str] | None = None,
              random_state: int | np.random.Generator | None = None) -> Query:
        """Pick `n` distinct items of `pool_indices` to code next.

        pred_probs : per-code probabilities, (n_items, n_codes).
        labelled_indices : items already coded (diversity measures distance to them).
        embeddings : (n_items, dim), L2-normalised sentence vectors.
        label_counts : coded positives per code, (n_codes,).
        committee : two or more (n_items, n_codes) arrays from different models.
        thresholds : per-code decision thresholds; uncertainty is measured around them.
        codes : code ids used in the reasons.
        """
        inputs = validate_inputs(pred_probs, pool_indices, n, labelled_indices=labelled_indices,
                                 embeddings=embeddings, label_counts=label_counts, committee=committee,
                                 thresholds=thresholds, codes=codes)
        missing = [k for k in self.needs if getattr(inputs, k) is None or (k == "committee" and not inputs.committee)]
        if missing:
            raise DataError(f"strategy '{self.name}' needs {', '.join(missing)}", field=missing[0],
                            hint="pass them to query(), or choose another strategy")
        rng = np.random.default_rng(random_state)
        picked, scores, reasons = self._query(inputs, int(n), rng)
        picked = np.asarray(picked, dtype=int)
        if len(np.unique(picked)) != n or len(picked) != n:
            raise RuntimeError(f"{type(self).__name__} returned {len(picked)} picks for n={n} or duplicates")
        return Query(indices=picked, reasons=list(reasons), scores=np.asarray(scores, dtype=float),
                     strategy=self.name)

    def _query(self, inputs: QueryInputs, n: int, rng: np.random.Generator
               ) -> tuple[np.ndarray, np.ndarray, list[str]]:
        raise NotImplementedError

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({args})"


def validate_inputs(pred_probs, pool_indices, n, *, labelled_indices=None, embeddings=None, label_counts=None,
                    committee=None, thresholds=None, codes=None) -> QueryInputs:
    """Check shapes and ranges; raise EmptyBatchError / DataError that name the field at fault."""
    P = np.asarray(pred_probs, dtype=float)
    if P.ndim != 2:
        raise DataError(f"pred_probs must be 2-D (n_items, n_codes), got shape {P.shape}", field="pred_probs")
    if not np.isfinite(P).all() or P.min(initial=0) < 0 or P.max(initial=0) > 1:
        raise DataError("pred_probs must hold probabilities in [0, 1]", field="pred_probs")
    n_items, k = P.shape
    pool = _indices(pool_indices, n_items, "pool_indices")
    labelled = _indices(labelled_indices if labelled_indices is not None else [], n_items, "labelled_indices")
    if pool.size == 0:
        raise EmptyBatchError("the pool holds no uncoded items", field="pool_indices",
                              hint="add uncoded excerpts to the pool")
    overlap = np.intersect1d(pool, labelled)
    if overlap.size:
        raise DataError(f"{overlap.size} item(s) are both in the pool and labelled (first: row {overlap[0]})",
                        field="pool_indices", hint="the pool must hold uncoded items only")
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise DataError(f"n must be a whole number of at least 1, got {n!r}", field="n")
    if n > pool.size:
        raise DataError(f"asked for {n} items but the pool holds only {pool.size} uncoded item(s)", field="n",
                        hint=f"ask for at most {pool.size} (all of them)")
    E = None
    if embeddings is not None:
        E = np.asarray(embeddings, dtype=np.float32)
        if E.ndim != 2 or E.shape[0] != n_items:
            raise DataError(f"embeddings must have shape ({n_items}, dim), got {E.shape}", field="embeddings")
    counts = None
    if label_counts is not None:
        counts = np.asarray(label_counts, dtype=float)
        if counts.shape != (k,) or (counts < 0).any():
            raise DataError(f"label_counts must be {k} non-negative numbers", field="label_counts")
    members = []
    for m, Pm in enumerate(committee or []):
        Pm = np.asarray(Pm, dtype=float)
        if Pm.shape != P.shape or not np.isfinite(Pm).all() or Pm.min() < 0 or Pm.max() > 1:
            raise DataError(f"committee member {m} must be probabilities of shape {P.shape}", field="committee")
        members.append(Pm)
    if committee is not None and len(members) < 2:
        raise DataError("a committee needs at least two members", field="committee")
    thr = None
    if thresholds is not None:
        thr = np.asarray(thresholds, dtype=float)
        if thr.shape != (k,) or (thr <= 0).any() or (thr >= 1).any():
            raise DataError(f"thresholds must be {k} numbers strictly between 0 and 1", field="thresholds")
    names = [str(c) for c in codes] if codes is not None else [f"code {j + 1}" for j in range(k)]
    if len(names) != k:
        raise DataError(f"{len(names)} code names for {k} columns", field="codes")
    return QueryInputs(P, pool, labelled, E, counts, members, thr, names)


def _indices(values, n_items: int, name: str) -> np.ndarray:
    arr = np.asarray(list(values) if not isinstance(values, np.ndarray) else values)
    if arr.size == 0:
        return np.zeros(0, dtype=int)
    if arr.ndim != 1 or arr.dtype.kind not in "iu":
        raise DataError(f"{name} must be a 1-D list of row numbers", field=name)
    if arr.min() < 0 or arr.max() >= n_items:
        raise DataError(f"{name} holds row {int(arr.max() if arr.max() >= n_items else arr.min())}, outside "
                        f"0..{n_items - 1}", field=name)
    if len(np.unique(arr)) != len(arr):
        raise DataError(f"{name} lists an item twice", field=name)
    return arr.astype(int)


def centre_on_thresholds(P: np.ndarray, thresholds: np.ndarray | None) -> np.ndarray:
    """Map each code's scores so its threshold becomes 0.5 (0 and 1 stay put)."""
    if thresholds is None:
        return P
    t = np.asarray(thresholds, dtype=float)[None, :]
    return np.where(P < t, 0.5 * P / t, 0.5 + 0.5 * (P - t) / (1 - t))


def top_n(scores: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """Positions of the n largest scores; ties broken by a seeded shuffle (deterministic)."""
    tiebreak = rng.permutation(len(scores))
    return np.lexsort((tiebreak, -np.asarray(scores, dtype=float)))[:n]


def binary_entropy(p: np.ndarray) -> np.ndarray:
    """Entropy in bits of Bernoulli(p), elementwise; 1 at p = 0.5."""
    p = np.clip(p, EPS, 1 - EPS)
    return -(p * np.log2(p) + (1 - p) * np.log2(1 - p))


def cosine_distance_to(E: np.ndarray, rows: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """Smallest cosine distance of each E[rows] to any E[ref], shape (len(rows),); 2 if ref is empty."""
    if ref.size == 0:
        return np.full(len(rows), 2.0)
    out = np.empty(len(rows))
    for s in range(0, len(rows), 2048):
        sims = E[rows[s:s + 2048]] @ E[ref].T
        out[s:s + 2048] = 1.0 - sims.max(axis=1)
    return np.clip(out, 0.0, 2.0)


def describe_codes(values: np.ndarray, codes: list[str], n: int = 2, fmt: str = "{:.2f}") -> str:
    """'M3 0.52, C1 0.47': the n codes with the largest `values`."""
    order = np.argsort(-values, kind="stable")[:n]
    return ", ".join(f"{codes[j]} {fmt.format(values[j])}" for j in order)
