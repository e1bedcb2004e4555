"""pin failure runs: the PIN backoff per badge at a kiosk, per badge in the chain, per kiosk

Wrong PINs no longer lock a member's row for a flat time at every kiosk: they count in runs
keyed by the badge's digest (members or not) at one kiosk, in the chain, and for every badge
at one kiosk (gateway_service/domain/pin_lock.py). The members' own counters go; a lock
they held ends with them.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-12 10:00:00
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
        "pin_failure_runs",
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("place_id", sa.Uuid(), nullable=False),
        sa.Column("badge_digest", sa.String(length=64), nullable=False),
        sa.Column("chain_id", sa.Uuid(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("forgiving_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("blocked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("forgotten_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "scope IN ('badge_at_kiosk', 'badge_in_chain', 'kiosk')", name="pin_failure_runs_scope"
        ),
        sa.ForeignKeyConstraint(["chain_id"], ["chains.id"]),
        sa.PrimaryKeyConstraint("scope", "place_id", "badge_digest"),
    )
    op.create_index("pin_failure_runs_badge", "pin_failure_runs", ["chain_id", "badge_digest"])
    op.create_index("pin_failure_runs_forgotten", "pin_failure_runs", ["forgotten_at"])
    op.drop_column("members", "locked_until")
    op.drop_column("members", "failed_pins")


def downgrade() -> None:
    op.add_column(
        "members", sa.Column("failed_pins", sa.Integer(), server_default="0", nullable=False)
    )
    op.add_column("members", sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True))
    op.drop_index("pin_failure_runs_forgotten", table_name="pin_failure_runs")
    op.drop_index("pin_failure_runs_badge", table_name="pin_failure_runs")
    op.drop_table("pin_failure_runs")
