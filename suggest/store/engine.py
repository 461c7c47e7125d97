"""Connecting to a project database: SQLite file checks and pragmas, PostgreSQL connection errors,
schema check and upgrade."""
from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import create_engine, event, inspect, select
from sqlalchemy.engine import Engine, make_url

from suggest.errors import StoreError
from suggest.store import schema

_SQLITE_MAGIC = b"SQLite format 3\x00"


def resolve(target: str | Path) -> tuple[str, Path | None]:
    """(SQLAlchemy URL, file path or None): a plain path means an SQLite file."""
    text = str(target)
    if "://" in text:
        try:
            url = make_url(text)
        except Exception:
            raise StoreError("this project address is not a valid database URL", path=text,
                             hint="write it as postgresql://USER@HOST:PORT/DATABASE, or give a .sqlite file") \
                from None
        if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
            return text, Path(url.database)
        if url.drivername in ("postgresql", "postgres"):  # SQLAlchemy's default driver is psycopg2; we ship psycopg 3
            text = url.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
        return text, None
    path = Path(text).expanduser().resolve()
    return f"sqlite:///{path}", path


def shown(target: str | Path) -> str:
    """A project as messages show it: a path, or a URL without its password."""
    text = str(target)
    if "://" not in text:
        return text
    try:
        return make_url(text).render_as_string(hide_password=True)
    except Exception:
        return "(a database URL)"


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
    if not head:
        raise StoreError("the file is empty (0 bytes), not a suggest project", path=path,
                         hint="give the .sqlite file that `suggest batch --project` created, or a new file name")
    if head != _SQLITE_MAGIC:
        raise StoreError("not a suggest project file (it is not an SQLite database)", path=path,
                         hint="give the .sqlite file that `suggest batch --project` created")


def read_only_url(path: Path) -> str:
    """A URL that opens an SQLite file read-only and creates no -wal/-shm files.

    When another program has the database open (its -wal file exists), the reader joins it
    (mode=ro); otherwise nothing else can be writing, and it reads the file as immutable.
    """
    wal = path.with_name(path.name + "-wal")
    mode = "mode=ro" if wal.exists() else "mode=ro&immutable=1"
    return f"sqlite:///file:{quote(path.as_posix())}?{mode}&uri=true"


def make_engine(url: str, read_only: bool = False) -> Engine:
    """An engine whose SQLite connections use foreign keys, full sync and explicit BEGINs.

    Write transactions on SQLite start with BEGIN IMMEDIATE (connection option `write=True`),
    so a read-then-write step (such as undo) cannot interleave with another writer. WAL mode is
    switched on by `prepare`, only once the file is known to be a suggest project.
    """
    parsed = make_url(url)
    is_sqlite = parsed.get_backend_name() == "sqlite"
    timeout = 5 if read_only else float(os.environ.get("SUGGEST_LOCK_TIMEOUT", 30))  # seconds to wait for a lock
    if is_sqlite:
        connect_args = {"timeout": timeout}
    elif parsed.get_backend_name() == "postgresql":
        connect_args = {"connect_timeout": 10, "application_name": "suggest"}
    else:
        connect_args = {}
    try:
        engine = create_engine(url, connect_args=connect_args, pool_pre_ping=not is_sqlite)
    except ModuleNotFoundError as exc:
        raise StoreError(f"the database driver '{exc.name}' is not installed", path=parsed.render_as_string(),
                         hint="install suggest with its dependencies (`pip install -e .`); PostgreSQL needs psycopg")\
            from None
    if is_sqlite:
        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn, _record) -> None:
            dbapi_conn.isolation_level = None  # we emit BEGIN ourselves (see _on_begin)
            cur = dbapi_conn.cursor()
            for pragma in ("foreign_keys=ON", "synchronous=FULL", f"busy_timeout={int(timeout * 1000)}"):
                cur.execute(f"PRAGMA {pragma}")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("write") else "BEGIN")
    return engine


def connection_error(exc: Exception, engine: Engine, where: str) -> StoreError:
    """A StoreError saying why a server database could not be reached, and what to do."""
    url = engine.url
    message = str(getattr(exc, "orig", exc)).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    server = f"{url.host or 'localhost'}:{url.port or 5432}"
    if "does not exist" in message and "database" in message:
        return StoreError(f"the database '{url.database}' does not exist on the server {server}", path=where,
                          hint=f"ask whoever runs the server to create it (for example `createdb -h {url.host or 'localhost'}"
                               f" -U {url.username or 'USER'} {url.database}`), or check the name in the URL; nothing was changed")
    if "password" in message or "authentication" in message:
        return StoreError(f"the server {server} refused the login of '{url.username}' ({message})", path=where,
                          hint="check the user name and password (a password can live in ~/.pgpass rather than "
                               "the URL); nothing was changed")
    if any(w in message.lower() for w in ("connect", "closed", "timeout", "timed out", "terminat")):
        return StoreError(f"cannot connect to the database server {server} ({message})", path=where,
                          hint="check the address and port, that the server is running, and that this computer "
                               "may reach it (VPN, firewall); nothing was changed")
    return StoreError(f"the database server {server} refused the change ({message})", path=where,
                      hint="nothing was saved; try again, and if it keeps happening ask whoever runs the server")


def prepare(engine: Engine, where: str, create: bool, read_only: bool = False) -> int:
    """Check the schema, then (not `read_only`) create or upgrade it and switch SQLite to WAL mode.

    Returns the schema version now in the database. A foreign database is refused before anything
    is written to it; a read-only check takes no write lock.
    """
    with engine.connect() as conn:
        with conn.begin():
            version = _check(conn, where, create)
        if version == schema.SCHEMA_VERSION and read_only:
            return version
        if read_only:
            raise StoreError(f"this project was written by an older suggest (schema version {version})", path=where,
                             hint="open it once with `suggest review` or `suggest import` to upgrade it, then retry")
        if version != schema.SCHEMA_VERSION:
            conn.execution_options(write=True)
            with conn.begin():
                version = _upgrade(conn, where, create)
        if engine.dialect.name == "sqlite":  # outside any transaction, on the driver's connection
            cur = conn.connection.dbapi_connection.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.close()
        return version


def _check(conn, where: str, create: bool) -> int:
    """The schema version of a suggest project; 0 for an empty database that may be created."""
    names = set(inspect(conn).get_table_names())
    if not names:
        if not create:
            raise StoreError("the database is empty, not a suggest project", path=where,
                             hint="create the project with `suggest batch ... --project FILE`")
        return 0
    return _version(conn, names, where)


def _version(conn, names: set[str], where: str) -> int:
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
    return version


def _upgrade(conn, where: str, create: bool) -> int:
    """Create the schema in an empty database, or run the migrations; inside a write transaction."""
    version = _check(conn, where, create)
    if version == 0:
        schema.create_all(conn)
        return schema.SCHEMA_VERSION
    while version < schema.SCHEMA_VERSION:
        schema.MIGRATIONS[version](conn)
        version += 1
        conn.execute(schema.schema_info.update().where(schema.schema_info.c.key == "schema_version")
                     .values(value=str(version)))
    return version
