"""What a call's internal token lets it do: reach a member's logs, act at a gym.

The rule is the domain's (`domain.access`); this turns a refusal into the problem the
caller gets, for the handlers and the queries alike.
"""

from __future__ import annotations

import uuid
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from logging_service.domain.access import may_access_member
from myokine.internal_auth import Caller
from myokine.problems import BadRequest, Forbidden


def require_access(caller: Caller, member_id: uuid.UUID) -> None:
    """Refuse (403) a caller who may not reach this member's logs."""
    if not may_access_member(role=caller.role, sub=caller.sub, member_id=member_id):
        raise Forbidden("This caller may not reach this member's logs.")


def gym_of(caller: Caller) -> tuple[uuid.UUID, ZoneInfo]:
    """The gym a call happens at and its time zone, from the internal token (else 400)."""
    if caller.gym_id is None or not caller.gym_timezone:
        raise BadRequest("A workout is logged at a gym: the internal token must name gym and tz.")
    try:
        return caller.gym_id, ZoneInfo(caller.gym_timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise BadRequest(f"Unknown gym time zone {caller.gym_timezone!r}.") from exc
