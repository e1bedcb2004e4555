"""The migrations build exactly the tables the code declares, and keep the stored answers."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from logging_service.handlers import idempotency_scope
from logging_service.repository import Base
from myokine.db import ensure_database
from myokine.migrations import alembic_config
from myokine.service_runtime import ServiceRuntime


def test_migrated_database_matches_the_models(migrated: ServiceRuntime) -> None:
    with migrated.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_stored_answers_move_to_the_shared_replies(migrated: ServiceRuntime) -> None:
    # A database of its own (the run's prefix, so it is dropped with the others).
    own = make_url(migrated.settings.sqlalchemy_url)
    url = own.set(database=f"{own.database}_records").render_as_string(hide_password=False)
    ensure_database(url)
    config = alembic_config(migrated.migrations_dir, url)
    command.upgrade(config, "0002")
    chain, member = uuid.uuid4(), uuid.uuid4()
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO idempotency_records (chain_id, member_id, key, fingerprint,"
                    " status_code, response_body, created_at) VALUES"
                    " (:c, :m, 'answered', 'f1', 201, '{\"id\": 1}', '2026-11-30T10:00:00Z'),"
                    " (:c, :m, 'unanswered', 'f2', NULL, NULL, '2026-11-30T10:01:00Z')"
                ),
                {"c": chain, "m": member},
            )
        command.upgrade(config, "head")
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT scope, key, fingerprint, status_code, response_body, created_at"
                    " FROM idempotency_replies"
                )
            ).all()
            assert conn.execute(text("SELECT to_regclass('idempotency_records')")).scalar() is None
        assert [tuple(r) for r in rows] == [
            (
                idempotency_scope(chain, member),
                "answered",
                "f1",
                201,
                '{"id": 1}',
                datetime(2026, 11, 30, 10, tzinfo=UTC),
            )
        ]
        command.downgrade(config, "0002")
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM idempotency_records")).scalar() == 0
    finally:
        engine.dispose()


def test_chain_exercises_kept_before_versions_are_version_1(migrated: ServiceRuntime) -> None:
    own = make_url(migrated.settings.sqlalchemy_url)
    url = own.set(database=f"{own.database}_versions").render_as_string(hide_password=False)
    ensure_database(url)
    config = alembic_config(migrated.migrations_dir, url)
    command.upgrade(config, "0004")
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO catalog_exercises (chain_id, slug, equipment)"
                    " VALUES (:c, 'hack-squat', 'machine')"
                ),
                {"c": uuid.uuid4()},
            )
        command.upgrade(config, "head")
        with engine.connect() as conn:
            kept = conn.execute(text("SELECT slug, equipment, version FROM catalog_exercises"))
            assert [tuple(row) for row in kept] == [("hack-squat", "machine", 1)]
        command.downgrade(config, "0004")
    finally:
        engine.dispose()
