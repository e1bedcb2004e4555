"""Which day of the rotation comes next (a missed day is not skipped)."""

from __future__ import annotations


def next_day_index(last_trained: int | None, day_count: int) -> int:
    """The day after the last day actually trained; the first day when none was.

    Calendar time plays no part: a member who misses a week picks up where they stopped.
    """
    if day_count < 1:
        raise ValueError("a rotation needs at least one day")
    if last_trained is None:
        return 0
    return (last_trained + 1) % day_count


def is_newer_session(seq: int, last_seq: int | None) -> bool:
    """Whether a finished session (by the logging service's per-member number) is the latest.

    Sessions may be delivered out of order or twice; only the latest one moves the rotation.
    """
    return last_seq is None or seq > last_seq
