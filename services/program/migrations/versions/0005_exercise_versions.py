"""exercises.version: a chain's own exercise may change; each change is a new version

Every existing exercise is at version 1, the version its `ExerciseAdded` carried.

Revision ID: 0005
Revises: 8e41b7c2d9a3
Create Date: 2026-12-04 15:13:56.166752
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "8e41b7c2d9a3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "exercises", sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False)
    )


def downgrade() -> None:
    op.drop_column("exercises", "version")
