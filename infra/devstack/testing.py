"""Test helpers for a service's own database: migrate it once, empty it between tests."""

from __future__ import annotations

from sqlalchemy import MetaData, text

from myokine.migrations import upgrade
from myokine.service_runtime import ServiceRuntime


def migrate(runtime: ServiceRuntime) -> None:
    """Create and migrate the service's database (the run's fresh one)."""
    upgrade(runtime.migrations_dir, runtime.settings.sqlalchemy_url)


def truncate_all(runtime: ServiceRuntime, metadata: MetaData) -> None:
    """Empty every table of the service, so each test starts from nothing."""
    names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
    with runtime.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
