"""Single-choice groups on constructed data: group kappa of the grouped model against picking the
highest independent score, over several seeds.

A three-code group (shares 65%, 20%, 15%); each excerpt's true code shows a cue word in 60% of
the excerpts, and every code's cue also turns up by chance (20%), so the scores are uncertain and the
plain argmax leans towards the majority code. Both models are the same head (the default combined
head on the deterministic fake encoder, and the lexical head) fitted on the training part; kappa is
Cohen's, over the three codes, on a held-out part. Run: python experiments/single_choice_groups.py
"""
from __future__ import annotations

import numpy as np

CODES = ("S1", "S2", "S3")
SHARES = (0.65, 0.20, 0.15)
CUES = {"S1": ("steady", "usual", "routine", "settled"), "S2": ("worried", "anxious", "uneasy", "nervous"),
        "S3": ("angry", "furious", "annoyed", "fed")}
FILLER = ("mentor", "visit", "letter", "employer", "week", "phone", "hours", "plan", "meeting", "form", "shift",
          "manager", "return", "role", "team", "review", "call", "notes", "goal", "task")


def constructed_group(n: int, seed: int, hit: float = 0.6, noise: float = 0.2) -> tuple[list[str], np.ndarray]:
    """n texts and their (n, 3) one-hot labels: the true code's cue with probability `hit`, each code's by `noise`."""
    rng = np.random.default_rng(seed)
    y = rng.choice(3, size=n, p=SHARES)
    texts = []
    for c in y:
        words = list(rng.choice(FILLER, 6))
        for k, code in enumerate(CODES):
            if rng.random() < (hit if k == c else noise):
                words.append(str(rng.choice(CUES[code])))
        rng.shuffle(words)
        texts.append(" ".join(words))
    return texts, np.eye(3, dtype=int)[y]


def group_kappas(kind: str, seed: int, n_train: int = 600, n_test: int = 600) -> tuple[float, float]:
    """(kappa of the grouped model's choice, kappa of the argmax of the independent scores) on held-out texts."""
    from sklearn.metrics import cohen_kappa_score

    from suggest.classify import GroupedClassifier, fit_head, make_classifier, predict_head
    from suggest.embed import FakeEmbedder

    texts, Y = constructed_group(n_train + n_test, seed)
    enc = FakeEmbedder(dim=64)
    E, D = enc.transform(texts), enc.transform([f"{c}: {' '.join(CUES[c])}" for c in CODES])
    tr, te = slice(0, n_train), slice(n_train, None)
    plain = fit_head(make_classifier(kind, CODES, seed=seed), texts[tr], Y[tr], E[tr], D)
    grouped = fit_head(GroupedClassifier(make_classifier(kind, CODES, seed=seed), groups=(("exactly-one", CODES),),
                                         random_state=seed), texts[tr], Y[tr], E[tr], D)
    truth = Y[te].argmax(axis=1)
    independent = predict_head(plain, texts[te], E[te])["proba"].argmax(axis=1)
    P = predict_head(grouped, texts[te], E[te])["proba"]
    chosen = grouped.predict(texts[te], **({"embeddings": E[te]} if grouped.input_kind == "both" else {})) \
        if grouped.input_kind != "embeddings" else grouped.predict(E[te])
    assert (chosen.sum(axis=1) == 1).all() and np.allclose(P.sum(axis=1), 1)
    return float(cohen_kappa_score(truth, chosen.argmax(axis=1))), float(cohen_kappa_score(truth, independent))


def main() -> None:
    print("Constructed three-code group (65/20/15), held-out Cohen's kappa over the group's codes")
    print(f"{'head':<10} {'seed':>4}  {'grouped':>8}  {'independent argmax':>18}  {'gain':>6}")
    for kind in ("combined", "lexical"):
        gains = []
        for seed in range(5):
            g, i = group_kappas(kind, seed)
            gains.append(g - i)
            print(f"{kind:<10} {seed:>4}  {g:8.3f}  {i:18.3f}  {g - i:+6.3f}")
        print(f"{kind:<10} mean gain {np.mean(gains):+.3f} (min {np.min(gains):+.3f})")


if __name__ == "__main__":
    main()
