"""equipment unit per exercise state

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 15:48:18.373351
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "exercise_states",
        sa.Column("unit", sa.String(length=8), server_default="kg", nullable=False),
    )


def downgrade() -> None:
    op.drop_column("exercise_states", "unit")
