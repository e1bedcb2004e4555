"""Who needs a trainer, why and how urgently (docs/protocol.md §1, "Pace").

A member is *behind* only when the sessions left this week, by their assigned weekdays,
can no longer bring a pattern into its weekly range: on a Tuesday nobody is behind yet.
The reasons, most urgent first: no program (they cannot train to targets), a stalled
lift, behind this week, missed sessions, and a record to congratulate.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from myokine.patterns import WEEKLY_RANGES

MISSED_WINDOW = timedelta(days=14)
"""Assigned days this far back (to yesterday) count as missed when nobody trained."""

URGENCY = {"no_program": 50, "stalled": 40, "behind": 30, "missed": 20, "record": 5}


@dataclass(frozen=True)
class Assigned:
    """What the pace needs of a member's assignment: its weekdays (1 = Monday) and start."""

    weekdays: frozenset[int]
    start_date: date


def sessions_left(weekdays: Collection[int], today: date, trained_today: bool) -> int:
    """Assigned days still to come this ISO week; today counts until the member trains."""
    left = [d for d in weekdays if d > today.isoweekday()]
    return len(left) + (1 if today.isoweekday() in weekdays and not trained_today else 0)


def behind(week: Mapping[str, Mapping[str, Any]], left: int) -> list[str]:
    """The patterns that cannot reach their weekly minimum any more, with `left` sessions
    to come (one session trains a pattern once at most)."""
    return [
        pattern.value
        for pattern, band in WEEKLY_RANGES.items()
        if int((week.get(pattern.value) or {}).get("done") or 0) + left < band.min
    ]


def missed(assigned: Assigned, trained: Collection[date], today: date) -> int:
    """Assigned days from the start (at most two weeks back) to yesterday with no training."""
    first = max(assigned.start_date, today - MISSED_WINDOW)
    days = (first + timedelta(days=n) for n in range((today - first).days))
    return sum(1 for d in days if d.isoweekday() in assigned.weekdays and d not in trained)


def reasons(
    entry: Mapping[str, Any] | None, assigned: Assigned | None, today: date
) -> list[dict[str, Any]]:
    """Why a member needs a trainer, most urgent first (empty: they do not).

    `entry` is what progression knows of them at the gym (None if nothing yet), `assigned`
    their active assignment (None without one), `today` the gym's local day.
    """
    found: list[dict[str, Any]] = []
    if assigned is None:
        found.append({"kind": "no_program"})
    entry = entry or {}
    for stall in entry.get("stalls") or []:
        found.append({"kind": "stalled", "exercise": stall["exercise"], "since": stall["since"]})
    trained = {date.fromisoformat(str(d)) for d in entry.get("trained_days") or []}
    if assigned is not None:
        left = sessions_left(assigned.weekdays, today, today in trained)
        short = behind(entry.get("week") or {}, left)
        if short:
            found.append({"kind": "behind", "patterns": short, "sessions_left": left})
        missed_days = missed(assigned, trained, today)
        if missed_days:
            found.append({"kind": "missed", "sessions": missed_days})
    for record in entry.get("records") or []:
        found.append(
            {
                "kind": "record",
                "exercise": record["exercise"],
                "record": record["kind"],
                "date": record["date"],
            }
        )
    return sorted(found, key=lambda r: -URGENCY[r["kind"]])


def urgency(found: list[dict[str, Any]]) -> int:
    """How urgent a member's reasons are together: the most urgent one, plus one a reason."""
    return max((URGENCY[r["kind"]] for r in found), default=0) + len(found)
