"""A project's review history: every batch (round), what each suggested, and every decision.

`Snapshot` shows each excerpt with the suggestions of its latest batch, which is what the review
page needs. Measuring agreement round by round needs more: the suggestions a coder actually judged,
which are those of the latest batch holding the excerpt when the coder decided on it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select

from suggest.store import schema as t
from suggest.store.fold import Decision

if TYPE_CHECKING:
    from suggest.codebook import Codebook
    from suggest.store import Store


@dataclass
class ReviewHistory:
    """Everything agreement over rounds reads, from one transaction.

    `batches`: {batch id: {"model_version", "created_at", "note"}}, oldest first.
    `membership`: {excerpt id: [batch ids holding it, oldest first]}.
    `suggested`: {(batch id, excerpt id): codes the batch suggested, best first}.
    `source_types`: {excerpt id: source type}.
    """

    codebook: "Codebook"
    batches: dict[int, dict]
    membership: dict[str, list[int]]
    suggested: dict[tuple[int, str], list[str]]
    source_types: dict[str, str]
    decisions: list[Decision]

    def batch_seen(self, excerpt_id: str, decided_at: str) -> int | None:
        """The batch whose suggestions a coder saw when deciding at `decided_at` (ISO UTC): the latest
        one holding the excerpt created by then, else the first one holding it."""
        ids = self.membership.get(excerpt_id, [])
        if not ids:
            return None
        before = [b for b in ids if self.batches[b]["created_at"] <= decided_at]
        return before[-1] if before else ids[0]


def read_history(store: "Store") -> ReviewHistory:
    """Read batches, batch membership, suggestions, source types and all decision rows of a project."""
    b, be, s, ex = t.batches, t.batch_excerpts, t.suggestions, t.excerpts
    with store._read() as conn:
        codebook = store._codebook(conn)
        batches = {r.id: {"model_version": r.model_version, "created_at": r.created_at, "note": r.note or ""}
                   for r in conn.execute(select(b.c.id, b.c.model_version, b.c.created_at, b.c.note)
                                         .order_by(b.c.id))}
        membership: dict[str, list[int]] = {}
        for r in conn.execute(select(be.c.excerpt_id, be.c.batch_id).order_by(be.c.batch_id)):
            membership.setdefault(r.excerpt_id, []).append(r.batch_id)
        suggested: dict[tuple[int, str], list[str]] = {}
        for r in conn.execute(select(s.c.batch_id, s.c.excerpt_id, s.c.code).order_by(s.c.batch_id, s.c.rank)):
            suggested.setdefault((r.batch_id, r.excerpt_id), []).append(r.code)
        source_types = dict(conn.execute(select(ex.c.id, ex.c.source_type)).all())
        decisions = store._decision_rows(conn)
    return ReviewHistory(codebook, batches, membership, suggested, source_types, decisions)
