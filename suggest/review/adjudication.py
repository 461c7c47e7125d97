"""What the adjudication page shows a lead: the excerpts coders disagree on, each coder's codes side
by side (unblinded, for the lead only), their memos, and the consensus the lead records."""
from __future__ import annotations

from flask import Flask, jsonify, request

from suggest.errors import SuggestError
from suggest.review.data import header_fields
from suggest.store import Store
from suggest.team.adjudicate import Disagreement, disagreements


class AdjudicationData:
    """Read the disagreements of a project and record a lead's consensus."""

    def __init__(self, store: Store, lead: str):
        self.store, self.lead = store, lead

    def _open(self) -> list[Disagreement]:
        return disagreements(self.store.snapshot(), exclude=(self.lead,))

    def items(self, show: str = "all") -> dict:
        found = self._open()
        items = [{"id": d.excerpt_id, "settled": d.settled, "split": d.split} for d in found
                 if show != "open" or not d.settled]
        return {"items": items, "progress": {"settled": sum(d.settled for d in found), "total": len(found)}}

    def excerpt(self, excerpt_id: str) -> dict:
        found = next((d for d in self._open() if d.excerpt_id == excerpt_id), None)
        if found is None:
            raise SuggestError(f"excerpt '{excerpt_id}' is not one the coders disagree on", field="excerpt_id")
        ctx = self.store.excerpt_context(excerpt_id)
        cb = self.store.codebook()
        ex, doc = ctx["excerpt"], ctx["document"] or {}
        meta = doc.get("metadata") or {}
        consensus = found.consensus
        codes = []
        for code in found.split + found.agreed + sorted(set(consensus["codes"] if consensus else ())
                                                         - set(found.split) - set(found.agreed)):
            c = cb.get(code) if code in cb else None
            codes.append({"code": code, "name": c.name if c else code, "domain": (c.domain or "") if c else "",
                          "definition": c.definition if c else "", "split": code in found.split,
                          "by": {coder: code in applied for coder, applied in found.codings.items()}})
        return {
            "id": excerpt_id, "text": ex["text"], "source_type": ex["source_type"],
            "document": {"id": ex["document_id"], "title": str(meta.get("subject") or meta.get("title")
                                                                or ex["document_id"]), "fields": header_fields(meta)},
            "before": ctx["before"], "after": ctx["after"], "position": ctx["position"], "of": ctx["of"],
            "coders": list(found.codings), "codes": codes, "agreed": found.agreed,
            "consensus": None if consensus is None else {k: consensus[k] for k in ("codes", "reason", "lead",
                                                                                    "decided_at")},
            "memos": [{"coder": m["coder"], "code": m["code"], "text": m["text"]}
                      for m in self.store.memos(excerpt_ids=[excerpt_id])],
        }

    def settle(self, excerpt_id: str, codes: list[str], reason: str) -> int:
        if not any(d.excerpt_id == excerpt_id for d in self._open()):
            raise SuggestError(f"excerpt '{excerpt_id}' is not one the coders disagree on", field="excerpt_id")
        return self.store.decide_consensus(excerpt_id, codes, self.lead, reason)


def add_routes(app: Flask, store: Store, lead: str) -> None:
    """The adjudication API under /api/adjudication/ (writes pass the app's token and origin checks)."""
    data = AdjudicationData(store, lead)

    @app.get("/api/adjudication/meta")
    def adjudication_meta():
        cb = store.codebook()
        return jsonify({"lead": lead, "project": store.where.rsplit("/", 1)[-1],
                        "codebook": {"name": cb.name, "version": cb.version,
                                     "codes": [{"id": c.id, "name": c.name} for c in cb]}})

    @app.get("/api/adjudication/items")
    def adjudication_items():
        return jsonify(data.items(request.args.get("show", "all")))

    @app.get("/api/adjudication/excerpt/<path:excerpt_id>")
    def adjudication_excerpt(excerpt_id: str):
        return jsonify(data.excerpt(excerpt_id))

    @app.post("/api/adjudication/consensus")
    def adjudication_consensus():
        body = request.get_json(silent=True) or {}
        if not isinstance(body, dict) or not isinstance(body.get("codes", []), list):
            raise SuggestError("the request body must be a JSON object with a list of codes", field="codes")
        eid = str(body.get("excerpt_id", ""))
        consensus_id = data.settle(eid, [str(c) for c in body.get("codes", [])], str(body.get("reason") or ""))
        return jsonify({"saved": True, "consensus_id": consensus_id, "excerpt": data.excerpt(eid),
                        "progress": data.items()["progress"]})
