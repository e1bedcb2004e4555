"""catalog exercises a chain added (ExerciseAdded), so logging knows every slug of its catalog

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 22:54:35.195168
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "catalog_exercises",
        sa.Column("chain_id", sa.Uuid(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("equipment", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "slug", name=op.f("pk_catalog_exercises")),
    )


def downgrade() -> None:
    op.drop_table("catalog_exercises")
