"""gym inventories

What trainers set of each gym's equipment; a gym without a row has its unit's defaults.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04 15:16:40.171219
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "gym_inventories",
        sa.Column("gym_id", sa.Uuid(), nullable=False),
        sa.Column("chain_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("settings", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["chain_id"],
            ["chains.id"],
        ),
        sa.ForeignKeyConstraint(
            ["gym_id"],
            ["gyms.id"],
        ),
        sa.PrimaryKeyConstraint("gym_id"),
    )
    op.create_index(
        op.f("ix_gym_inventories_chain_id"), "gym_inventories", ["chain_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_gym_inventories_chain_id"), table_name="gym_inventories")
    op.drop_table("gym_inventories")
