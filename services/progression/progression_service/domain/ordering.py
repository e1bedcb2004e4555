"""Each producer's events about a member are applied in the producer's order.

Logging and program number their own events per member (`seq` from 1). Progression
remembers the last number applied per member and producer, and applies an event only
when it is the next one: an earlier number was applied already, a later one came early.
"""

from __future__ import annotations

from enum import StrEnum


class Turn(StrEnum):
    """Where an event stands in its producer's order."""

    NEXT = "next"
    """The next event: apply it now."""
    SEEN = "seen"
    """Applied already (or superseded): do nothing."""
    EARLY = "early"
    """An earlier event is missing: apply this one after it."""


def turn_of(seq: int, last_applied: int) -> Turn:
    """The turn of event number `seq` when `last_applied` was the last one applied."""
    if seq <= last_applied:
        return Turn.SEEN
    if seq > last_applied + 1:
        return Turn.EARLY
    return Turn.NEXT
