"""Connecting to a project database: SQLite file checks and pragmas, schema check and upgrade."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, event, inspect, select
from sqlalchemy.engine import Engine, make_url

from suggest.errors import StoreError
from suggest.store import schema

_SQLITE_MAGIC = b"SQLite format 3\x00"


def resolve(target: str | Path) -> tuple[str, Path | None]:
    """(SQLAlchemy URL, file path or None): a plain path means an SQLite file."""
    text = str(target)
    if "://" in text:
        url = make_url(text)
        if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
            return text, Path(url.database)
        return text, None
    path = Path(text).expanduser().resolve()
    return f"sqlite:///{path}", path


def check_file(path: Path, create: bool) -> None:
    """Refuse a missing file (unless `create`), a folder, or a file that is not SQLite."""
    if path.is_dir():
        raise StoreError("this is a folder, not a project file", path=path,
                         hint="give a file name such as project.sqlite")
    if not path.exists():
        if not create:
            raise StoreError("project file not found", path=path,
                             hint="check the path, or create the project with `suggest batch ... --project FILE`")
        if not path.parent.is_dir():
            raise StoreError("the folder for the project file does not exist", path=path.parent,
                             hint="create the folder first or choose another place")
        return
    with open(path, "rb") as fh:
        head = fh.read(len(_SQLITE_MAGIC))
    if head and head != _SQLITE_MAGIC:
        raise StoreError("not a suggest project file (it is not an SQLite database)", path=path,
                         hint="give the .sqlite file that `suggest batch --project` created")


def make_engine(url: str) -> Engine:
    """An engine whose SQLite connections use WAL, foreign keys, full sync and explicit BEGINs.

    Write transactions on SQLite start with BEGIN IMMEDIATE (connection option `write=True`),
    so a read-then-write step (such as undo) cannot interleave with another writer.
    """
    is_sqlite = make_url(url).get_backend_name() == "sqlite"
    engine = create_engine(url, connect_args={"timeout": 30} if is_sqlite else {})
    if is_sqlite:
        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn, _record) -> None:
            dbapi_conn.isolation_level = None  # we emit BEGIN ourselves (see _on_begin)
            cur = dbapi_conn.cursor()
            for pragma in ("journal_mode=WAL", "foreign_keys=ON", "synchronous=FULL", "busy_timeout=30000"):
                cur.execute(f"PRAGMA {pragma}")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("write") else "BEGIN")
    return engine


def prepare(engine: Engine, where: str, create: bool) -> int:
    """Create, check or upgrade the schema; returns the schema version now in the database."""
    with engine.connect() as conn:
        conn.execution_options(write=True)
        with conn.begin():
            names = set(inspect(conn).get_table_names())
            if not names:
                if not create:
                    raise StoreError("the database is empty, not a suggest project", path=where,
                                     hint="create the project with `suggest batch ... --project FILE`")
                schema.create_all(conn)
                return schema.SCHEMA_VERSION
            if "schema_info" not in names:
                raise StoreError(f"not a suggest project (it holds tables {', '.join(sorted(names)[:6])})",
                                 path=where, hint="give the project file that `suggest batch --project` created")
            info = dict(conn.execute(select(schema.schema_info.c.key, schema.schema_info.c.value)).all())
            if info.get("app") != schema.APP_ID or not str(info.get("schema_version", "")).isdigit():
                raise StoreError("not a suggest project (its schema_info table is foreign)", path=where,
                                 hint="give the project file that `suggest batch --project` created")
            version = int(info["schema_version"])
            if version > schema.SCHEMA_VERSION:
                raise StoreError(f"this project was written by a newer suggest (schema version {version}; this "
                                 f"suggest reads up to {schema.SCHEMA_VERSION})", path=where,
                                 hint="upgrade suggest (pip install -U suggest) to open it")
            while version < schema.SCHEMA_VERSION:
                schema.MIGRATIONS[version](conn)
                version += 1
                conn.execute(schema.schema_info.update().where(schema.schema_info.c.key == "schema_version")
                             .values(value=str(version)))
            return version
