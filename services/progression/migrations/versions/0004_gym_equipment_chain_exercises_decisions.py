"""gym equipment, chain exercises, decisions per exposure

Targets are now made of the loads of the gym where the member trained, so a standing
and an exposure remember their gym (filled from the sets already stored) in place of
the unit the sets were typed in. Decisions stored before carry no target: they appear
in the trainer's history from the exercise's next exposure on (or after a rebuild).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 15:12:26.651762
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "catalog_exercises",
        sa.Column("chain_id", sa.Uuid(), nullable=False),
        sa.Column("slug", sa.String(length=100), nullable=False),
        sa.Column("pattern", sa.String(length=16), nullable=False),
        sa.Column("equipment", sa.String(length=16), nullable=False),
        sa.Column("load_step_kg", sa.Numeric(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "slug"),
    )
    op.create_table(
        "gym_inventories",
        sa.Column("gym_id", sa.Uuid(), nullable=False),
        sa.Column("chain_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("inventory", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.PrimaryKeyConstraint("gym_id"),
    )
    op.create_index(
        op.f("ix_gym_inventories_chain_id"), "gym_inventories", ["chain_id"], unique=False
    )
    op.add_column("exercise_states", sa.Column("gym_id", sa.Uuid(), nullable=True))
    op.drop_column("exercise_states", "unit")
    op.add_column("exposures", sa.Column("gym_id", sa.Uuid(), nullable=True))
    op.add_column(
        "exposures", sa.Column("target", postgresql.JSONB(astext_type=sa.Text()), nullable=True)
    )
    # The gym of each day's first set, and of each exercise's latest day.
    op.execute(
        """
        UPDATE exposures e SET gym_id = (
            SELECT s.gym_id FROM sets s
            WHERE s.member_id = e.member_id AND s.exercise = e.exercise
              AND s.local_date = e.local_date
            ORDER BY s.performed_at, s.set_id LIMIT 1)
        """
    )
    op.execute(
        """
        UPDATE exercise_states x SET gym_id = (
            SELECT s.gym_id FROM sets s
            WHERE s.member_id = x.member_id AND s.exercise = x.exercise
            ORDER BY s.local_date DESC, s.performed_at, s.set_id LIMIT 1)
        """
    )


def downgrade() -> None:
    op.drop_column("exposures", "target")
    op.drop_column("exposures", "gym_id")
    op.add_column(
        "exercise_states",
        sa.Column(
            "unit",
            sa.VARCHAR(length=8),
            server_default=sa.text("'kg'::character varying"),
            autoincrement=False,
            nullable=False,
        ),
    )
    op.drop_column("exercise_states", "gym_id")
    op.drop_index(op.f("ix_gym_inventories_chain_id"), table_name="gym_inventories")
    op.drop_table("gym_inventories")
    op.drop_table("catalog_exercises")
