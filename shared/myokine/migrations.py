"""Alembic, driven from code: each service keeps its own migrations and its own database."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import MetaData, create_engine, pool

from myokine.db import ensure_database


def alembic_config(migrations_dir: Path, database_url: str) -> Config:
    """An Alembic config for one service's migrations and database."""
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir))
    cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return cfg


def upgrade(migrations_dir: Path, database_url: str) -> None:
    """Create the service's database if missing, then migrate it to the latest revision."""
    ensure_database(database_url)
    command.upgrade(alembic_config(migrations_dir, database_url), "head")


def run_migrations_online(metadata: MetaData) -> None:
    """The body of every service's `migrations/env.py`."""
    from alembic import context

    url = context.config.get_main_option("sqlalchemy.url")
    assert url, "sqlalchemy.url must be set"
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=metadata, compare_type=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()
