"""erased_members: the digests of the members erased here (GDPR)

A member's rows go when the gateway's `MemberErased` arrives; only the SHA-256 of their
id stays, so an event about them that was still on its way is dropped.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-08 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "erased_members",
        sa.Column("member_digest", sa.String(length=64), nullable=False),
        sa.Column(
            "erased_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.PrimaryKeyConstraint("member_digest"),
    )


def downgrade() -> None:
    op.drop_table("erased_members")
