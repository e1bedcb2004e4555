"""Fixtures for testing the shared plumbing on real PostgreSQL and Redis.

Each test module gets a database of its own on the run's server (named with the run's
`DB_PREFIX`, so the root conftest drops it even if a test dies) holding a throwaway
schema: the outbox, inbox and dead-letter tables plus a `things` table standing in for a
service's state. Tests that need a broker get a Redis server of their own, because other
test runs share the machine's Redis and would take each other's tasks.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Column, Engine, Integer, MetaData, String, Table, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from devstack.embedded import EmbeddedRedis, free_port
from myokine.db import drop_database, ensure_database, make_engine, make_session_factory
from myokine.messaging_tables import MessagingTables, define_messaging_tables


@dataclass
class Scratch:
    """A fresh database with the messaging tables and a table of state."""

    url: str
    engine: Engine
    sessions: sessionmaker[Session]
    tables: MessagingTables
    things: Table
    metadata: MetaData

    def empty(self) -> None:
        """Remove every row, so a test starts from nothing."""
        names = ", ".join(t.name for t in self.metadata.sorted_tables)
        with self.engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY"))


@pytest.fixture(scope="module")
def scratch_db() -> Iterator[Scratch]:
    """A database of this module's own, dropped at its end."""
    name = f"{os.environ['DB_PREFIX']}shared_{uuid.uuid4().hex[:8]}"
    url = (
        make_url(os.environ["DATABASE_URL"])
        .set(drivername="postgresql+psycopg", database=name)
        .render_as_string(hide_password=False)
    )
    ensure_database(url)
    metadata = MetaData()
    tables = define_messaging_tables(metadata)
    things = Table(
        "things",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("name", String(50), nullable=False),
    )
    engine = make_engine(url, pool_size=10)
    metadata.create_all(engine)
    try:
        yield Scratch(url, engine, make_session_factory(engine), tables, things, metadata)
    finally:
        engine.dispose()
        drop_database(url)


@pytest.fixture
def db(scratch_db: Scratch) -> Scratch:
    """The module's database, emptied for this test."""
    scratch_db.empty()
    return scratch_db


@pytest.fixture(scope="module")
def redis_server(scratch_dir: Path) -> Iterator[EmbeddedRedis]:
    """A Redis server of this module's own, on a free port."""
    server = EmbeddedRedis(
        scratch_dir / f"redis-{uuid.uuid4().hex[:8]}", free_port(), persistent=False
    )
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def redis_up(redis_server: EmbeddedRedis) -> EmbeddedRedis:
    """The module's Redis, running (a test before may have stopped it)."""
    if redis_server.process is None:
        redis_server.start()
    return redis_server
