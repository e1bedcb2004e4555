"""The migrations build exactly the tables the code declares."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from myokine.service_runtime import ServiceRuntime
from progression_service.repository import Base


def test_migrated_database_matches_the_models(runtime: ServiceRuntime) -> None:
    with runtime.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
