"""Whose logs a caller may read and write."""

from __future__ import annotations

import uuid

STAFF_ROLES = frozenset({"trainer", "chain_admin", "system"})


def may_access_member(*, role: str, sub: str, member_id: uuid.UUID) -> bool:
    """Staff of the chain reach every member; a member reaches only their own logs.

    A kiosk token alone names no member, so it reaches none: the gateway signs a
    member's kiosk calls with role `member` and the member's id as subject.
    """
    if role in STAFF_ROLES:
        return True
    return role == "member" and sub == str(member_id)
