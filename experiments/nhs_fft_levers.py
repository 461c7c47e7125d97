"""What else could lift the fine-tuned model on the NHS comments? Head-level levers, measured.

    python experiments/nhs_fft_levers.py [--cache DIR] [--out experiments/results/nhs_fft_levers.md]

Runs the product's fine-tuning path once on the split of `experiments/nhs_fft.py` (the same folds,
seeds and settings `suggest train --fine-tune on` uses: `cross_fit_encoders` with the default
`FineTuneSettings`) and keeps every embedding it makes under `--cache`, so the rerun takes minutes
(the first run about 35 min on 2 idle CPU cores). On those embeddings it refits the product's
`CombinedClassifier` as it is (which must reproduce the fine-tuned row of nhs_fft.md) and with one
change at a time: the threshold rule, each regularisation setting, the stock encoder's dense
scores as a fifth blend input, and an average with the default (stock-encoder) model. Settings are
compared on the test split, so read a gain below the bootstrap standard error as noise.
"""
from __future__ import annotations

import argparse
import hashlib
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import nhs_fft  # noqa: E402  (the benchmark's data rules, split and models)

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".suggest" / "nhs_fft_levers"
RESULTS = ROOT / "experiments" / "results" / "nhs_fft_levers.md"


def tuned_embeddings(X_tr, X_te, Ytr, defs, cache: Path, folds: int = 3) -> dict:
    """The product's cross-fitted and final fine-tuned encoders' embeddings (cached by what made them)."""
    from suggest.classify.base import multilabel_folds
    from suggest.finetune import FineTuneSettings, cross_fit_encoders, fingerprint

    settings = FineTuneSettings(folds=folds)
    key = hashlib.sha256((fingerprint(X_tr, Ytr, None, settings, 0) + "|".join(X_te)).encode()).hexdigest()[:16]
    path = cache / f"tuned-{key}.npz"
    if path.is_file():
        return dict(np.load(path))
    folds = multilabel_folds(Ytr, settings.folds, 0)
    encoder, cross_fit, seconds = cross_fit_encoders(X_tr, Ytr, defs, folds, settings=settings, seed=0, progress=True)
    out = {"E_tr": encoder.transform(X_tr), "E_te": encoder.transform(X_te), "D": encoder.transform(defs),
           "seconds": np.array(seconds)}
    for k, (tr, va, Ek, Dk) in enumerate(cross_fit):
        out.update({f"tr{k}": tr, f"va{k}": va, f"E{k}": Ek, f"D{k}": Dk})
    cache.mkdir(parents=True, exist_ok=True)
    np.savez(path, **out)
    return out


def blend_with(parts_tr: list[np.ndarray], parts_te: list[np.ndarray], Ytr: np.ndarray, folds, C: float = 1.0,
               min_positives: int = 8) -> tuple[np.ndarray, np.ndarray]:
    """The product's per-code logistic blend over any list of (n, k[, f]) inputs: (out-of-fold, test) scores."""
    from sklearn.linear_model import LogisticRegression

    from suggest.classify.base import logit

    def stack(parts):
        return np.concatenate([p if p.ndim == 3 else logit(p)[..., None] for p in parts], axis=2)

    def fit_apply(Z, Y, Znew):
        rich = Y.sum(axis=0) >= min_positives
        shared = LogisticRegression(C=C, max_iter=1000).fit(Z[:, rich].reshape(-1, Z.shape[2]), Y[:, rich].T.ravel())
        return np.column_stack([(LogisticRegression(C=C, max_iter=1000).fit(Z[:, j], Y[:, j]) if rich[j] else shared)
                                .predict_proba(Znew[:, j])[:, 1] for j in range(Y.shape[1])])

    Z, Zte = stack(parts_tr), stack(parts_te)
    oof = np.zeros(Ytr.shape)
    for tr, va in folds:
        oof[va] = fit_apply(Z[tr], Ytr[tr], Z[va])
    return oof, fit_apply(Z, Ytr, Zte)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cache", type=Path, default=CACHE, help="where the fine-tuned embeddings are kept")
    ap.add_argument("--folds", type=int, default=3, help="cross-fitting folds (the product's default: 3)")
    ap.add_argument("--out", type=Path, default=RESULTS)
    args = ap.parse_args(argv)
    if not nhs_fft.DATA.is_file():
        print(f"SKIP: the NHS FFT data is not at {nhs_fft.DATA}; nothing to measure.")
        return 0
    from sklearn.metrics import f1_score

    from suggest.classify.base import best_f1_threshold, calibrated_f1_threshold
    from suggest.classify.combined import CombinedClassifier
    from suggest.classify.dense import DenseClassifier
    from suggest.classify.lexical import LexicalClassifier
    from suggest.classify.prior import definition_texts, prior_features
    from suggest.corpus import codebook_from_columns
    from suggest.embed import SentenceEmbedder

    texts, Y, codes, _ = nhs_fft.load()
    train, test = nhs_fft.split(Y)
    X_tr, X_te, Ytr, Yte = [texts[i] for i in train], [texts[i] for i in test], Y[train], Y[test]
    codebook = codebook_from_columns(codes, name="nhs-fft-v6")
    defs = definition_texts(codebook)
    t0 = time.perf_counter()
    T = tuned_embeddings(X_tr, X_te, Ytr, defs, args.cache, args.folds)
    print(f"fine-tuned embeddings ready in {time.perf_counter() - t0:.0f} s", flush=True)
    cross_fit = [(T[f"tr{k}"], T[f"va{k}"], T[f"E{k}"], T[f"D{k}"]) for k in range(args.folds)]
    folds = [(tr, va) for tr, va, _, _ in cross_fit]

    rows: list[tuple[str, float, float]] = []

    def report(label: str, S: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
        P = (S >= thresholds).astype(int)
        rows.append((label, f1_score(Yte, P, average="macro", zero_division=0),
                     f1_score(Yte, P, average="micro", zero_division=0)))
        print(f"  {label:<62} macro F1 {rows[-1][1]:.4f}  micro F1 {rows[-1][2]:.4f}", flush=True)
        return P

    def fit(**params):
        head = CombinedClassifier(cv=args.folds, random_state=0, **params)
        return head.fit(X_tr, Ytr, embeddings=T["E_tr"], definition_embeddings=T["D"], cross_fit=cross_fit)

    head = fit()
    parts = head.predict_parts(X_te, embeddings=T["E_te"])
    P_tuned = report("fine-tuned, as the product builds it", parts["proba"], head.thresholds_)
    oof, S, k = head.oof_proba_, parts["proba"], Y.shape[1]
    argmax = np.array([best_f1_threshold(oof[:, j], Ytr[:, j], 0.05, 0.9, 0.5) for j in range(k)])
    report("  thresholds: the F1-maximising one alone", S, argmax)
    for c in (0.25, 0.3, 0.35):
        report(f"  thresholds: {c} for every code", S, np.full(k, c))
    for params in ({"dense_C": 0.5}, {"dense_C": 8.0}, {"lexical_C": 2.0}, {"lexical_C": 8.0}, {"blend_C": 0.3},
                   {"blend_C": 10.0}):
        h = fit(**params)
        report("  " + ", ".join(f"{p} {v}" for p, v in params.items()), h.predict_proba(X_te, embeddings=T["E_te"]),
               h.thresholds_)

    stock = SentenceEmbedder()
    E_tr, E_te = stock.transform(X_tr), stock.transform(X_te)
    p_lex, p_den, p_stock, prior = np.zeros(Ytr.shape), np.zeros(Ytr.shape), np.zeros(Ytr.shape), np.zeros((*Ytr.shape, 2))
    for tr, va, Ek, Dk in cross_fit:
        p_lex[va] = LexicalClassifier(C=4.0, random_state=0).fit([X_tr[i] for i in tr], Ytr[tr]).predict_proba(
            [X_tr[i] for i in va])
        p_den[va] = DenseClassifier(C=2.0, random_state=0).fit(Ek[tr], Ytr[tr]).predict_proba(Ek[va])
        p_stock[va] = DenseClassifier(C=2.0, random_state=0).fit(E_tr[tr], Ytr[tr]).predict_proba(E_tr[va])
        prior[va] = prior_features(Ek[va], Dk)
    stock_te = DenseClassifier(C=2.0, random_state=0).fit(E_tr, Ytr).predict_proba(E_te)
    prior_te = prior_features(T["E_te"], T["D"])
    for label, use_tr, use_te in (
            ("  blend re-implemented here (must match the first row)", [p_lex, p_den, prior],
             [parts["lexical"], parts["dense"], prior_te]),
            ("  + the stock encoder's dense scores as a fifth input", [p_lex, p_den, p_stock, prior],
             [parts["lexical"], parts["dense"], stock_te, prior_te])):
        o, s = blend_with(use_tr, use_te, Ytr, folds)
        report(label, s, np.array([calibrated_f1_threshold(o[:, j], Ytr[:, j]) for j in range(k)]))

    default = nhs_fft.Ours("combined", codebook, progress=False).fit(X_tr, Ytr)
    S_default = default.model.predict_proba(X_te)
    P_default = report("default model (stock encoder), for reference", S_default, default.model.thresholds)
    oof_default = default.model.classifier.oof_proba_
    mean_oof = (oof + oof_default) / 2
    report("  average of the fine-tuned and the default model", (S + S_default) / 2,
           np.array([calibrated_f1_threshold(mean_oof[:, j], Ytr[:, j]) for j in range(k)]))

    rng, n = np.random.default_rng(0), len(Yte)
    boot, gain = [], []
    for _ in range(1000):
        idx = rng.integers(0, n, n)
        f_t = f1_score(Yte[idx], P_tuned[idx], average="macro", zero_division=0)
        boot.append(f_t)
        gain.append(f_t - f1_score(Yte[idx], P_default[idx], average="macro", zero_division=0))
    boot, gain = np.array(boot), np.array(gain)
    lines = [f"| {label.strip()} | {ma:.3f} | {mi:.3f} |" for label, ma, mi in rows]
    text = ("# NHS FFT: head-level levers on the fine-tuned model\n\n"
            f"Command: `python experiments/nhs_fft_levers.py`. Split, data rules and seed of `experiments/nhs_fft.py` "
            f"(train {len(train)}, test {n}); fine-tuning as `suggest train --fine-tune on` does it (3 epochs, "
            f"{args.folds} cross-fitted folds + 1), {float(T['seconds']):.0f} s on 2 CPU cores when the cache was made. Indented "
            "rows change one thing from the first.\n\n| Model | Macro F1 | Micro F1 |\n|---|---|---|\n"
            + "\n".join(lines)
            + f"\n\nBootstrap over test comments (1,000 resamples): the fine-tuned model's macro F1 has standard "
            f"error {boot.std():.3f} ({(boot >= 0.62).mean():.0%} of resamples reach 0.62); its gain over the "
            f"default model is {rows[0][1] - f1_score(Yte, P_default, average='macro', zero_division=0):+.3f}, "
            f"95% interval [{np.percentile(gain, 2.5):+.3f}, {np.percentile(gain, 97.5):+.3f}].\n")
    print("\n" + text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
