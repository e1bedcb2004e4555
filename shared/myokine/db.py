"""SQLAlchemy 2 engine and session helpers, and creating a service's database."""

from __future__ import annotations

import select
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from psycopg.pq import ConnStatus
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker


def make_engine(url: str, *, pool_size: int = 5, max_overflow: int = 10) -> Engine:
    """An engine whose pool hands out no connection the server has closed, so a restarted
    PostgreSQL does not break the first request.

    SQLAlchemy's `pool_pre_ping` would ask the server (`SELECT 1`) on every checkout: a
    round trip per transaction. A server that ends a connection (a restart, an idle
    timeout, `pg_terminate_backend`) tells the client and closes the socket, so an idle
    connection whose socket has something to read is dead; the pool drops it and takes
    another, without asking the server.
    """
    # A failed statement's error names its parameters unless hidden, and errors are logged:
    # typed badges, names and hashes would land in the logs.
    engine = create_engine(
        url, pool_size=pool_size, max_overflow=max_overflow, hide_parameters=True
    )
    event.listen(engine, "checkout", _refuse_closed_connection)
    return engine


def _refuse_closed_connection(dbapi_connection: Any, record: Any, proxy: Any) -> None:
    pgconn = getattr(dbapi_connection, "pgconn", None)
    if pgconn is None:
        return
    if pgconn.status != ConnStatus.OK:
        raise DisconnectionError("the connection is closed")
    readable, _, _ = select.select([pgconn.socket], [], [], 0)
    if readable:
        raise DisconnectionError("the server ended the connection")


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit (handlers return them)."""
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A plain transaction, committed on success and rolled back on any error.

    For tests, benchmarks and scripts that look at a database directly; a use case opens
    the unit of work instead (`myokine.unit_of_work`).
    """
    with factory() as session, session.begin():
        yield session


def ensure_database(url: str) -> bool:
    """Create the database named in `url` on its server if it is missing.

    Returns True when it was created. Connects to the server's `postgres` database to do so.
    """
    target = make_url(url)
    name = target.database
    assert name, "the URL must name a database"
    admin = create_engine(
        target.set(database="postgres"), isolation_level="AUTOCOMMIT", pool_pre_ping=True
    )
    try:
        with admin.connect() as conn:
            exists = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
            ).scalar()
            if exists:
                return False
            conn.execute(text(f'CREATE DATABASE "{name}"'))
            return True
    finally:
        admin.dispose()


def drop_database(url: str) -> None:
    """Drop the database named in `url`, ending its connections first (tests use this)."""
    target = make_url(url)
    name = target.database
    assert name, "the URL must name a database"
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()
