"""Where coders disagree, and the team's final coding once a lead has settled it.

An excerpt is in disagreement when at least two coders have fully reviewed it and they do not
apply the same codes. The lead's consensus (the latest one per excerpt) then replaces the coders'
codings of that excerpt wherever the project's coding is used as one (`export --csv`, `train`).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from suggest.store.fold import positive_codes
from suggest.store.reads import Snapshot

@dataclass
class Disagreement:
    """One excerpt: each reviewing coder's codes, the codes they split on, and the consensus if any."""

    excerpt_id: str
    codings: dict[str, list[str]]  # coder -> codes they apply (sorted)
    split: list[str]  # codes some, not all, of them apply
    agreed: list[str]  # codes all of them apply
    consensus: dict | None = field(default=None)

    @property
    def settled(self) -> bool:
        return self.consensus is not None


def codings(snap: Snapshot) -> dict[str, dict[str, list[str]]]:
    """{excerpt_id: {coder: codes}} for every coder who fully reviewed the excerpt."""
    from suggest.store.coded import reviewed_decisions

    out: dict[str, dict[str, list[str]]] = {}
    for coder in snap.coders:
        for eid, decided in reviewed_decisions(snap, coder).items():
            out.setdefault(eid, {})[coder] = positive_codes(decided)
    return out


def disagreements(snap: Snapshot, exclude: tuple[str, ...] = ()) -> list[Disagreement]:
    """Excerpts (in review order) where the coders who reviewed them disagree on some code.

    `exclude`: coders left out (the lead, when the lead also codes).
    """
    by_excerpt = codings(snap)
    out = []
    for ex in snap.excerpts:
        coded = {c: codes for c, codes in by_excerpt.get(ex["id"], {}).items() if c not in exclude}
        if len(coded) < 2:
            continue
        sets = [set(v) for v in coded.values()]
        union, common = set().union(*sets), set.intersection(*sets)
        if union != common:
            out.append(Disagreement(ex["id"], dict(sorted(coded.items())), sorted(union - common), sorted(common),
                                    snap.consensus.get(ex["id"])))
    return out


def agreement_codings(snap: Snapshot, settled: bool) -> list[dict]:
    """Long rows (excerpt_id, text, code, coder, document_id, source_type) of every reviewing coder,
    for agreement figures; `snap` must hold texts.

    `settled`: where a consensus exists, each coder's coding of that excerpt is replaced by it
    (agreement after adjudication); otherwise the coders' own codings (before).
    """
    by_excerpt = codings(snap)
    rows = []
    for ex in snap.excerpts:
        eid = ex["id"]
        base = {"excerpt_id": eid, "text": ex.get("text", ""), "document_id": ex["document_id"],
                "source_type": ex["source_type"]}
        settled_codes = snap.consensus[eid]["codes"] if settled and eid in snap.consensus else None
        for coder, codes in by_excerpt.get(eid, {}).items():
            codes = settled_codes if settled_codes is not None else codes
            rows += [{**base, "code": c, "coder": coder} for c in codes] or [{**base, "code": "", "coder": coder}]
    return rows
