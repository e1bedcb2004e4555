"""Idempotency keys of the program service's writes, with the answer each got.

Revision ID: 1bd620821372
Revises: 0f88e77fd4a2
Create Date: 2026-11-25 15:34:52.349318
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "1bd620821372"
down_revision: str | None = "0f88e77fd4a2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "idempotency_keys",
        sa.Column("chain_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("response", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "key"),
    )


def downgrade() -> None:
    op.drop_table("idempotency_keys")
