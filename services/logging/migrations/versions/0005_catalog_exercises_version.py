"""catalog_exercises.version: the newest version of a chain's exercise wins

A row kept before this came from an `ExerciseAdded`, which is version 1.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 15:18:07.069230
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "catalog_exercises",
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
    )


def downgrade() -> None:
    op.drop_column("catalog_exercises", "version")
