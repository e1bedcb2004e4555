"""The migrations build exactly the tables the code declares, existing trainers keep sight
of their chain's members when trainers get gyms of their own, and the PIN backoff's table
comes and goes."""

from __future__ import annotations

import uuid

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from gateway_service.bootstrap import Dependencies
from gateway_service.repository import Base
from myokine.db import ensure_database
from myokine.migrations import alembic_config


def test_migrated_database_matches_the_models(deps: Dependencies) -> None:
    with deps.runtime.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_existing_trainers_work_in_every_gym_of_their_chain(deps: Dependencies) -> None:
    own = make_url(deps.runtime.settings.sqlalchemy_url)
    url = own.set(database=f"{own.database}_gyms").render_as_string(hide_password=False)
    ensure_database(url)
    config = alembic_config(deps.runtime.migrations_dir, url)
    command.upgrade(config, "0003")
    chain, other, trainer, admin = (uuid.uuid4() for _ in range(4))
    gyms = [uuid.uuid4(), uuid.uuid4()]
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text("INSERT INTO chains (id, name) VALUES (:a, 'A'), (:b, 'B')"),
                {"a": chain, "b": other},
            )
            for gym, owner in zip([*gyms, uuid.uuid4()], [chain, chain, other], strict=True):
                conn.execute(
                    text(
                        "INSERT INTO gyms (id, chain_id, name, timezone, unit)"
                        " VALUES (:g, :c, :n, 'UTC', 'kg')"
                    ),
                    {"g": gym, "c": owner, "n": str(gym)},
                )
            for who, role in ((trainer, "trainer"), (admin, "chain_admin")):
                conn.execute(
                    text(
                        "INSERT INTO trainers (id, chain_id, email, name, password_hash, role)"
                        " VALUES (:t, :c, :e, 'T', 'x', :r)"
                    ),
                    {"t": who, "c": chain, "e": f"{who}@a.example", "r": role},
                )
        command.upgrade(config, "head")
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT trainer_id, gym_id FROM trainer_gyms")).all()
        assert sorted((r.trainer_id, r.gym_id) for r in rows) == sorted(
            (trainer, gym) for gym in gyms
        )
    finally:
        engine.dispose()


def test_the_pin_backoff_migrates_down_to_member_locks_and_up_again(deps: Dependencies) -> None:
    own = make_url(deps.runtime.settings.sqlalchemy_url)
    url = own.set(database=f"{own.database}_pins").render_as_string(hide_password=False)
    ensure_database(url)
    config = alembic_config(deps.runtime.migrations_dir, url)
    command.upgrade(config, "head")
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            chain = uuid.uuid4()
            conn.execute(text("INSERT INTO chains (id, name) VALUES (:c, 'A')"), {"c": chain})
            conn.execute(
                text(
                    "INSERT INTO pin_failure_runs (scope, place_id, badge_digest, chain_id,"
                    " failures, forgotten_at) VALUES ('kiosk', :k, '', :c, 3, now())"
                ),
                {"k": uuid.uuid4(), "c": chain},
            )
        command.downgrade(config, "0004")
        with engine.connect() as conn:
            assert "pin_failure_runs" not in inspect(conn).get_table_names()
            columns = {c["name"] for c in inspect(conn).get_columns("members")}
            assert {"failed_pins", "locked_until"} <= columns
        command.upgrade(config, "head")
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()
