"""Reading a project: the codebook, excerpts with their latest suggestions, and decisions."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import and_, func, select
from sqlalchemy.engine import Connection, Engine

from suggest.errors import StoreError
from suggest.store import schema as t
from suggest.store.fold import Decision, by_excerpt, fold, is_reviewed, positive_codes

if TYPE_CHECKING:
    from suggest.codebook import Codebook


@dataclass
class Snapshot:
    """A consistent read of a project (one transaction).

    `excerpts`: one dict per excerpt in a batch, in review order (document, then position), with
    id, document_id, source_type, seq, start_offset, end_offset, batch_id, model_version (and text
    when asked). `suggestions`: excerpt id -> the suggestions of its latest batch, best first.
    """

    codebook: "Codebook"
    excerpts: list[dict]
    suggestions: dict[str, list[dict]]
    decisions: list[Decision]
    queue: list[dict] = field(default_factory=list)
    consensus: dict[str, dict] = field(default_factory=dict)  # excerpt id -> the lead's latest settled coding

    @property
    def max_decision_id(self) -> int:
        return max((d.id for d in self.decisions), default=0)

    def current(self, coder: str) -> dict[str, dict[str, Decision]]:
        """{excerpt_id: {code: Decision}}: the coder's current decisions (the fold of their rows)."""
        return by_excerpt(fold(d for d in self.decisions if d.coder == coder), coder)

    def reviewed(self, coder: str) -> dict[str, list[str]]:
        """{excerpt_id: positive codes} for every excerpt the coder has fully reviewed."""
        current = self.current(coder)
        out = {}
        for ex in self.excerpts:
            decided = current.get(ex["id"], {})
            if decided and is_reviewed([s["code"] for s in self.suggestions.get(ex["id"], [])], decided):
                out[ex["id"]] = positive_codes(decided)
        return out

    @property
    def coders(self) -> list[str]:
        return sorted({d.coder for d in self.decisions})


class StoreReads:
    """Read methods of `Store` (which provides `engine` and `where`)."""

    engine: Engine
    where: str

    def _read(self):
        return self.engine.begin()

    def _codebook(self, conn: Connection) -> "Codebook":
        import yaml

        from suggest.codebook import Codebook

        latest = conn.execute(select(t.codebooks.c.hash).order_by(t.codebooks.c.added_at.desc())).scalar()
        if latest is None:
            raise StoreError("the project holds no codebook yet", path=self.where,
                             hint="store a batch first: `suggest batch ... --model MODEL --project FILE`")
        cache = self.__dict__.setdefault("_codebooks", {})  # hash -> Codebook: parsing YAML is slow
        if latest not in cache:
            text = conn.execute(select(t.codebooks.c.yaml).where(t.codebooks.c.hash == latest)).scalar()
            cache[latest] = Codebook.from_dict(yaml.safe_load(text), source=f"{self.where} (codebook {latest})")
        return cache[latest]

    def codebook(self) -> "Codebook":
        """The project's codebook."""
        with self._read() as conn:
            return self._codebook(conn)

    def _latest_model(self, conn: Connection, excerpt_id: str) -> str | None:
        be = t.batch_excerpts
        return conn.execute(select(t.batches.c.model_version).join(be, be.c.batch_id == t.batches.c.id)
                            .where(be.c.excerpt_id == excerpt_id).order_by(t.batches.c.id.desc())).scalar()

    def _decision_rows(self, conn: Connection, coder: str | None = None) -> list[Decision]:
        q = select(t.decisions).order_by(t.decisions.c.id)
        if coder is not None:
            q = q.where(t.decisions.c.coder == coder)
        return [Decision(**row._mapping) for row in conn.execute(q)]

    def decision_rows(self, coder: str | None = None) -> list[Decision]:
        """Every decision row (of one coder, or all), oldest first, undo rows included."""
        with self._read() as conn:
            return self._decision_rows(conn, coder)

    def current(self, coder: str) -> dict[str, dict[str, Decision]]:
        """The coder's current decisions as {excerpt_id: {code: Decision}}."""
        return by_excerpt(fold(self.decision_rows(coder)), coder)

    def snapshot(self, coder: str | None = None, *, text: bool = False, evidence: bool = False,
                 excerpt_ids: Iterable[str] | None = None) -> Snapshot:
        """Read excerpts, latest suggestions, decisions (one coder's, or all) and the queue together."""
        be, ex, s = t.batch_excerpts, t.excerpts, t.suggestions
        latest = select(be.c.excerpt_id, func.max(be.c.batch_id).label("batch_id")) \
            .group_by(be.c.excerpt_id).subquery()
        cols = [ex.c.id, ex.c.document_id, ex.c.source_type, ex.c.seq, ex.c.start_offset, ex.c.end_offset,
                latest.c.batch_id, t.batches.c.model_version]
        if text:
            cols += [ex.c.text, ex.c.metadata]
        q = select(*cols).join(latest, latest.c.excerpt_id == ex.c.id) \
            .join(t.batches, t.batches.c.id == latest.c.batch_id)
        scols = [s.c.excerpt_id, s.c.code, s.c.score, s.c.threshold, s.c.rank, s.c.model_version]
        sq = select(*scols, *([s.c.evidence] if evidence else [])).join(latest, and_(latest.c.excerpt_id == s.c.excerpt_id,
                                                    latest.c.batch_id == s.c.batch_id)).order_by(s.c.rank)
        if excerpt_ids is not None:
            wanted = list(excerpt_ids)
            q, sq = q.where(ex.c.id.in_(wanted)), sq.where(s.c.excerpt_id.in_(wanted))
        with self._read() as conn:
            codebook = self._codebook(conn)
            rows = [dict(r._mapping) for r in conn.execute(q)]
            suggestions: dict[str, list[dict]] = {}
            for r in conn.execute(sq):
                suggestions.setdefault(r.excerpt_id, []).append(dict(r._mapping))
            decisions = self._decision_rows(conn, coder)
            qq = select(t.queue).order_by(t.queue.c.priority.desc(), t.queue.c.id)
            if coder is not None:
                qq = qq.where((t.queue.c.coder.is_(None)) | (t.queue.c.coder == coder))
            queue = [dict(r._mapping) for r in conn.execute(qq)]
            consensus = self._consensus(conn, wanted if excerpt_ids is not None else None)
        if text:
            from suggest.corpus import context_label

            for r in rows:
                r["context"] = context_label(r.pop("metadata"))
        first_seq: dict[str, int] = {}
        for r in rows:
            first_seq[r["document_id"]] = min(first_seq.get(r["document_id"], r["seq"]), r["seq"])
        rows.sort(key=lambda r: (first_seq[r["document_id"]], r["document_id"], r["start_offset"], r["seq"]))
        return Snapshot(codebook, rows, suggestions, decisions, queue, consensus)

    def _consensus(self, conn: Connection, excerpt_ids: Iterable[str] | None = None) -> dict[str, dict]:
        """{excerpt_id: the latest consensus row as a dict (codes, lead, reason, decided_at, id)}."""
        q = select(t.consensus).order_by(t.consensus.c.id)
        if excerpt_ids is not None:
            q = q.where(t.consensus.c.excerpt_id.in_(list(excerpt_ids)))
        return {r.excerpt_id: dict(r._mapping) for r in conn.execute(q)}

    def excerpt_context(self, excerpt_id: str, around: int = 2) -> dict:
        """The excerpt, its document (metadata) and up to `around` excerpts before and after it."""
        ex, doc = t.excerpts, t.documents
        with self._read() as conn:
            row = conn.execute(select(ex).where(ex.c.id == excerpt_id)).first()
            if row is None:
                raise StoreError(f"excerpt '{excerpt_id}' is not in this project", path=self.where,
                                 field="excerpt_id")
            d = conn.execute(select(doc.c.id, doc.c.source_type, doc.c.path, doc.c.metadata)
                             .where(doc.c.id == row.document_id)).first()
            siblings = conn.execute(select(ex.c.id, ex.c.text, ex.c.start_offset, ex.c.seq)
                                    .where(ex.c.document_id == row.document_id)).all()
        siblings = sorted(siblings, key=lambda r: (r.start_offset, r.seq))
        i = next(k for k, r in enumerate(siblings) if r.id == excerpt_id)
        pick = lambda rs: [{"excerpt_id": r.id, "text": r.text} for r in rs]  # noqa: E731
        return {"excerpt": dict(row._mapping), "document": dict(d._mapping) if d else None,
                "before": pick(siblings[max(0, i - around):i]), "after": pick(siblings[i + 1:i + 1 + around]),
                "position": i + 1, "of": len(siblings)}

    def excerpt_texts(self, excerpt_ids: Iterable[str] | None = None) -> dict[str, dict]:
        """{excerpt_id: {text, document_id, source_type}}."""
        ex = t.excerpts
        q = select(ex.c.id, ex.c.text, ex.c.document_id, ex.c.source_type)
        if excerpt_ids is not None:
            q = q.where(ex.c.id.in_(list(excerpt_ids)))
        with self._read() as conn:
            return {r.id: {"text": r.text, "document_id": r.document_id, "source_type": r.source_type}
                    for r in conn.execute(q)}
