"""drop idempotency_keys: the shared unit of work keeps its answers in idempotency_replies

The program service's own Idempotency-Key table gives way to the shared
`idempotency_replies` (revision 5c3e9a7d2f10), which the unit of work fills. Its rows are
not carried over: they hold an answer's body without its status code, and a reply needs
both. A key used before this migration is free again afterwards, so a write retried
across the upgrade is done a second time. The downgrade recreates the table empty.

Revision ID: 8e41b7c2d9a3
Revises: 5c3e9a7d2f10
Create Date: 2026-12-02 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "8e41b7c2d9a3"
down_revision: str | None = "5c3e9a7d2f10"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_table("idempotency_keys")


def downgrade() -> None:
    op.create_table(
        "idempotency_keys",
        sa.Column("chain_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("response", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "key"),
    )
