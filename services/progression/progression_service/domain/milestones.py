"""Protocol milestones (docs/protocol.md §4): first session, first protocol week, four weeks
in a row on protocol, and the strength check twelve weeks after the first session."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Protocol

from myokine import events as ev
from myokine.patterns import WEEKLY_RANGES
from progression_service.domain.adherence import WEEK, week_start

ADAPTATION_WEEKS = 4
STRENGTH_CHECK_AFTER = timedelta(weeks=12)
BASELINE_WINDOW = timedelta(days=14)


class Milestone(StrEnum):
    """The milestones a member can reach, once each."""

    FIRST_SESSION = "first_session"
    FIRST_PROTOCOL_WEEK = "first_protocol_week"
    INITIAL_ADAPTATION = "initial_adaptation"
    STRENGTH_CHECK = "strength_check"


def protocol_reached_on(
    day_patterns: Mapping[date, Iterable[str]], finished_days: Iterable[date]
) -> date | None:
    """The day an on-protocol week reached it: the first finished day by which every
    pattern has its weekly minimum of days trained (None while no finished day does).

    `day_patterns` maps each day of the week to the patterns trained that day. The week's
    maximum is not checked here: the caller asks only about weeks on protocol as a whole.
    """
    finished = set(finished_days)
    counts: dict[str, int] = {}
    for day in sorted(day_patterns):
        for pattern in set(day_patterns[day]):
            counts[pattern] = counts.get(pattern, 0) + 1
        met = all(counts.get(p.value, 0) >= r.min for p, r in WEEKLY_RANGES.items())
        if met and day in finished:
            return day
    return None


@dataclass(frozen=True)
class StrengthChange:
    """A pattern's main lift, its e1RM in the first two weeks and now."""

    exercise: str
    baseline_e1rm_kg: Decimal
    current_e1rm_kg: Decimal

    @property
    def change_kg(self) -> Decimal:
        """Kilograms gained (negative: lost)."""
        return self.current_e1rm_kg - self.baseline_e1rm_kg

    @property
    def change_pct(self) -> Decimal:
        """Change relative to the baseline, in percent to the tenth."""
        pct = self.change_kg / self.baseline_e1rm_kg * 100
        return pct.quantize(Decimal("0.1"), ROUND_HALF_UP)


def strength_check(
    baseline: Mapping[str, Mapping[str, Decimal]],
    current: Mapping[str, Mapping[str, Decimal]],
) -> dict[str, StrengthChange]:
    """Per pattern, the e1RM change of its main lift.

    `baseline` and `current` map pattern -> exercise -> best e1RM in the first two weeks
    and in the last two weeks. The main lift is the pattern's strongest baseline exercise
    that was also trained lately (ties by name, for a stable answer).
    """
    changes = {}
    for pattern, lifts in baseline.items():
        shared = [(e1rm, ex) for ex, e1rm in lifts.items() if ex in current.get(pattern, {})]
        if not shared:
            continue
        _, main = max(shared, key=lambda pair: (pair[0], pair[1]))
        changes[pattern] = StrengthChange(main, lifts[main], current[pattern][main])
    return changes


def strength_detail(
    baseline: Mapping[str, Mapping[str, Decimal]],
    current: Mapping[str, Mapping[str, Decimal]],
) -> dict[str, object]:
    """The strength check's detail as stored and shown: per pattern, its main lift's change."""
    return {
        pattern: {
            "exercise": change.exercise,
            "baseline_e1rm_kg": str(change.baseline_e1rm_kg),
            "current_e1rm_kg": str(change.current_e1rm_kg),
            "change_kg": str(change.change_kg),
            "change_pct": str(change.change_pct),
        }
        for pattern, change in strength_check(baseline, current).items()
    }


# --- the first session --------------------------------------------------------------------


def first_session_with(first_session: date | None, finished_days: Iterable[date]) -> date:
    """The first session's day once sessions with sets on `finished_days` are finished."""
    return min([first_session or date.max, *finished_days])


def first_session_may_move(first_session: date | None, since: date) -> bool:
    """Whether changed sets from `since` on can move the first session: when there is none
    yet, or it is not before `since` (then it is looked up again)."""
    return first_session is None or since <= first_session


# --- settling a member's milestones -------------------------------------------------------


@dataclass(frozen=True)
class Reached:
    """A milestone as reached: the day, and what it found (the strength check's changes)."""

    on: date
    detail: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class MilestoneChanges:
    """What settling did to a member's milestones."""

    reached: dict[Milestone, Reached]
    """Newly reached: store them and announce them, in this order."""
    moved: dict[Milestone, Reached]
    """Stored already, with another day or detail now: update them (announced already)."""
    lost: tuple[Milestone, ...]
    """Stored, and the facts no longer support them: delete them."""
    events: tuple[ev.Event, ...]
    """MilestoneReached for each one reached (none for the moved or the lost)."""


class MilestoneFacts(Protocol):
    """The stored facts about a member that settling milestones reads, as it needs them.

    Settling asks for a week's training only when that week can decide a milestone, so
    an event reads a few weeks, never the member's whole history.
    """

    def protocol_weeks(self, member_id: uuid.UUID, since: date) -> list[date]:
        """The Mondays of the member's weeks on protocol from `since` on, oldest first."""
        ...

    def week_training(
        self, member_id: uuid.UUID, monday: date
    ) -> tuple[dict[date, set[str]], set[date]]:
        """Per day of the week starting `monday`, the patterns trained (working sets); and
        the days among them with a working set in a finished session."""
        ...

    def first_finished_day(self, member_id: uuid.UUID, on_or_after: date = date.min) -> date | None:
        """The earliest day, on or after `on_or_after`, of a finished session with sets."""
        ...

    def best_e1rms(
        self, member_id: uuid.UUID, first: date, last: date
    ) -> dict[str, dict[str, Decimal]]:
        """Per pattern and exercise, the member's best e1RM between two dates (inclusive)."""
        ...


def settle_milestones(
    facts: MilestoneFacts,
    chain_id: uuid.UUID,
    member_id: uuid.UUID,
    stored: Mapping[Milestone, Reached],
    first_session: date | None,
    since: date,
) -> MilestoneChanges:
    """Make the member's milestones what their facts say now that days from `since` on
    changed (docs/protocol.md §4).

    Each milestone is a function of the stored facts, so a correction or void leaves the
    milestones a member would have had if the set had been logged right the first time:
    - first session: the day of the first finished session with sets (`first_session`);
    - first protocol week: the first week on protocol that has a finished day by which
      every pattern had its weekly minimum; reached on that day;
    - initial adaptation: the first run of four on-protocol weeks in a row whose last week
      has such a day; reached on that day;
    - strength check: the first finished day twelve weeks or more after the first session,
      with the e1RM change as of that day.
    Nothing before `since` changed, so a milestone reached in an earlier week stays as it
    is, and one still open is looked for only from `since`'s week on (three weeks back for
    a run): the weekly rows and a week's sets, never the member's whole history.

    A new milestone is stored and announced (MilestoneReached); one whose day or detail
    moved is updated without a second announcement; one the facts no longer support is
    deleted, without a retraction: the progress view is the truth, and a milestone reached
    again later is announced again.
    """
    monday = week_start(since)

    def kept(milestone: Milestone) -> bool:
        earlier = stored.get(milestone)
        return earlier is not None and week_start(earlier.on) < monday

    wanted: dict[Milestone, Reached] = {}
    if first_session is not None:
        wanted[Milestone.FIRST_SESSION] = Reached(first_session)
        for milestone in (Milestone.FIRST_PROTOCOL_WEEK, Milestone.INITIAL_ADAPTATION):
            if kept(milestone):
                wanted[milestone] = stored[milestone]
        if Milestone.INITIAL_ADAPTATION not in wanted:
            weeks = facts.protocol_weeks(member_id, monday - WEEK * (ADAPTATION_WEEKS - 1))
            first_week_known = Milestone.FIRST_PROTOCOL_WEEK in wanted
            wanted |= _week_milestones(facts, member_id, weeks, monday, first_week_known)
        check = stored.get(Milestone.STRENGTH_CHECK)
        if check is not None and check.on < since:
            wanted[Milestone.STRENGTH_CHECK] = check
        else:
            due = max(first_session + STRENGTH_CHECK_AFTER, since)
            check_day = facts.first_finished_day(member_id, due)
            if check_day is not None:
                window = BASELINE_WINDOW - timedelta(days=1)
                baseline = facts.best_e1rms(member_id, first_session, first_session + window)
                current = facts.best_e1rms(member_id, check_day - window, check_day)
                wanted[Milestone.STRENGTH_CHECK] = Reached(
                    check_day, strength_detail(baseline, current)
                )

    reached = {m: r for m, r in wanted.items() if m not in stored}
    return MilestoneChanges(
        reached=reached,
        moved={m: r for m, r in wanted.items() if m in stored and stored[m] != r},
        lost=tuple(m for m in stored if m not in wanted),
        events=tuple(
            ev.MilestoneReached(chain_id=chain_id, member_id=member_id, milestone=m.value)
            for m in reached
        ),
    )


def _week_milestones(
    facts: MilestoneFacts,
    member_id: uuid.UUID,
    weeks: list[date],
    monday: date,
    first_week_known: bool,
) -> dict[Milestone, Reached]:
    """The first protocol week (unless known) and the initial adaptation among on-protocol
    `weeks` (from three weeks before `monday` on), each reached on its week's finished day."""
    found: dict[Milestone, Reached] = {}
    reached_on: dict[date, date | None] = {}

    def day_in(week: date) -> date | None:
        if week not in reached_on:
            reached_on[week] = protocol_reached_on(*facts.week_training(member_id, week))
        return reached_on[week]

    run, previous = 0, None
    for week in weeks:
        run = run + 1 if previous is not None and week - previous == WEEK else 1
        previous = week
        if week < monday:
            continue
        looking = not first_week_known and Milestone.FIRST_PROTOCOL_WEEK not in found
        if looking and (day := day_in(week)) is not None:
            found[Milestone.FIRST_PROTOCOL_WEEK] = Reached(day)
        if run >= ADAPTATION_WEEKS and (day := day_in(week)) is not None:
            found[Milestone.INITIAL_ADAPTATION] = Reached(day)
            break
    return found
