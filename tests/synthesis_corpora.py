"""Constructed coded corpora for the synthesis tests: a planted CMO configuration among random codes,
and a planted theme that no mechanism covers among unrelated excerpts."""
from __future__ import annotations

import numpy as np
import pandas as pd

from suggest.codebook import Code, Codebook
from suggest.corpus import validate_long

CMO = Codebook(name="planted", domains=("context", "mechanism", "outcome"), codes=tuple(
    [Code(f"C{i}", f"Context {i}", f"Situation number {i}. More detail.", "context") for i in (1, 2)]
    + [Code(f"M{i}", f"Mechanism {i}", f"Response number {i}; more detail.", "mechanism") for i in range(1, 7)]
    + [Code(f"O{i}", f"Outcome {i}", f"Result number {i}.", "outcome") for i in (1, 2, 3)]))
PLANTED = ("C1", "M3", "O2")
SOURCES = ("email", "record_form", "interview")
WORDS = ("budget ward rota audit leaflet kettle printer ferry meadow violin glacier quartz tulip harbour lantern "
         "orchard canyon saddle pepper marble thunder velvet falcon copper willow prism lagoon cactus cobalt "
         "sparrow anchor biscuit domino ember fjord goblet hazel igloo jigsaw kiosk lilac mango nectar oyster "
         "pagoda quiver raven sequin tundra umbra vortex walnut yonder zephyr").split()


def planted_long(seed: int, n_docs: int = 60, planted_docs: int = 18, p: float = 0.2) -> pd.DataFrame:
    """Long coded table: 4 excerpts per document, codes at random with probability p, and the planted
    triple alone on one excerpt of `planted_docs` documents."""
    rng = np.random.default_rng(seed)
    rows = []
    for d in range(n_docs):
        src = SOURCES[d % 3]
        for k in range(4):
            eid = f"d{d:02d}-e{k}"
            text = " ".join(rng.choice(WORDS, 10))
            if d < planted_docs and k == 0:
                codes = list(PLANTED)
            else:
                codes = [c for c in CMO.ids if rng.random() < p]
            for code in codes or [""]:
                rows.append({"excerpt_id": eid, "text": text, "code": code, "coder": "amira",
                             "document_id": f"{src}-{d:02d}", "source_type": src})
    return validate_long(pd.DataFrame(rows), CMO)


PARKING = ["The hospital car park permits ran out again so the therapist circled the car park for forty minutes.",
           "Car park permits for staff are the problem: no permit means parking far from the hospital.",
           "She was late because the hospital car park was full and the permit machine was broken.",
           "Parking permits at the hospital car park were cancelled for part-time staff this month.",
           "No parking permit yet, so the therapist pays the hospital car park every visit day.",
           "The car park barrier rejected her staff permit and parking at the hospital took an hour.",
           "Parking again: the hospital car park permit list is closed until spring for therapists."]


def candidate_corpus(seed: int = 0) -> pd.DataFrame:
    """Coded excerpts with no mechanism: random word salads, plus the planted parking theme."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(60):
        code = ["", "C2", "O1"][i % 3]
        rows.append({"excerpt_id": f"r{i:02d}", "text": " ".join(rng.choice(WORDS, 12)), "code": code,
                     "coder": "amira", "document_id": f"email-{i:02d}", "source_type": "email"})
    for i, text in enumerate(PARKING):
        rows.append({"excerpt_id": f"park{i}", "text": text, "code": "C2" if i % 2 else "", "coder": "amira",
                     "document_id": f"form-{i}", "source_type": "record_form"})
    rows += [{"excerpt_id": f"m{i}", "text": f"Mentor praised the plan number {i} warmly.", "code": "M4",
              "coder": "amira", "document_id": "form-m", "source_type": "record_form"} for i in range(5)]
    return validate_long(pd.DataFrame(rows), CMO)
