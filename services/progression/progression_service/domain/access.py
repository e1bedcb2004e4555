"""Whose progress a caller may read."""

from __future__ import annotations

import uuid

STAFF_ROLES = frozenset({"trainer", "chain_admin", "system"})


def may_read_member(*, role: str, sub: str, member_id: uuid.UUID) -> bool:
    """Staff of the chain read every member; a member (at a kiosk) only themselves."""
    if role in STAFF_ROLES:
        return True
    return role == "member" and sub == str(member_id)
