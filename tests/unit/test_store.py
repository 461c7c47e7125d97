"""The project store on a real SQLite file and a real PostgreSQL database (tests taking `project` or
`project_target` run on both): opening, schema versions, batches, decisions, transactions."""
from __future__ import annotations

import sqlite3
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import text

from suggest.codebook import Code, Codebook
from suggest.corpus import Document, Excerpt
from suggest.errors import CodebookMismatchError, StoreError, UnknownCodeError
from suggest.store import Store
from suggest.store import schema

CODEBOOK = Codebook(name="tiny", codes=(Code("A", "Alpha", "About alpha."), Code("B", "Beta", "About beta."),
                                        Code("C", "Gamma", "About gamma.")))


def stub_model(codebook: Codebook = CODEBOOK, version: str = "tiny-v1") -> SimpleNamespace:
    """What Store.add_batch needs from a SuggestionModel."""
    return SimpleNamespace(version=version, codebook=codebook, codes=codebook.ids,
                           config={"model_version": version, "codebook_hash": codebook.hash})


def tiny_batch(texts=("Alpha here.", "Beta and gamma.", "Nothing at all."), doc="d1"):
    """(documents, excerpts, P, suggestions table): e1 -> A; e2 -> B, C; e3 -> nothing."""
    body = " ".join(texts)
    excerpts, pos = [], 0
    for i, t in enumerate(texts, start=1):
        start = body.index(t, pos)
        excerpts.append(Excerpt(f"e{i}", doc, t, start, start + len(t), "email"))
        pos = start + len(t)
    documents = [Document(doc, body, "email", metadata={"sender": "Mentor <m@x.org>", "subject": "Hi"})]
    P = np.array([[0.9, 0.1, 0.2], [0.1, 0.8, 0.6], [0.1, 0.1, 0.1]])[:len(texts)]
    rows = []
    for i, ex in enumerate(excerpts):
        hits = [j for j in np.argsort(-P[i]) if P[i, j] >= 0.5]
        for j in hits:
            rows.append({"excerpt_id": ex.excerpt_id, "code": CODEBOOK.ids[j], "score": P[i, j], "threshold": 0.5,
                         "terms": "alpha, here", "similar_1_id": "t9", "similar_1_text": "an alpha",
                         "similar_1_similarity": 0.7})
        if not hits:
            rows.append({"excerpt_id": ex.excerpt_id, "code": "", "score": None, "threshold": None})
    return documents, excerpts, P, pd.DataFrame(rows)


@pytest.fixture
def project(project_target):
    """A project with the tiny batch: an SQLite file or a PostgreSQL database (see conftest)."""
    with Store.open(project_target, create=True) as store:
        store.add_batch(stub_model(), *tiny_batch())
    return project_target


def sql(target, statement: str, **params):
    """Run one SQL statement on the project's database directly (not through Store); returns the result rows."""
    from sqlalchemy import create_engine

    from suggest.store.engine import resolve

    engine = create_engine(resolve(target)[0])
    try:
        with engine.begin() as conn:
            result = conn.execute(text(statement), params)
            return result.all() if result.returns_rows else []
    finally:
        engine.dispose()


def test_create_reopen_and_pragmas(project):
    with Store.open(project) as store:
        assert store.schema_version == schema.SCHEMA_VERSION
        if store.engine.dialect.name == "sqlite":
            with store.engine.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
                assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        snap = store.snapshot()
        assert [e["id"] for e in snap.excerpts] == ["e1", "e2", "e3"]
        assert [s["code"] for s in snap.suggestions["e2"]] == ["B", "C"]
        assert "e3" not in snap.suggestions
        assert store.codebook() == CODEBOOK


def test_sqlite_url_opens_the_same_file(tmp_path):
    project = tmp_path / "project.sqlite"
    with Store.open(project, create=True) as store:
        store.add_batch(stub_model(), *tiny_batch())
    with Store.open(f"sqlite:///{project}") as store:
        assert len(store.snapshot().excerpts) == 3


def test_missing_file_not_created_without_create(tmp_path):
    with pytest.raises(StoreError, match="not found"):
        Store.open(tmp_path / "none.sqlite")
    assert not (tmp_path / "none.sqlite").exists()


def test_non_sqlite_and_foreign_sqlite_files_are_refused(tmp_path):
    (tmp_path / "notes.sqlite").write_text("just some text")
    with pytest.raises(StoreError, match="not an SQLite database"):
        Store.open(tmp_path / "notes.sqlite")
    conn = sqlite3.connect(tmp_path / "other.sqlite")
    conn.execute("CREATE TABLE people (name TEXT)")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="not a suggest project"):
        Store.open(tmp_path / "other.sqlite", create=True)


def test_newer_schema_is_refused(project):
    sql(project, "UPDATE schema_info SET value = :v WHERE key = 'schema_version'", v=str(schema.SCHEMA_VERSION + 1))
    with pytest.raises(StoreError, match="newer suggest"):
        Store.open(project)


def test_older_schema_is_upgraded_keeping_data(project_target):
    path = project_target
    from sqlalchemy import create_engine, inspect

    from suggest.store.engine import resolve

    engine = create_engine(resolve(path)[0])
    with engine.begin() as conn:
        schema.create_all(conn, version=1)
        assert "queue" not in inspect(conn).get_table_names()
    engine.dispose()
    with Store.open(path) as store:
        assert store.schema_version == schema.SCHEMA_VERSION
        store.add_batch(stub_model(), *tiny_batch())
        store.decide("amira", "e1", "A", "accept")
        store.enqueue(["e2"], "the model is unsure about B", strategy="uncertainty")
    with Store.open(path) as store:
        snap = store.snapshot("amira")
        assert [q["excerpt_id"] for q in snap.queue] == ["e2"]
        assert snap.current("amira")["e1"]["A"].action == "accept"
    version = sql(path, "SELECT value FROM schema_info WHERE key='schema_version'")
    assert [tuple(v) for v in version] == [(str(schema.SCHEMA_VERSION),)]


def test_same_batch_twice_reuses_excerpts_and_changed_text_is_refused(project):
    with Store.open(project) as store:
        store.add_batch(stub_model(), *tiny_batch())
        assert len(store.snapshot().excerpts) == 3
        docs, excerpts, P, table = tiny_batch(texts=("Alpha here.", "Beta, edited.", "Nothing at all."), doc="d2")
        with pytest.raises(StoreError, match="excerpt 'e2' is already in the project with another text"):
            store.add_batch(stub_model(), docs, excerpts, P, table)
        with store.engine.connect() as conn:  # nothing of the refused batch was written
            assert conn.execute(text("SELECT COUNT(*) FROM batches")).scalar() == 2
            assert conn.execute(text("SELECT COUNT(*) FROM documents WHERE id = 'd2'")).scalar() == 0


def test_model_on_another_codebook_is_refused(project):
    other = Codebook(name="tiny", version="2", codes=CODEBOOK.codes)
    with Store.open(project) as store, pytest.raises(CodebookMismatchError):
        store.add_batch(stub_model(other, "tiny-v2"), *tiny_batch())


def test_decision_validation(project):
    with Store.open(project) as store:
        with pytest.raises(UnknownCodeError):
            store.decide("amira", "e1", "Z", "accept")
        with pytest.raises(StoreError, match="not in this project"):
            store.decide("amira", "nope", "A", "accept")
        with pytest.raises(StoreError, match="unknown action"):
            store.decide("amira", "e1", "A", "maybe")
        with pytest.raises(StoreError, match="coder"):
            store.decide(" ", "e1", "A", "accept")
        assert store.decision_rows() == []


def test_decide_many_is_all_or_nothing(project):
    with Store.open(project) as store:
        with pytest.raises(UnknownCodeError):
            store.decide_many([{"coder": "amira", "excerpt_id": "e1", "code": "A", "action": "accept"},
                               {"coder": "amira", "excerpt_id": "e2", "code": "Q", "action": "accept"}])
        assert store.decision_rows() == []


def test_decisions_are_append_only(project):
    with Store.open(project) as store:
        store.decide("amira", "e1", "A", "accept")
    from sqlalchemy.exc import DatabaseError

    for stmt in ("UPDATE decisions SET action = 'reject'", "DELETE FROM decisions"):
        with pytest.raises(DatabaseError, match="append-only"):
            sql(project, stmt)
    assert len(sql(project, "SELECT id FROM decisions")) == 1


def test_undo_appends_a_row_and_coders_are_separate(project):
    with Store.open(project) as store:
        assert store.undo("amira") is None
        a = store.decide("amira", "e1", "A", "accept", model_version="tiny-v1")
        b = store.decide("ben", "e1", "A", "reject")
        store.decide("amira", "e2", "B", "reject")
        undone = store.undo("amira")
        assert (undone.excerpt_id, undone.code) == ("e2", "B")
        assert store.undo("amira").id == a
        with pytest.raises(StoreError, match="cannot be undone"):
            store.undo("amira", b)  # ben's decision
        rows = store.decision_rows("amira")
        assert [r.action for r in rows] == ["accept", "reject", "undo", "undo"]
        assert store.current("amira") == {}
        assert store.current("ben")["e1"]["A"].action == "reject"
        assert {d.coder for d in store.snapshot("amira").decisions} == {"amira"}
        assert store.decision_rows("amira")[0].model_version == "tiny-v1"
        assert store.decision_rows("ben")[0].model_version == "tiny-v1"  # filled in from the batch


def test_reviewed_needs_every_suggestion_decided(project):
    with Store.open(project) as store:
        store.decide("amira", "e2", "B", "accept")
        assert store.snapshot("amira").reviewed("amira") == {}
        store.decide("amira", "e2", "C", "reject")
        store.decide("amira", "e3", "", "accept")  # no code applies
        store.decide("amira", "e1", "B", "add")    # e1's suggestion A still open
        assert store.snapshot("amira").reviewed("amira") == {"e2": ["B"], "e3": []}


def test_enqueue_checks_excerpts(project):
    with Store.open(project) as store:
        with pytest.raises(StoreError, match="not in this project"):
            store.enqueue(["e1", "zz"], "why")
        assert store.enqueue(["e3", "e1"], ["rare code", "uncertain"], strategy="mixed", coder="amira") == 2
        assert [q["excerpt_id"] for q in store.snapshot("amira").queue] == ["e3", "e1"]
        assert store.snapshot("ben").queue == []
