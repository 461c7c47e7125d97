"""Recall of planted identifiers and wrong replacements of `suggest`'s pseudonymisation.

On the constructed fictional set of `pseudonymise_set.py` (72 emails with From/To headers and 40
forms by default), run the batch pseudonymiser as `suggest batch --pseudonymise` does and print:
- recall per kind: a planted identifier counts as caught when every character of it lies inside a
  replaced span (header names and addresses: when the pseudonymised header no longer holds them);
- wrong replacements: replaced spans that overlap no planted identifier, and the words in them;
- consistency: the share of people whose every caught mention got the same placeholder.

    python experiments/pseudonymise_eval.py [--emails 72] [--forms 40] [--seed 0] [--out experiments/results/pseudonymise_eval.md]
"""
from __future__ import annotations

import argparse
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def evaluate(items: list[dict]) -> dict:
    from suggest.corpus import Document
    from suggest.pseudonymise import Pseudonymiser

    p = Pseudonymiser(keep=["ROC trial", "Royal Infirmary", "Stroke VR"])
    docs = [Document(it["id"], it["text"], it["kind"], metadata=dict(it["headers"])) for it in items]
    t0 = time.perf_counter()
    people = [n for d in docs for f in ("sender", "to") for n in [_name(d.metadata.get(f, ""))] if n]
    found = p.find([d.text for d in docs], people)
    seconds = time.perf_counter() - t0
    caught, total = Counter(), Counter()
    wrong, wrong_words = [], 0
    placeholders = defaultdict(set)
    for it, fs in zip(items, found):
        covered = [False] * len(it["text"])
        for f in fs:
            covered[f.start:f.end] = [True] * (f.end - f.start)
        for pl in it["planted"]:
            total[pl["kind"]] += 1
            if all(covered[pl["start"]:pl["end"]]):
                caught[pl["kind"]] += 1
                if pl["kind"] == "PERSON":
                    ph = [p.key.placeholder(f.kind, f.text) for f in fs if f.start <= pl["start"] < f.end]
                    placeholders[it["people"][pl["who"]]].update(ph)
            else:
                caught[pl["kind"]] += 0
        for f in fs:
            if not any(f.start < pl["end"] and pl["start"] < f.end for pl in it["planted"]):
                wrong.append((it["id"], f.kind, f.text))
                wrong_words += len(f.text.split())
    # email headers, as `Pseudonymiser.documents` rewrites them
    for it in items:
        if not it["headers"]:
            continue
        rewritten = " ".join(p.header(it["headers"][f]) for f in ("sender", "to"))
        for original in it["header_planted"][:4]:
            kind = "EMAIL" if "@" in original else "PERSON"
            total[f"header {kind}"] += 1
            caught[f"header {kind}"] += int(original not in rewritten)
    n_words = sum(len(it["text"].split()) for it in items)
    consistent = sum(len(v) == 1 for v in placeholders.values())
    return {"caught": caught, "total": total, "wrong": wrong, "wrong_words": wrong_words, "n_words": n_words,
            "consistent": consistent, "people": len(placeholders), "seconds": seconds, "n_items": len(items)}


def _name(header: str) -> str:
    from email.utils import parseaddr

    return parseaddr(header)[0]


def report(r: dict) -> str:
    from suggest.pseudonymise import KINDS

    lines = ["| kind | planted | caught | recall |", "|---|---|---|---|"]
    for kind in sorted(r["total"], key=lambda k: (k.startswith("header"), k)):
        n, c = r["total"][kind], r["caught"][kind]
        label = KINDS.get(kind, kind.replace("header ", "header: ").replace("PERSON", "name").replace("EMAIL", "email"))
        lines.append(f"| {label} | {n} | {c} | {c / n:.3f} |")
    n, c = sum(r["total"].values()), sum(r["caught"].values())
    lines.append(f"| **all** | {n} | {c} | **{c / n:.3f}** |")
    wrong = Counter(t for _, _, t in r["wrong"])
    lines += ["", f"{r['n_items']} documents, {r['n_words']} words; pseudonymised in {r['seconds']:.1f} s.",
              f"Wrong replacements: {len(r['wrong'])} spans ({r['wrong_words']} words, "
              f"{r['wrong_words'] / r['n_words']:.2%} of all words) overlap no planted identifier"
              + (": " + ", ".join(f"'{t}' x{k}" for t, k in wrong.most_common(12)) if wrong else "."),
              f"Consistency: {r['consistent']} of {r['people']} people got one placeholder for all their caught "
              "mentions."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    from pseudonymise_set import build

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--emails", type=int, default=72)
    ap.add_argument("--forms", type=int, default=40)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--held-out", action="store_true",
                    help="the held-out templates (written after tuning, never tuned on) instead of the main set")
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "pseudonymise_eval.md"))
    args = ap.parse_args(argv)
    r = evaluate(build(args.emails, args.forms, args.seed, held_out=args.held_out))
    text = report(r)
    print(text)
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        which = " --held-out" if args.held_out else ""
        mode = "a" if args.held_out else "w"
        with open(args.out, mode, encoding="utf-8") as fh:
            if not args.held_out:
                fh.write("# Pseudonymisation on the constructed fictional set (experiments/pseudonymise_set.py)\n\n")
            fh.write(f"## {'Held-out templates' if args.held_out else 'Main set'} (seed {args.seed})\n\n"
                     f"`python experiments/pseudonymise_eval.py --seed {args.seed}{which}`\n\n{text}\n\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
