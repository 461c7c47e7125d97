"""What the review page shows one coder: the item list under filters, one excerpt's view, progress.

Everything here is filtered to one coder's own decisions and memos: coders never see each other's.
When the project has an assignment (`suggest assign`), the coder's assigned excerpts come first and
progress is also counted against the assignment.
"""
from __future__ import annotations

from dataclasses import dataclass

from suggest.store import Store
from suggest.store.fold import NO_CODE, is_reviewed
from suggest.review.track_record import track_record
from suggest.store.reads import Snapshot

EMAIL_FIELDS = ("sender", "to", "cc", "date", "subject")
HIDDEN_FIELDS = {"message_id", "attachments", "title", "speakers", "row"}


def header_fields(meta: dict, limit: int = 8) -> dict[str, str]:
    """Document metadata worth showing above the text: email headers first, then short fields."""
    out = {k: str(meta[k]) for k in EMAIL_FIELDS if meta.get(k)}
    for k, v in meta.items():
        if len(out) >= limit:
            break
        if k not in out and k not in HIDDEN_FIELDS and isinstance(v, (str, int, float)) and 0 < len(str(v)) <= 100:
            out[str(k)] = str(v)
    return out


@dataclass
class Filters:
    """Item filters; empty strings and None mean 'any'."""

    document: str = ""
    source_type: str = ""
    code: str = ""
    min_score: float | None = None
    max_score: float | None = None
    status: str = "all"  # all | pending | reviewed

    @classmethod
    def from_args(cls, args) -> "Filters":
        def num(name: str) -> float | None:
            try:
                value = args.get(name, "")
                return float(value) if str(value).strip() != "" else None
            except ValueError:
                return None

        status = args.get("status", "all")
        return cls(document=args.get("document", ""), source_type=args.get("source_type", ""),
                   code=args.get("code", ""), min_score=num("min_score"), max_score=num("max_score"),
                   status=status if status in ("all", "pending", "reviewed") else "all")


class ReviewData:
    """Read and write one coder's review of a project."""

    def __init__(self, store: Store, coder: str):
        self.store, self.coder = store, coder

    # --- lists ---------------------------------------------------------------------------
    def meta(self) -> dict:
        snap = self.store.snapshot(self.coder)
        return {"coder": self.coder, "project": self.store.where.rsplit("/", 1)[-1],
                "codebook": {"name": snap.codebook.name, "version": snap.codebook.version,
                             "codes": [{"id": c.id, "name": c.name, "domain": c.domain or "",
                                        "definition": c.definition} for c in snap.codebook],
                             "groups": [g.to_dict() for g in snap.codebook.groups]},
                "documents": sorted({e["document_id"] for e in snap.excerpts}),
                "source_types": sorted({e["source_type"] for e in snap.excerpts if e["source_type"]}),
                "progress": self._progress(snap)}

    def _progress(self, snap: Snapshot, assigned: dict[str, bool] | None = None) -> dict:
        reviewed = snap.reviewed(self.coder)
        out = {"reviewed": len(reviewed), "total": len(snap.excerpts)}
        assigned = self._assigned() if assigned is None else assigned
        if assigned:
            out["assigned"] = {"reviewed": sum(1 for e in assigned if e in reviewed), "total": len(assigned)}
        return out

    def _assigned(self) -> dict[str, bool]:
        """{excerpt_id: shared} of this coder's assignment in the latest round ({} without one)."""
        return {e: by[self.coder] for e, by in self.store.assignment(self.coder).items()}

    def items(self, f: Filters) -> dict:
        """Excerpt ids in review order (queued ones first) that pass the filters, with their status."""
        snap = self.store.snapshot(self.coder)
        reviewed = snap.reviewed(self.coder)
        current = snap.current(self.coder)
        assigned = self._assigned()
        queued: dict[str, str] = {}
        for q in snap.queue:
            queued.setdefault(q["excerpt_id"], q["reason"])
        out = []
        for ex in snap.excerpts:
            eid = ex["id"]
            sugg = snap.suggestions.get(eid, [])
            if f.document and ex["document_id"] != f.document:
                continue
            if f.source_type and ex["source_type"] != f.source_type:
                continue
            if f.code:
                mine = current.get(eid, {}).get(f.code)
                sugg = [s for s in sugg if s["code"] == f.code]
                if not sugg and not (mine and mine.positive):
                    continue
            if f.min_score is not None or f.max_score is not None:
                lo = f.min_score if f.min_score is not None else float("-inf")
                hi = f.max_score if f.max_score is not None else float("inf")
                if not any(lo <= s["score"] <= hi for s in sugg):
                    continue
            done = eid in reviewed
            if (f.status == "pending" and done) or (f.status == "reviewed" and not done):
                continue
            out.append({"id": eid, "reviewed": done, "queued": queued.get(eid), "assigned": eid in assigned})
        # stable: queued first, then my assignment (shared excerpts first), then the rest in document order
        out.sort(key=lambda it: (it["queued"] is None, not it["assigned"], not assigned.get(it["id"], False)))
        return {"items": out, "progress": self._progress(snap, assigned)}

    # --- one excerpt ---------------------------------------------------------------------
    def excerpt(self, excerpt_id: str) -> dict:
        """The page's view of one excerpt: text, context, suggestions with evidence, my decisions."""
        ctx = self.store.excerpt_context(excerpt_id)
        snap = self.store.snapshot(self.coder, evidence=True, excerpt_ids=[excerpt_id])
        cb = snap.codebook
        ex, doc = ctx["excerpt"], ctx["document"] or {}
        mine = snap.current(self.coder).get(excerpt_id, {})
        record = track_record(self.store.snapshot(), leave_out=excerpt_id)
        suggestions = []
        for s in snap.suggestions.get(excerpt_id, []):
            code = cb.get(s["code"]) if s["code"] in cb else None
            d = mine.get(s["code"])
            suggestions.append({
                "code": s["code"], "name": code.name if code else s["code"], "domain": (code.domain or "") if code
                else "", "definition": code.definition if code else "", "score": round(s["score"], 3),
                "threshold": round(s["threshold"], 3), "terms": list(s["evidence"].get("terms", [])),
                "similar": list(s["evidence"].get("similar", [])),
                "decision": d.action if d else None, "decision_id": d.id if d else None,
                "record": record.get(s["code"], {"accepted": 0, "decided": 0})})
        suggested = {s["code"] for s in suggestions}
        added = [{"code": code, "name": cb.get(code).name if code in cb else code,
                  "domain": (cb.get(code).domain or "") if code in cb else "",
                  "decision": d.action, "decision_id": d.id}
                 for code, d in sorted(mine.items()) if code not in suggested and code != NO_CODE]
        meta = doc.get("metadata") or {}
        queued = next((q["reason"] for q in snap.queue if q["excerpt_id"] == excerpt_id), None)
        none = mine.get(NO_CODE)
        return {
            "id": excerpt_id, "text": ex["text"], "source_type": ex["source_type"],
            "model_version": (snap.excerpts[0]["model_version"] if snap.excerpts else None),
            "document": {"id": ex["document_id"], "source_type": doc.get("source_type", ""),
                         "title": str(meta.get("subject") or meta.get("title") or ex["document_id"]),
                         "fields": header_fields(meta)},
            "before": ctx["before"], "after": ctx["after"], "position": ctx["position"], "of": ctx["of"],
            "suggestions": suggestions, "added": added, "queued": queued,
            "no_code": none.action if none else None,
            "reviewed": bool(mine) and is_reviewed(suggested, mine),
            "memos": [{"code": m["code"], "text": m["text"], "written_at": m["written_at"]}
                      for m in self.store.memos(self.coder, [excerpt_id])],
        }

    # --- writes --------------------------------------------------------------------------
    def decide(self, excerpt_id: str, code: str, action: str, note: str | None = None,
               scores_hidden: bool | None = None) -> int:
        return self.store.decide(self.coder, excerpt_id, code, action, note=note, scores_hidden=scores_hidden)

    def memo(self, excerpt_id: str, text: str, code: str = "") -> int:
        return self.store.write_memo(self.coder, excerpt_id, text, code)

    def undo(self) -> dict | None:
        d = self.store.undo(self.coder)
        return None if d is None else {"excerpt_id": d.excerpt_id, "code": d.code, "action": d.action,
                                       "decision_id": d.id}

    def progress(self) -> dict:
        return self._progress(self.store.snapshot(self.coder))
