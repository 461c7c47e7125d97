"""Team rows of a project: assignments (rounds of `suggest assign`), a lead's consensus, memos.

All three are written in one transaction each and never changed: a new assignment round, a new
consensus or a new memo supersedes the one before it (memos keep their whole history).
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from sqlalchemy import func, insert, select
from sqlalchemy.engine import Connection

from suggest.errors import StoreError
from suggest.store import schema as t
from suggest.store.schema import now

if TYPE_CHECKING:
    from collections.abc import Callable

MAX_MEMO = 5000  # characters of one memo


class TeamStore:
    """Team methods of `Store` (which provides `transact`, `_read`, `_codebook` and `where`)."""

    where: str
    transact: "Callable"

    # --- assignments ----------------------------------------------------------------------
    def save_assignment(self, rows: Sequence[tuple[str, str, bool]]) -> int:
        """Store a new assignment round of (excerpt_id, coder, shared) rows; returns the round number."""
        if not rows:
            raise StoreError("nothing to assign", path=self.where, hint="give at least one coder and one excerpt")

        def work(conn: Connection) -> int:
            known = set(conn.execute(select(t.excerpts.c.id)).scalars())
            unknown = [e for e, _, _ in rows if e not in known]
            if unknown:
                raise StoreError(f"excerpt '{unknown[0]}' is not in this project", path=self.where,
                                 field="excerpt_id")
            round_id = (conn.execute(select(func.max(t.assignments.c.round_id))).scalar() or 0) + 1
            stamp = now()
            conn.execute(insert(t.assignments), [
                {"round_id": round_id, "excerpt_id": e, "coder": c, "shared": bool(s), "created_at": stamp}
                for e, c, s in rows])
            return round_id

        return self.transact(work)

    def assignment(self, coder: str | None = None) -> dict[str, dict[str, bool]]:
        """The latest round as {excerpt_id: {coder: shared}} (only `coder`'s rows when given)."""
        a = t.assignments
        with self._read() as conn:
            latest = conn.execute(select(func.max(a.c.round_id))).scalar()
            if latest is None:
                return {}
            q = select(a.c.excerpt_id, a.c.coder, a.c.shared).where(a.c.round_id == latest).order_by(a.c.id)
            if coder is not None:
                q = q.where(a.c.coder == coder)
            out: dict[str, dict[str, bool]] = {}
            for r in conn.execute(q):
                out.setdefault(r.excerpt_id, {})[r.coder] = bool(r.shared)
            return out

    # --- consensus ------------------------------------------------------------------------
    def decide_consensus(self, excerpt_id: str, codes: Iterable[str], lead: str, reason: str) -> int:
        """Record the lead's settled coding of an excerpt (the codes that apply) with the reason."""
        lead, reason, codes = lead.strip(), (reason or "").strip(), sorted({str(c).strip() for c in codes})
        if not lead:
            raise StoreError("a consensus needs the lead's name", field="lead", hint="give --lead NAME")
        if not reason:
            raise StoreError("say why: a consensus needs a reason", field="reason",
                             hint="write a short reason, e.g. 'the email describes peer support, so M3'")
        if len(reason) > MAX_MEMO:
            raise StoreError(f"the reason is longer than {MAX_MEMO} characters", field="reason")

        def work(conn: Connection) -> int:
            codebook = self._codebook(conn)
            for code in codes:
                codebook.index(code)  # UnknownCodeError naming the known codes
            self._known_excerpt(conn, excerpt_id)
            return conn.execute(insert(t.consensus).values(excerpt_id=excerpt_id, codes=codes, lead=lead,
                                                           reason=reason, decided_at=now())).inserted_primary_key[0]

        return self.transact(work)

    def consensus(self) -> dict[str, dict]:
        """{excerpt_id: the latest consensus (codes, lead, reason, decided_at, id)}."""
        with self._read() as conn:
            return self._consensus(conn)

    # --- memos ----------------------------------------------------------------------------
    def write_memo(self, coder: str, excerpt_id: str, text: str, code: str = "") -> int:
        """Append a memo on an excerpt (code "") or on the coder's decision on one code; returns its id."""
        coder, code, text = coder.strip(), (code or "").strip(), (text or "").replace("\r\n", "\n").strip()
        if not coder:
            raise StoreError("a memo needs a coder name", field="coder", hint="give --coder NAME")
        if len(text) > MAX_MEMO:
            raise StoreError(f"the memo is longer than {MAX_MEMO} characters", field="memo", hint="shorten it")

        def work(conn: Connection) -> int:
            if code:
                self._codebook(conn).index(code)
            self._known_excerpt(conn, excerpt_id)
            return conn.execute(insert(t.memos).values(coder=coder, excerpt_id=excerpt_id, code=code, text=text,
                                                       written_at=now())).inserted_primary_key[0]

        return self.transact(work)

    def memo_rows(self, coder: str | None = None, excerpt_ids: Iterable[str] | None = None) -> list[dict]:
        """Every memo row (one coder's, or all), oldest first."""
        m = t.memos
        q = select(m).order_by(m.c.id)
        if coder is not None:
            q = q.where(m.c.coder == coder)
        if excerpt_ids is not None:
            q = q.where(m.c.excerpt_id.in_(list(excerpt_ids)))
        with self._read() as conn:
            return [dict(r._mapping) for r in conn.execute(q)]

    def memos(self, coder: str | None = None, excerpt_ids: Iterable[str] | None = None) -> list[dict]:
        """Current memos: the latest row per (coder, excerpt, code), cleared ones left out, oldest first."""
        latest: dict[tuple, dict] = {}
        for r in self.memo_rows(coder, excerpt_ids):
            latest[(r["coder"], r["excerpt_id"], r["code"])] = r
        return sorted((r for r in latest.values() if r["text"]), key=lambda r: r["id"])

    def _known_excerpt(self, conn: Connection, excerpt_id: str) -> None:
        if conn.execute(select(t.excerpts.c.id).where(t.excerpts.c.id == excerpt_id)).first() is None:
            raise StoreError(f"excerpt '{excerpt_id}' is not in this project", path=self.where, field="excerpt_id")
