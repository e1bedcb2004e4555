"""The engine's pool: a connection the server ended is never handed out, and a healthy one
costs no round trip to check."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import DBAPIError

from myokine.db import make_engine

from .conftest import Scratch


def test_a_connection_the_server_ended_is_replaced_without_an_error(scratch_db: Scratch) -> None:
    engine = make_engine(scratch_db.url, pool_size=1)
    try:
        with engine.connect() as conn:
            first = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
        # What a restart does to every connection: the server ends it. The backend exits
        # a moment after it is told to; the pool is asked only once it has.
        # Autocommit: a transaction would see pg_stat_activity as of its first read.
        with scratch_db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as admin:
            admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
            deadline = time.monotonic() + 10
            while admin.execute(
                text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"), {"pid": first}
            ).scalar_one():
                assert time.monotonic() < deadline, "the backend never ended"
                time.sleep(0.05)
        with engine.connect() as conn:
            second = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
        assert second != first
    finally:
        engine.dispose()


def test_checking_a_healthy_connection_asks_the_server_nothing(scratch_db: Scratch) -> None:
    engine = make_engine(scratch_db.url, pool_size=1)
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    try:
        for _ in range(3):
            with engine.connect() as conn:
                conn.execute(text("SELECT 42"))
        assert statements == ["SELECT 42"] * 3
    finally:
        engine.dispose()


def test_a_failed_statement_does_not_name_its_parameters(scratch_db: Scratch) -> None:
    engine = make_engine(scratch_db.url, pool_size=1)
    try:
        with engine.connect() as conn, pytest.raises(DBAPIError) as failed:
            # PostgreSQL refuses a NUL in text: the error that once logged a typed username.
            conn.execute(text("SELECT CAST(:typed AS text)"), {"typed": "secret-badge\x00"})
        assert "secret-badge" not in str(failed.value)
    finally:
        engine.dispose()
