"""Writes the fictional single-choice-group example (coded.csv, new_batch.csv) from sentence parts.

All text is invented for this project: staff comments about a new electronic rota on an imaginary
ward. Every comment takes exactly one stance code (most are mixed or neutral; half of the mixed ones
put a good point beside a bad one) and may also be about workload or training. Two coders, ana and
ben, coded the first 120 comments; on borderline comments each reads some stances differently. Run: python training_data/rota_feedback/make_example.py
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

HERE = Path(__file__).parent
STANCE = {
    "ST-POS": ["I like being able to swap shifts from my phone", "the new rota is a real improvement",
               "it is much easier to see who is on nights now", "requesting leave is quicker than before",
               "I would not go back to the paper rota", "the app makes planning childcare easier"],
    "ST-MIX": ["the rota is fine once you get used to it", "some things are better and some are worse",
               "it works, but it still has a few gaps", "I have no strong feelings about the new system",
               "it does what the old spreadsheet did", "parts of it help and parts of it slow me down",
               "it is early days, so hard to judge", "the rota looks different but the shifts are the same"],
    "ST-NEG": ["the new rota has made things worse", "I preferred the paper rota on the wall",
               "the app keeps losing my shift swaps", "nobody asked us before switching systems",
               "I dread opening the rota each week", "the new system is a step backwards"],
}
WORKLOAD = ["there are still not enough staff on weekends", "late shifts run over most days",
            "we are short of a nurse on most nights", "the extra admin eats into patient time"]
TRAINING = ["a short session on the app would help", "I never had any training on it",
            "the ward manager showed us the basics", "the online guide was hard to follow"]
FILLER = ["On the ward,", "Honestly,", "For me,", "Since March,", "", "", ""]
SHARES = {"ST-POS": 0.2, "ST-MIX": 0.65, "ST-NEG": 0.15}


def comment(rng: np.random.Generator, stance: str) -> tuple[str, list[str]]:
    first = str(rng.choice(STANCE[stance]))
    if stance == "ST-MIX" and rng.random() < 0.5:
        first = f"{rng.choice(STANCE['ST-POS'])}, but {rng.choice(STANCE['ST-NEG'])}"
    parts, codes = [first], [stance]
    if rng.random() < 0.35:
        parts.append(str(rng.choice(WORKLOAD)))
        codes.append("WL")
    if rng.random() < 0.3:
        parts.append(str(rng.choice(TRAINING)))
        codes.append("TR")
    order = rng.permutation(len(parts))
    text = "; ".join(parts[i] for i in order)
    lead = str(rng.choice(FILLER))
    text = (f"{lead} {text}" if lead else text[0].upper() + text[1:]) + "."
    return text, codes


def main(n: int = 360, n_batch: int = 60, n_double: int = 120, seed: int = 7) -> None:
    import pandas as pd

    rng = np.random.default_rng(seed)
    stances = list(SHARES)
    rows, batch = [], []
    for i in range(n + n_batch):
        stance = str(rng.choice(stances, p=list(SHARES.values())))
        text, codes = comment(rng, stance)
        eid = f"rota-{i + 1:03d}"
        if i >= n:
            batch.append({"excerpt_id": eid, "text": text})
            continue
        for coder in (["ana", "ben"] if i < n_double else ["ana"]):
            mine = list(codes)
            if rng.random() < (0.15 if coder == "ben" else 0.08):  # borderline stances read differently
                mine[0] = str(rng.choice([s for s in stances if s != stance]))
            rows += [{"excerpt_id": eid, "text": text, "code": c, "coder": coder, "document_id": "staff-survey",
                      "source_type": "survey"} for c in mine]
    pd.DataFrame(rows).to_csv(HERE / "coded.csv", index=False)
    pd.DataFrame(batch).to_csv(HERE / "new_batch.csv", index=False)


if __name__ == "__main__":
    main()
