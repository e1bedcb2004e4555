"""idempotency records to replies: the member's keys move to the shared unit of work's table

The logging service kept its Idempotency-Keys in `idempotency_records`, one row per
(chain, member, key); the shared unit of work keeps them in `idempotency_replies`, scoped
by a string, here "<chain_id>:<member_id>". Answers already stored move across, so a
retry after the upgrade still gets its first answer; a key whose answer was never stored
belonged to a write that did not commit, and is dropped.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        """
        INSERT INTO idempotency_replies
            (scope, key, fingerprint, status_code, response_body, created_at)
        SELECT chain_id::text || ':' || member_id::text,
               key, fingerprint, status_code, response_body, created_at
        FROM idempotency_records
        WHERE status_code IS NOT NULL AND response_body IS NOT NULL
        """
    )
    op.drop_index(op.f("ix_idempotency_records_created_at"), table_name="idempotency_records")
    op.drop_table("idempotency_records")


def downgrade() -> None:
    # The table comes back empty: the replies stay where the shared unit of work keeps them.
    op.create_table(
        "idempotency_records",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("chain_id", sa.Uuid(), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("response_body", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotency_records")),
        sa.UniqueConstraint("chain_id", "member_id", "key", name="uq_idempotency_key"),
    )
    op.create_index(
        op.f("ix_idempotency_records_created_at"),
        "idempotency_records",
        ["created_at"],
        unique=False,
    )
