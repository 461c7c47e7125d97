"""Single-choice code groups: a head's scores for a group's codes rescored jointly, one choice per group.

`GroupedClassifier` wraps any head. Independent codes keep the head's scores and thresholds. For
each group (codes of which an excerpt takes exactly one, or at most one):
1. the head's out-of-fold scores for the group's codes (its `oof_proba_`, else cross-fitted) are the
   features of a multinomial logistic regression (softmax) over the group's codes, plus "none of
   them" for an at-most-one group; its probabilities replace the head's scores for those codes, so
   they stay calibrated and sum to at most 1;
2. the decision corrects for how common each code is: the candidate is the code with the largest
   p / prior ** alpha (prior: the code's share of the group's training excerpts), so a rare code is
   not drowned by the majority one; alpha is chosen among `alphas` so that the out-of-fold choices
   come closest to the codes' shares in the training data (total variation distance; ties go to the
   higher out-of-fold kappa). Kappa penalises a decision that over-uses the majority code, and
   matching the shares proved a steadier choice of alpha than maximising a noisy out-of-fold kappa
   (alpha 0 is the plain argmax);
3. an exactly-one group always gets its candidate (its codes' thresholds are 0); an at-most-one
   group gets it when its probability reaches the code's threshold, tuned on out-of-fold group
   decisions like any code's (`calibrated_f1_threshold`).

`decide(P, thresholds, groups)` applies the decision to any score matrix; the model folder keeps
the groups (`group_config`) in config.json, so `suggest batch` and `load_model(...).predict` make
the same choice.

Training excerpts that break a group's rule (two of its codes, or none in an exactly-one group) are
left out of that group's softmax; a group with fewer than two codes in use (or fewer than four
usable excerpts) keeps the head's scores and only the one-choice rule.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
from sklearn.base import clone

from suggest.classify.base import MultiLabelBase, _take, calibrated_f1_threshold, check_labels, logit, multilabel_folds

EXACTLY_ONE, AT_MOST_ONE = "exactly-one", "at-most-one"
ALPHAS = tuple(i / 8 for i in range(17))  # 0 to 2 in steps of 1/8


def decide(P: np.ndarray, thresholds: np.ndarray, groups: Sequence[dict] = ()) -> np.ndarray:
    """0/1 matrix (n, k): codes at or above their threshold, and at most one code per group.

    groups: dicts with 'columns' (indices into P's columns), 'kind', 'prior' (one share per column)
    and 'alpha' (see the module docstring).
    """
    P = np.asarray(P, dtype=float)
    hits = P >= np.asarray(thresholds, dtype=float)
    rows = np.arange(len(P))
    for g in groups:
        cols = np.asarray(g["columns"], dtype=int)
        prior = np.ones(len(cols)) if g.get("prior") is None else np.asarray(g["prior"], dtype=float)
        prior = np.clip(prior, 1e-6, None)
        cand = cols[np.argmax(P[:, cols] / prior ** float(g.get("alpha", 0.0)), axis=1)]
        keep = np.ones(len(P), bool) if g["kind"] == EXACTLY_ONE else hits[rows, cand]
        hits[:, cols] = False
        hits[rows[keep], cand[keep]] = True
    return hits.astype(int)


class GroupedClassifier(MultiLabelBase):
    """A head whose single-choice groups are scored by a softmax and decided with a prior correction.

    Parameters
    ----------
    head : an unfitted head (lexical, dense or combined); it reads what `head` reads.
    groups : (kind, members) pairs: kind 'exactly-one' or 'at-most-one', members code ids of
        `head.codes` (or column indices when the head has no codes).
    cv : folds for out-of-fold scores (cross-fitting the head when it keeps none, and the softmax).
    C : inverse regularisation of each group's softmax.
    alphas : prior-correction exponents to choose from (by out-of-fold shares, then kappa).
    """

    def __init__(self, head=None, groups: Sequence[tuple[str, Sequence]] = (), cv: int = 5, C: float = 1.0,
                 alphas: Sequence[float] = ALPHAS, random_state: int | None = 0):
        self.head = head
        self.groups = groups
        self.cv = cv
        self.C = C
        self.alphas = alphas
        self.random_state = random_state

    @property
    def input_kind(self) -> str:
        return getattr(self.head, "input_kind", "texts")

    # --- fitting -------------------------------------------------------------------------
    def _columns(self, classes: np.ndarray) -> list[tuple[str, np.ndarray]]:
        out = []
        names = [str(c) for c in classes]
        for kind, members in self.groups:
            if kind not in (EXACTLY_ONE, AT_MOST_ONE):
                raise ValueError(f"group kind '{kind}' is not '{EXACTLY_ONE}' or '{AT_MOST_ONE}'")
            cols = [m if isinstance(m, (int, np.integer)) else names.index(str(m)) if str(m) in names else -1
                    for m in members]
            if len(set(cols)) < 2 or min(cols) < 0 or max(cols) >= len(classes):
                raise ValueError(f"group {list(members)} must name two or more of the codes {names}")
            out.append((kind, np.asarray(cols, dtype=int)))
        return out

    def _head_oof(self, head, X, Y: np.ndarray, kwargs: dict) -> np.ndarray:
        oof = getattr(head, "oof_proba_", None)
        if oof is not None and oof.shape == Y.shape:
            return oof
        oof = np.zeros(Y.shape)
        for tr, va in multilabel_folds(Y, self.cv, self.random_state):
            part = {k: (_take(v, tr) if k == "embeddings" else v) for k, v in kwargs.items()}
            est = clone(self.head).fit(_take(X, tr), Y[tr], **part)
            oof[va] = est.predict_proba(_take(X, va), **({"embeddings": kwargs["embeddings"][va]}
                                                         if "embeddings" in kwargs else {}))
        return oof

    def fit(self, X, Y: np.ndarray, **kwargs) -> "GroupedClassifier":
        """X and keyword inputs as the head takes them; Y: (n, k) 0/1."""
        if self.head is None:
            raise ValueError("GroupedClassifier needs a head")
        Y = check_labels(Y, len(X))
        head = clone(self.head).fit(X, Y, **kwargs)
        self.head_ = head
        self.classes_, self.n_codes_ = head.classes_, Y.shape[1]
        S = self._head_oof(head, X, Y, kwargs)
        thresholds = np.asarray(head.thresholds_, dtype=float).copy()
        oof = S.copy()
        self.softmax_, self.groups_ = [], []
        for kind, cols in self._columns(head.classes_):
            model, q_oof, prior, alpha, thr = self._fit_group(kind, S[:, cols], Y[:, cols], thresholds[cols])
            self.softmax_.append(model)
            if q_oof is not None:
                oof[:, cols] = q_oof
            thresholds[cols] = thr
            self.groups_.append({"columns": cols.tolist(), "kind": kind, "prior": prior, "alpha": alpha})
        self.thresholds_ = thresholds
        self.oof_proba_ = oof
        if hasattr(head, "n_features_in_"):
            self.n_features_in_ = head.n_features_in_
        return self

    def _fit_group(self, kind: str, S: np.ndarray, Y: np.ndarray, head_thr: np.ndarray):
        """(softmax or None, out-of-fold group probabilities (n, m) or None, prior, alpha, thresholds)."""
        import warnings

        from sklearn.linear_model import LogisticRegression
        from sklearn.model_selection import KFold, StratifiedKFold, cross_val_predict

        m = Y.shape[1]
        on = Y.sum(axis=1)
        use = (on == 1) if kind == EXACTLY_ONE else (on <= 1)
        y = np.where(on == 1, Y.argmax(axis=1), m)           # category m = none of the group's codes
        counts = np.bincount(y[use], minlength=m + 1)
        prior = [round(float(c), 6) for c in counts[:m] / max(1, counts[:m].sum())]
        n_min = int(counts[counts > 0].min()) if counts.any() else 0
        if (counts[:m] > 0).sum() < 2 or use.sum() < 4:
            return None, None, [1.0] * m, 0.0, (np.zeros(m) if kind == EXACTLY_ONE else head_thr)
        F, yu = logit(S), y[use]
        lr = LogisticRegression(C=self.C, max_iter=1000)
        if n_min >= 2:
            folds = StratifiedKFold(n_splits=min(self.cv, n_min), shuffle=True, random_state=self.random_state)
        else:  # a code with one example: plain folds (that code is missing from one training fold)
            folds = KFold(n_splits=min(self.cv, int(use.sum())), shuffle=True, random_state=self.random_state)
        model = clone(lr).fit(F[use], yu)
        q = model.predict_proba(F)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            q[use] = cross_val_predict(lr, F[use], yu, cv=folds, method="predict_proba")
        q = _code_columns(q, model.classes_, m)
        best = None
        for alpha in self.alphas:
            thr = self._group_thresholds(kind, q[use], yu, np.asarray(prior), alpha)
            group = {"columns": list(range(m)), "kind": kind, "prior": prior, "alpha": float(alpha)}
            pred = _category(decide(q[use], thr, [group]))
            gap = 0.5 * np.abs(np.bincount(pred, minlength=m + 1) - counts).sum() / len(yu)
            score = (-round(gap, 3), _kappa(yu, pred))
            if best is None or score > best[0]:
                best = (score, float(alpha), thr)
        return model, q, prior, best[1], best[2]

    @staticmethod
    def _group_thresholds(kind: str, q: np.ndarray, y: np.ndarray, prior: np.ndarray, alpha: float) -> np.ndarray:
        m = q.shape[1]
        if kind == EXACTLY_ONE:
            return np.zeros(m)
        cand = np.argmax(q / np.clip(prior, 1e-6, None) ** alpha, axis=1)
        return np.array([calibrated_f1_threshold(np.where(cand == j, q[:, j], 0.0), y == j) for j in range(m)])

    # --- prediction ------------------------------------------------------------------------
    def _rescore(self, P: np.ndarray) -> np.ndarray:
        P = np.array(P, dtype=float)
        for g, model in zip(self.groups_, self.softmax_):
            if model is not None:
                cols = np.asarray(g["columns"])
                P[:, cols] = _code_columns(model.predict_proba(logit(P[:, cols])), model.classes_, len(cols))
        return P

    def predict_proba(self, X, **kwargs) -> np.ndarray:
        """(n, k) scores: the head's, with each group's codes rescored by its softmax."""
        self._check_fitted()
        return self._rescore(self.head_.predict_proba(X, **kwargs))

    def predict_parts(self, X, **kwargs) -> dict[str, np.ndarray]:
        """The head's parts (heads that read texts and embeddings), 'proba' rescored."""
        self._check_fitted()
        parts = self.head_.predict_parts(X, **kwargs)
        return {**parts, "proba": self._rescore(parts["proba"])}

    def predict(self, X, **kwargs) -> np.ndarray:
        return decide(self.predict_proba(X, **kwargs), self.thresholds_, self.groups_)

    def top_terms(self, text: str, code_index: int, n: int = 5) -> list[str]:
        """The lexical part's words that raised this code's score (empty for a dense head)."""
        lexical = getattr(self.head_, "lexical_", None) or self.head_
        return lexical.top_terms(text, code_index, n) if hasattr(lexical, "top_terms") else []

    def group_config(self) -> list[dict]:
        """The learned groups for the model's config.json: codes by id, kind, prior and alpha."""
        self._check_fitted()
        return [{"codes": [str(self.classes_[c]) for c in g["columns"]], "kind": g["kind"], "prior": g["prior"],
                 "alpha": g["alpha"]} for g in self.groups_]


def query_thresholds(thresholds: np.ndarray, groups: Sequence[dict] = ()) -> np.ndarray:
    """Thresholds to measure uncertainty around (active learning, stopping): an exactly-one group's
    codes, whose threshold is 0 (one is always chosen), are centred on 1/m, the share at which no
    code of the group stands out."""
    t = np.asarray(thresholds, dtype=float).copy()
    for g in groups:
        if g["kind"] == EXACTLY_ONE:
            t[np.asarray(g["columns"], dtype=int)] = 1.0 / len(g["columns"])
    return t


def _code_columns(q: np.ndarray, classes: np.ndarray, m: int) -> np.ndarray:
    """Softmax output (n, n_classes seen) -> (n, m) probabilities of the group's codes (0 for unseen ones)."""
    out = np.zeros((len(q), m))
    for i, c in enumerate(classes):
        if c < m:
            out[:, c] = q[:, i]
    return out


def _category(hits: np.ndarray) -> np.ndarray:
    """One category per row from a group's 0/1 decisions: the code's index, or m for none."""
    return np.where(hits.any(axis=1), hits.argmax(axis=1), hits.shape[1])


def _kappa(y: np.ndarray, pred: np.ndarray) -> float:
    from sklearn.metrics import cohen_kappa_score

    if len(set(y)) < 2 and len(set(pred)) < 2:
        return 0.0
    return float(cohen_kappa_score(y, pred))


def group_head(head, codebook, *, cv: int = 5, random_state: int | None = 0):
    """`head` wrapped in a GroupedClassifier for the codebook's groups (the head itself without groups)."""
    if not codebook.groups:
        return head
    return GroupedClassifier(head, groups=tuple((g.kind, tuple(g.codes)) for g in codebook.groups), cv=cv,
                             random_state=random_state)
