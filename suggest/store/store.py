"""The project store: one database per project; every write is one transaction."""
from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy import exc as sa_exc
from sqlalchemy import insert, select
from sqlalchemy.engine import Connection

from suggest.errors import CodebookMismatchError, StoreError
from suggest.store import schema as t
from suggest.store.schema import now
from suggest.store.engine import check_file, connection_error, make_engine, prepare, read_only_url, resolve, shown
from suggest.store.reads import StoreReads
from suggest.store.team import TeamStore

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from suggest.codebook import Codebook
    from suggest.corpus import Document, Excerpt
    from suggest.model import SuggestionModel


T = TypeVar("T")
_RETRY_STATES = ("40001", "40P01")  # PostgreSQL: serialization failure, deadlock; the transaction may be rerun
WRITE_ATTEMPTS = 8


class Store(StoreReads, TeamStore):
    """A project database (SQLite file by default, or any SQLAlchemy URL such as postgresql://...).

    Open it with `Store.open(path_or_url, create=False)`, preferably as a context manager.
    """

    def __init__(self, url: str, where: str, create: bool = False, read_only: bool = False):
        self.url, self.where = url, where
        self.engine = make_engine(url, read_only=read_only)
        try:
            self.schema_version = prepare(self.engine, where, create, read_only=read_only)
        except sa_exc.DatabaseError as exc:
            self.engine.dispose()
            if self.engine.dialect.name != "sqlite" and isinstance(exc, sa_exc.OperationalError):
                raise connection_error(exc, self.engine, where) from None
            raise StoreError(f"cannot open the project database ({exc.orig})", path=where,
                             hint="check that this is a suggest project file and that it is not damaged") from None
        except BaseException:
            self.engine.dispose()
            raise

    @classmethod
    def open(cls, target: str | Path, create: bool = False, read_only: bool = False) -> "Store":
        """Open (or with `create`, create) a project; refuses non-suggest files and newer schemas.

        `read_only`: for commands that only read (export, train); takes no lock, writes no file.
        """
        url, path = resolve(target)
        if path is not None:
            check_file(path, create and not read_only)
            if read_only and url.startswith("sqlite:///"):
                url = read_only_url(path)
        return cls(url, str(path) if path is not None else shown(target), create and not read_only, read_only)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def transact(self, work: "Callable[[Connection], T]") -> T:
        """Run `work(conn)` in one write transaction and return its result.

        On PostgreSQL (serializable transactions) a transaction that lost a race with another
        coder's is rolled back by the server and run again, up to WRITE_ATTEMPTS times.
        """
        import random
        import time

        for attempt in range(1, WRITE_ATTEMPTS + 1):
            try:
                with self.write() as conn:
                    return work(conn)
            except _Retry:
                if attempt == WRITE_ATTEMPTS:
                    raise StoreError("the project database stayed busy with other coders' changes", path=self.where,
                                     hint="nothing was saved; try again") from None
                time.sleep(random.uniform(0, 0.02 * attempt))
        raise AssertionError("unreachable")

    @contextlib.contextmanager
    def write(self) -> Iterator[Connection]:
        """One write transaction: all of it is committed, or none of it."""
        try:
            with self.engine.connect() as conn:
                conn.execution_options(write=True)
                if self.engine.dialect.name != "sqlite":
                    conn.execution_options(isolation_level="SERIALIZABLE")
                with conn.begin():
                    yield conn
        except sa_exc.IntegrityError as exc:
            raise StoreError(f"the change breaks a rule of the project database ({exc.orig})", path=self.where,
                             hint="nothing was saved; report this if it keeps happening") from None
        except sa_exc.OperationalError as exc:
            if getattr(exc.orig, "sqlstate", None) in _RETRY_STATES:
                raise _Retry() from None
            if self.engine.dialect.name != "sqlite":
                raise connection_error(exc, self.engine, self.where) from None
            raise StoreError(f"the project database refused the change ({exc.orig})", path=self.where,
                             hint="nothing was saved; if another program holds the file, close it and retry") \
                from None

    # --- codebooks and models -------------------------------------------------------------
    def check_codebook(self, codebook: "Codebook") -> None:
        """Raise CodebookMismatchError if the project uses another codebook than `codebook`."""
        with self._read() as conn:
            self._refuse_other_codebook(conn, codebook)

    def _refuse_other_codebook(self, conn: Connection, codebook: "Codebook") -> list[str]:
        known = conn.execute(select(t.codebooks.c.hash)).scalars().all()
        if known and codebook.hash not in known:
            current = self._codebook(conn)
            raise CodebookMismatchError(
                f"this project uses codebook '{current.name}' version {current.version} (hash {current.hash}); "
                f"the model was trained on '{codebook.name}' version {codebook.version} (hash {codebook.hash})",
                path=self.where, field="codebook",
                hint="use a model trained on the project's codebook, or start a new project file for the new "
                     "codebook")
        return known

    def _ensure_codebook(self, conn: Connection, codebook: "Codebook") -> None:
        import yaml

        if not self._refuse_other_codebook(conn, codebook):
            conn.execute(insert(t.codebooks).values(
                hash=codebook.hash, name=codebook.name, version=str(codebook.version),
                yaml=yaml.safe_dump(codebook.to_dict(), sort_keys=False, allow_unicode=True), added_at=now()))

    def _ensure_model(self, conn: Connection, model: "SuggestionModel") -> None:
        self._ensure_codebook(conn, model.codebook)
        if conn.execute(select(t.models.c.version).where(t.models.c.version == model.version)).first() is None:
            conn.execute(insert(t.models).values(version=model.version, codebook_hash=model.codebook.hash,
                                                 config=model.config, added_at=now()))

    def add_model(self, model: "SuggestionModel") -> str:
        """Record a model (and its codebook); returns its version."""
        with self.write() as conn:
            self._ensure_model(conn, model)
        return model.version

    # --- batches --------------------------------------------------------------------------
    def add_batch(self, model: "SuggestionModel", documents: Sequence["Document"], excerpts: Sequence["Excerpt"],
                  P: "np.ndarray", table: "pd.DataFrame", note: str | None = None) -> int:
        """Store documents, excerpts, every score (P: n_excerpts x n_codes) and the suggestions
        (`make_suggestions` table) of one batch; returns the batch id.

        Excerpts and documents already stored are reused when their text is the same; a known
        id with a different text is refused (nothing is stored).
        """
        from suggest.store.batch import insert_batch

        if P.shape != (len(excerpts), len(model.codes)):
            raise StoreError(f"scores have shape {P.shape}, expected ({len(excerpts)}, {len(model.codes)})",
                             path=self.where)
        with self.write() as conn:
            self._ensure_model(conn, model)
            return insert_batch(conn, self.where, model, documents, excerpts, P, table, note, now())

    # --- decisions ------------------------------------------------------------------------
    def decide(self, coder: str, excerpt_id: str, code: str, action: str, *, note: str | None = None,
               model_version: str | None = None, source: str = "review", scores_hidden: bool | None = None) -> int:
        """Append one decision (accept / reject / add); returns its id once committed.

        `scores_hidden`: whether the coder had scores and evidence hidden (None: not known).
        """
        return self.decide_many([{"coder": coder, "excerpt_id": excerpt_id, "code": code, "action": action,
                                  "note": note, "model_version": model_version, "source": source,
                                  "scores_hidden": scores_hidden}])[0]

    def decide_many(self, rows: Sequence[dict]) -> list[int]:
        """Append decisions in one transaction (all or none); returns their ids in order."""
        def work(conn: Connection) -> list[int]:
            codebook = self._codebook(conn)
            ids = []
            for row in rows:
                record = self._check_decision(conn, codebook, row)
                ids.append(conn.execute(insert(t.decisions).values(**record)).inserted_primary_key[0])
            return ids

        return self.transact(work)

    def _check_decision(self, conn: Connection, codebook: "Codebook", row: dict) -> dict:
        from suggest.store.fold import NO_CODE

        coder, eid, code, action = (str(row.get(k) or "").strip() for k in ("coder", "excerpt_id", "code", "action"))
        if not coder:
            raise StoreError("a decision needs a coder name", field="coder", hint="give --coder NAME")
        if action not in t.DECISION_ACTIONS:
            raise StoreError(f"unknown action '{action}'", field="action", hint=f"use {', '.join(t.DECISION_ACTIONS)}")
        if code == NO_CODE:
            if action != "accept":
                raise StoreError("only 'accept' can be given without a code (no code applies)", field="code")
        else:
            codebook.index(code)  # UnknownCodeError naming the known codes
        if conn.execute(select(t.excerpts.c.id).where(t.excerpts.c.id == eid)).first() is None:
            raise StoreError(f"excerpt '{eid}' is not in this project", path=self.where, field="excerpt_id")
        version = row.get("model_version") or self._latest_model(conn, eid)
        return {"coder": coder, "excerpt_id": eid, "code": code, "action": action, "decided_at": now(),
                "model_version": version, "note": row.get("note") or None, "source": row.get("source") or "review",
                "scores_hidden": None if row.get("scores_hidden") is None else bool(row["scores_hidden"])}

    def undo(self, coder: str, decision_id: int | None = None) -> "Decision | None":
        """Cancel the coder's decision `decision_id` (default: their latest live one) with an undo row.

        Returns the cancelled decision, or None when there is nothing to undo.
        """
        from suggest.store.fold import last_undoable

        def work(conn: Connection) -> "Decision | None":
            rows = self._decision_rows(conn, coder)
            if decision_id is None:
                target = last_undoable(rows, coder)
                if target is None:
                    return None
            else:
                target = next((r for r in rows if r.id == decision_id), None)
                undone = {r.undoes for r in rows if r.action == "undo"}
                if target is None or target.action == "undo" or target.id in undone:
                    raise StoreError(f"decision {decision_id} of coder '{coder}' cannot be undone "
                                     "(not theirs, an undo itself, or already undone)", field="decision_id")
            conn.execute(insert(t.decisions).values(
                coder=coder, excerpt_id=target.excerpt_id, code=target.code, action="undo", decided_at=now(),
                model_version=target.model_version, undoes=target.id, source="review"))
            return target

        return self.transact(work)

    # --- active-learning queue ------------------------------------------------------------
    def enqueue(self, excerpt_ids: Sequence[str], reasons: Sequence[str] | str, *, strategy: str = "",
                priorities: Sequence[float] | None = None, coder: str | None = None) -> int:
        """Queue excerpts for review with the reason shown to the coder; returns how many."""
        reasons = [reasons] * len(excerpt_ids) if isinstance(reasons, str) else list(reasons)
        priorities = list(priorities) if priorities is not None else [float(len(excerpt_ids) - i)
                                                                        for i in range(len(excerpt_ids))]
        if not (len(reasons) == len(priorities) == len(excerpt_ids)):
            raise StoreError("excerpt_ids, reasons and priorities differ in length", field="reasons")
        with self.write() as conn:
            known = set(conn.execute(select(t.excerpts.c.id).where(t.excerpts.c.id.in_(list(excerpt_ids))))
                        .scalars())
            missing = [e for e in excerpt_ids if e not in known]
            if missing:
                raise StoreError(f"excerpt '{missing[0]}' is not in this project ({len(missing)} unknown)",
                                 path=self.where, field="excerpt_id")
            stamp = now()
            if excerpt_ids:
                conn.execute(insert(t.queue), [
                    {"excerpt_id": e, "reason": r, "strategy": strategy, "priority": float(p), "coder": coder,
                     "created_at": stamp} for e, r, p in zip(excerpt_ids, reasons, priorities)])
        return len(excerpt_ids)


class _Retry(Exception):
    """A PostgreSQL transaction lost a race (serialization failure or deadlock); run it again."""


if TYPE_CHECKING:
    from suggest.store.fold import Decision
