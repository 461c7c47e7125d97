"""Tables of a project database, its schema version and the migrations between versions.

Schema history:
    1  codebooks, documents, excerpts, models, batches, batch_excerpts, suggestions, decisions
    2  adds `queue` (excerpts picked by active learning, with the reason, for the review page)
    3  adds `decisions.scores_hidden` (whether the coder had scores and evidence hidden; NULL = not recorded)
    4  adds `assignments` (who codes what; each `suggest assign` is a new round), `consensus` (a lead's
       adjudicated coding of an excerpt, with the reason) and `memos` (coders' notes on excerpts and codes)

Decisions, consensus and memos are append-only: triggers refuse UPDATE and DELETE on SQLite and
PostgreSQL; a later row supersedes an earlier one.
Times are ISO 8601 strings in UTC; JSON columns hold metadata, configs and evidence.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone

from sqlalchemy import (JSON, Boolean, CheckConstraint, Column, DDL, Float, ForeignKey, Index, Integer, MetaData, String,
                        Table, Text, UniqueConstraint, event)
from sqlalchemy.engine import Connection

SCHEMA_VERSION = 4
APP_ID = "suggest-project"
DECISION_ACTIONS = ("accept", "reject", "add")  # what a coder decides on a suggestion
ACTIONS = (*DECISION_ACTIONS, "undo")  # what the decisions table records

metadata = MetaData()


def now() -> str:
    """The current UTC time as ISO 8601 with microseconds, as every time column holds it."""
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")



schema_info = Table(
    "schema_info", metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

codebooks = Table(
    "codebooks", metadata,
    Column("hash", String(64), primary_key=True),
    Column("name", Text, nullable=False),
    Column("version", Text, nullable=False),
    Column("yaml", Text, nullable=False),
    Column("added_at", String(40), nullable=False),
)

documents = Table(
    "documents", metadata,
    Column("id", String(255), primary_key=True),
    Column("source_type", String(64), nullable=False, default=""),
    Column("path", Text),
    Column("text", Text),  # None for excerpts that came from a table, without their document
    Column("metadata", JSON, nullable=False, default=dict),
    Column("added_at", String(40), nullable=False),
)

excerpts = Table(
    "excerpts", metadata,
    Column("id", String(255), primary_key=True),
    Column("seq", Integer, nullable=False),  # order of arrival: document order for excerpts of a table
    Column("document_id", ForeignKey("documents.id"), nullable=False, index=True),
    Column("start_offset", Integer, nullable=False),
    Column("end_offset", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Column("source_type", String(64), nullable=False, default=""),
    Column("metadata", JSON, nullable=False, default=dict),
    Column("added_at", String(40), nullable=False),
)

models = Table(
    "models", metadata,
    Column("version", String(255), primary_key=True),
    Column("codebook_hash", ForeignKey("codebooks.hash"), nullable=False),
    Column("config", JSON, nullable=False),
    Column("added_at", String(40), nullable=False),
)

batches = Table(
    "batches", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("model_version", ForeignKey("models.version"), nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("n_documents", Integer, nullable=False),
    Column("n_excerpts", Integer, nullable=False),
    Column("note", Text),
)

batch_excerpts = Table(
    "batch_excerpts", metadata,
    Column("batch_id", ForeignKey("batches.id"), primary_key=True),
    Column("excerpt_id", ForeignKey("excerpts.id"), primary_key=True, index=True),
    Column("position", Integer, nullable=False),
    Column("scores", JSON, nullable=False),  # {code: score} for every code, suggested or not
)

suggestions = Table(
    "suggestions", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("batch_id", ForeignKey("batches.id"), nullable=False),
    Column("model_version", ForeignKey("models.version"), nullable=False),
    Column("excerpt_id", ForeignKey("excerpts.id"), nullable=False, index=True),
    Column("code", String(255), nullable=False),
    Column("score", Float, nullable=False),
    Column("threshold", Float, nullable=False),
    Column("rank", Integer, nullable=False),
    Column("evidence", JSON, nullable=False),  # {"terms": [...], "similar": [{excerpt_id, text, similarity}]}
    UniqueConstraint("batch_id", "excerpt_id", "code"),
)

decisions = Table(
    "decisions", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("coder", String(255), nullable=False),
    Column("excerpt_id", ForeignKey("excerpts.id"), nullable=False),
    Column("code", String(255), nullable=False),  # "" = "no code applies" on an excerpt without suggestions
    Column("action", String(16), nullable=False),
    Column("decided_at", String(40), nullable=False),
    Column("model_version", String(255)),
    Column("undoes", ForeignKey("decisions.id"), unique=True),  # an undo row names the row it cancels
    Column("note", Text),
    Column("source", String(32), nullable=False, default="review"),
    Column("scores_hidden", Boolean),  # True: decided with scores and evidence hidden; None: not recorded
    CheckConstraint(f"action IN ({', '.join(repr(a) for a in ACTIONS)})", name="ck_decisions_action"),
    CheckConstraint("(action = 'undo') = (undoes IS NOT NULL)", name="ck_decisions_undo"),
    Index("ix_decisions_coder_excerpt", "coder", "excerpt_id"),
)

queue = Table(
    "queue", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("excerpt_id", ForeignKey("excerpts.id"), nullable=False, index=True),
    Column("reason", Text, nullable=False),
    Column("strategy", String(64), nullable=False, default=""),
    Column("priority", Float, nullable=False, default=0.0),
    Column("coder", String(255)),  # None: for every coder
    Column("created_at", String(40), nullable=False),
)

assignments = Table(
    "assignments", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("round_id", Integer, nullable=False),  # one per `suggest assign` run; the latest round counts
    Column("excerpt_id", ForeignKey("excerpts.id"), nullable=False, index=True),
    Column("coder", String(255), nullable=False),
    Column("shared", Boolean, nullable=False),  # in the overlap that every coder codes, for agreement
    Column("created_at", String(40), nullable=False),
    UniqueConstraint("round_id", "excerpt_id", "coder"),
)

consensus = Table(
    "consensus", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("excerpt_id", ForeignKey("excerpts.id"), nullable=False, index=True),
    Column("codes", JSON, nullable=False),  # the codes that apply after adjudication; [] = none
    Column("lead", String(255), nullable=False),
    Column("reason", Text, nullable=False),
    Column("decided_at", String(40), nullable=False),
)

memos = Table(
    "memos", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("coder", String(255), nullable=False),
    Column("excerpt_id", ForeignKey("excerpts.id"), nullable=False, index=True),
    Column("code", String(255), nullable=False, default=""),  # "" = a memo on the excerpt itself
    Column("text", Text, nullable=False),  # "" clears the memo (a new row; the old one stays)
    Column("written_at", String(40), nullable=False),
)

TABLES_V1 = [schema_info, codebooks, documents, excerpts, models, batches, batch_excerpts, suggestions, decisions]



def _append_only(table: Table) -> None:
    """Triggers that refuse UPDATE and DELETE on `table`, created with it on SQLite and PostgreSQL."""
    name = table.name
    sqlite = [f"CREATE TRIGGER IF NOT EXISTS {name}_no_{verb.lower()} BEFORE {verb} ON {name} "
              f"BEGIN SELECT RAISE(ABORT, '{name} are append-only'); END" for verb in ("UPDATE", "DELETE")]
    pg = [f"CREATE OR REPLACE FUNCTION {name}_append_only() RETURNS trigger AS $$ "
          f"BEGIN RAISE EXCEPTION '{name} are append-only'; END; $$ LANGUAGE plpgsql",
          f"CREATE TRIGGER {name}_append_only BEFORE UPDATE OR DELETE ON {name} "
          f"FOR EACH ROW EXECUTE FUNCTION {name}_append_only()"]
    for stmt in sqlite:
        event.listen(table, "after_create", DDL(stmt).execute_if(dialect="sqlite"))
    for stmt in pg:
        event.listen(table, "after_create", DDL(stmt).execute_if(dialect="postgresql"))


for _table in (decisions, consensus, memos):
    _append_only(_table)


def create_all(conn: Connection, version: int = SCHEMA_VERSION) -> None:
    """Create the tables of schema `version` (older versions exist for migration tests) and stamp it."""
    tables = {1: TABLES_V1, 2: TABLES_V1 + [queue], 3: TABLES_V1 + [queue]}.get(version, list(metadata.sorted_tables))
    metadata.create_all(conn, tables=tables)
    conn.execute(schema_info.insert(), [{"key": "app", "value": APP_ID},
                                        {"key": "schema_version", "value": str(version)}])


def _v1_to_v2(conn: Connection) -> None:
    queue.create(conn)


def _v2_to_v3(conn: Connection) -> None:
    from sqlalchemy import inspect

    if "scores_hidden" not in {c["name"] for c in inspect(conn).get_columns("decisions")}:
        conn.exec_driver_sql("ALTER TABLE decisions ADD COLUMN scores_hidden BOOLEAN")


def _v3_to_v4(conn: Connection) -> None:
    for table in (assignments, consensus, memos):
        table.create(conn, checkfirst=True)


# MIGRATIONS[v] upgrades a database from version v to v + 1.
MIGRATIONS: dict[int, Callable[[Connection], None]] = {1: _v1_to_v2, 2: _v2_to_v3, 3: _v3_to_v4}
