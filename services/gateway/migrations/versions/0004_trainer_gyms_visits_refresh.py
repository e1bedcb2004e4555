"""trainer gyms, member visits, refresh tokens, active flags

A trainer works in some gyms of the chain (existing trainers get every gym of their chain,
so nobody loses sight of a member); a member's visits say where they trained lately; a
trainer signs in again through refresh tokens (stored hashed); members and trainers can be
deactivated; members may carry the chain's own id (external_id) for imports.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 18:40:00
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
        "trainer_gyms",
        sa.Column("trainer_id", sa.Uuid(), nullable=False),
        sa.Column("gym_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["trainer_id"], ["trainers.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["gym_id"], ["gyms.id"]),
        sa.PrimaryKeyConstraint("trainer_id", "gym_id"),
    )
    op.create_table(
        "member_visits",
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("gym_id", sa.Uuid(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["gym_id"], ["gyms.id"]),
        sa.PrimaryKeyConstraint("member_id", "gym_id"),
    )
    op.create_index("member_visits_gym_seen", "member_visits", ["gym_id", "last_seen_at"])
    op.create_table(
        "refresh_tokens",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("trainer_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(["trainer_id"], ["trainers.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index(
        op.f("ix_refresh_tokens_trainer_id"), "refresh_tokens", ["trainer_id"], unique=False
    )
    op.add_column(
        "members", sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False)
    )
    op.add_column("members", sa.Column("external_id", sa.String(length=100), nullable=True))
    op.create_unique_constraint("members_chain_external_id", "members", ["chain_id", "external_id"])
    op.add_column(
        "trainers", sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False)
    )
    op.execute(
        "INSERT INTO trainer_gyms (trainer_id, gym_id) "
        "SELECT t.id, g.id FROM trainers t JOIN gyms g ON g.chain_id = t.chain_id "
        "WHERE t.role = 'trainer'"
    )


def downgrade() -> None:
    op.drop_column("trainers", "active")
    op.drop_constraint("members_chain_external_id", "members")
    op.drop_column("members", "external_id")
    op.drop_column("members", "active")
    op.drop_index(op.f("ix_refresh_tokens_trainer_id"), table_name="refresh_tokens")
    op.drop_table("refresh_tokens")
    op.drop_index("member_visits_gym_seen", table_name="member_visits")
    op.drop_table("member_visits")
    op.drop_table("trainer_gyms")
