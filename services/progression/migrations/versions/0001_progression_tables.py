"""progression tables

Revision ID: 0001
Revises:
Create Date: 2026-11-25 15:28:29.978988
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "assignments",
        sa.Column("assignment_id", sa.Uuid(), nullable=False),
        sa.Column("chain_id", sa.Uuid(), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("program_id", sa.Uuid(), nullable=False),
        sa.Column("program_version", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("ended", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("assignment_id"),
    )
    op.create_index(op.f("ix_assignments_member_id"), "assignments", ["member_id"], unique=False)
    op.create_table(
        "dead_letters",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("event_type", sa.String(length=64), nullable=False),
        sa.Column("task_name", sa.String(length=128), nullable=False),
        sa.Column("body", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column(
            "failed_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("replayed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "exercise_states",
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("exercise", sa.String(length=100), nullable=False),
        sa.Column("chain_id", sa.Uuid(), nullable=False),
        sa.Column("pattern", sa.String(length=16), nullable=True),
        sa.Column("state", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("stalled", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("member_id", "exercise"),
    )
    op.create_table(
        "exposures",
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("exercise", sa.String(length=100), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("chain_id", sa.Uuid(), nullable=False),
        sa.Column("finished", sa.Boolean(), nullable=False),
        sa.Column("state_before", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=True),
        sa.Column("best_e1rm_kg", sa.Numeric(), nullable=True),
        sa.Column("working_sets", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("member_id", "exercise", "local_date"),
    )
    op.create_table(
        "finished_sessions",
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("chain_id", sa.Uuid(), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("session_id"),
    )
    op.create_index(
        op.f("ix_finished_sessions_member_id"), "finished_sessions", ["member_id"], unique=False
    )
    op.create_table(
        "inbox",
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("event_type", sa.String(length=64), nullable=False),
        sa.Column(
            "processed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("event_id"),
    )
    op.create_table(
        "members",
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("chain_id", sa.Uuid(), nullable=False),
        sa.Column("gym_id", sa.Uuid(), nullable=True),
        sa.Column("first_session", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("member_id"),
    )
    op.create_index(op.f("ix_members_chain_id"), "members", ["chain_id"], unique=False)
    op.create_index(op.f("ix_members_gym_id"), "members", ["gym_id"], unique=False)
    op.create_table(
        "milestones",
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("milestone", sa.String(length=32), nullable=False),
        sa.Column("chain_id", sa.Uuid(), nullable=False),
        sa.Column("reached_on", sa.Date(), nullable=False),
        sa.Column("detail", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("member_id", "milestone"),
    )
    op.create_table(
        "outbox",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("event_type", sa.String(length=64), nullable=False),
        sa.Column("body", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id"),
    )
    op.create_index(
        "outbox_unpublished",
        "outbox",
        ["id"],
        unique=False,
        postgresql_where=sa.text("published_at IS NULL"),
    )
    op.create_table(
        "personal_records",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("chain_id", sa.Uuid(), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("exercise", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("value", sa.Numeric(), nullable=False),
        sa.Column("set_id", sa.Uuid(), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("load_kg", sa.Numeric(), nullable=False),
        sa.Column("reps", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "records_member_exercise_day",
        "personal_records",
        ["member_id", "exercise", "local_date"],
        unique=False,
    )
    op.create_table(
        "planned_exercises",
        sa.Column("assignment_id", sa.Uuid(), nullable=False),
        sa.Column("exercise", sa.String(length=100), nullable=False),
        sa.Column("pattern", sa.String(length=16), nullable=False),
        sa.Column("equipment", sa.String(length=16), nullable=False),
        sa.Column("load_step_kg", sa.Numeric(), nullable=False),
        sa.Column("sets", sa.Integer(), nullable=False),
        sa.Column("rep_min", sa.Integer(), nullable=False),
        sa.Column("rep_max", sa.Integer(), nullable=False),
        sa.Column("starting_load_kg", sa.Numeric(), nullable=True),
        sa.PrimaryKeyConstraint("assignment_id", "exercise"),
    )
    op.create_table(
        "sets",
        sa.Column("set_id", sa.Uuid(), nullable=False),
        sa.Column("chain_id", sa.Uuid(), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("gym_id", sa.Uuid(), nullable=False),
        sa.Column("exercise", sa.String(length=100), nullable=False),
        sa.Column("pattern", sa.String(length=16), nullable=True),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("performed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("load_kg", sa.Numeric(), nullable=False),
        sa.Column("load_value", sa.Numeric(), nullable=False),
        sa.Column("unit", sa.String(length=8), nullable=False),
        sa.Column("reps", sa.Integer(), nullable=False),
        sa.Column("rpe", sa.Numeric(precision=3, scale=1), nullable=True),
        sa.Column("warmup", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("set_id"),
    )
    op.create_index(op.f("ix_sets_session_id"), "sets", ["session_id"], unique=False)
    op.create_index("sets_member_day", "sets", ["member_id", "local_date"], unique=False)
    op.create_index(
        "sets_member_exercise_day", "sets", ["member_id", "exercise", "local_date"], unique=False
    )
    op.create_table(
        "streams",
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("producer", sa.String(length=32), nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("member_id", "producer"),
    )
    op.create_table(
        "weeks",
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("week_start", sa.Date(), nullable=False),
        sa.Column("chain_id", sa.Uuid(), nullable=False),
        sa.Column("days", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("on_protocol", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("member_id", "week_start"),
    )


def downgrade() -> None:
    op.drop_table("weeks")
    op.drop_table("streams")
    op.drop_index("sets_member_exercise_day", table_name="sets")
    op.drop_index("sets_member_day", table_name="sets")
    op.drop_index(op.f("ix_sets_session_id"), table_name="sets")
    op.drop_table("sets")
    op.drop_table("planned_exercises")
    op.drop_index("records_member_exercise_day", table_name="personal_records")
    op.drop_table("personal_records")
    op.drop_index(
        "outbox_unpublished", table_name="outbox", postgresql_where=sa.text("published_at IS NULL")
    )
    op.drop_table("outbox")
    op.drop_table("milestones")
    op.drop_index(op.f("ix_members_gym_id"), table_name="members")
    op.drop_index(op.f("ix_members_chain_id"), table_name="members")
    op.drop_table("members")
    op.drop_table("inbox")
    op.drop_index(op.f("ix_finished_sessions_member_id"), table_name="finished_sessions")
    op.drop_table("finished_sessions")
    op.drop_table("exposures")
    op.drop_table("exercise_states")
    op.drop_table("dead_letters")
    op.drop_index(op.f("ix_assignments_member_id"), table_name="assignments")
    op.drop_table("assignments")
