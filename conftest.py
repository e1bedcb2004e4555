"""Test-wide set-up: find real servers, and give this run databases of its own.

Every run gets a fresh database prefix, so runs never see each other's data; the
databases are dropped at the end. Service modules read their settings from the
environment when first imported, so the environment is set here, before any test
module imports one.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from devstack.servers import postgres_server, redis_server

_stack = contextlib.ExitStack()


def _prepare_run() -> None:
    """Start or find the servers and point this run at databases of its own.

    This runs when pytest imports this file, before any other conftest: those may import
    service modules, which read their settings (DB_PREFIX among them) on import.
    """
    if os.environ.get("PYTEST_XDIST_WORKER"):
        return  # the controller prepared the run; workers inherit its environment
    scratch = Path(_stack.enter_context(tempfile.TemporaryDirectory(prefix="myokine-test-")))
    database_url = _stack.enter_context(postgres_server(scratch))
    redis_url = _stack.enter_context(redis_server(scratch))
    prefix = f"myokine_t{uuid.uuid4().hex[:10]}_"
    os.environ.update(
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        DB_PREFIX=prefix,
        MYOKINE_ENV="test",
        MYOKINE_TEST_SCRATCH=str(scratch),
    )
    _stack.callback(_drop_databases, database_url, prefix)


def pytest_unconfigure(config: pytest.Config) -> None:
    _stack.close()


def _drop_databases(server_url: str, prefix: str) -> None:
    url = make_url(server_url).set(drivername="postgresql+psycopg", database="postgres")
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            names = conn.execute(
                text("SELECT datname FROM pg_database WHERE datname LIKE :p"),
                {"p": prefix.replace("_", r"\_") + "%"},
            ).scalars()
            for name in list(names):
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        engine.dispose()


# Only now: _prepare_run needs _drop_databases defined.
_prepare_run()


@pytest.fixture(scope="session")
def scratch_dir() -> Iterator[Path]:
    """A folder for this test run's files."""
    yield Path(os.environ["MYOKINE_TEST_SCRATCH"])
