"""When a workout session goes on, and when it is over."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

IDLE_LIMIT = timedelta(hours=3)
"""A session with no set for this long is finished automatically."""


@dataclass(frozen=True)
class OpenSession:
    """What decides whether a new set still belongs to a member's open session."""

    gym_id: uuid.UUID
    local_date: date
    last_set_at: datetime


def local_date(moment: datetime, zone: tzinfo) -> date:
    """The calendar date of `moment` at the gym."""
    return moment.astimezone(zone).date()


def is_idle(last_set_at: datetime, now: datetime) -> bool:
    """Whether a session whose last set was at `last_set_at` has been idle too long."""
    return now - last_set_at >= IDLE_LIMIT


def continues(
    session: OpenSession, *, gym_id: uuid.UUID, day: date, performed_at: datetime
) -> bool:
    """Whether a set done at `gym_id` on `day` at `performed_at` belongs to `session`.

    A set at another gym, on another local day, or after the idle limit starts a new
    session (the old one is then finished automatically), even when the periodic
    auto-finish has not come round yet.
    """
    return (
        session.gym_id == gym_id
        and session.local_date == day
        and not is_idle(session.last_set_at, performed_at)
    )
