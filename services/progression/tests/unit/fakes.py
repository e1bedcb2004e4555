"""The progression repository in memory, for handler tests without a database.

It keeps the same facts the tables keep and answers each method as its SQL does (the
same filters, the same order), so a handler cannot tell the two apart;
`tests/test_fake_repository.py` checks that on a history delivered to both.
"""

from __future__ import annotations

import itertools
import uuid
from collections import defaultdict
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from myokine import events as ev
from myokine.inventory import Inventory
from progression_service.domain.adherence import CountedWeek
from progression_service.domain.exercise import (
    ExerciseStanding,
    ExposureOutcome,
    StoredExposure,
    StoredSet,
)
from progression_service.domain.milestones import Milestone, MilestoneChanges, Reached
from progression_service.domain.plan import DatedPlan, ExercisePlan, KnownExercise
from progression_service.domain.progression import Decision
from progression_service.domain.records import PersonalRecord
from progression_service.domain.sets import LiftedSet
from progression_service.domain.targets import Target
from progression_service.repository import ProgressionRepository


@dataclass
class FakeMember:
    """A member's row."""

    chain_id: uuid.UUID
    gym_id: uuid.UUID | None
    first_session: date | None = None


@dataclass
class FakeAssignment:
    """An assignment and its plan."""

    member_id: uuid.UUID
    start: date
    seq: int
    plans: list[ExercisePlan]
    ended: bool = False


@dataclass
class FakeSet:
    """A stored set."""

    chain_id: uuid.UUID
    member_id: uuid.UUID
    logged: ev.LoggedSet
    pattern: str | None

    @property
    def working(self) -> bool:
        """Counts toward a week (a working set of a known pattern)."""
        return self.pattern is not None and not self.logged.warmup and self.logged.reps > 0


@dataclass
class FakeRecord:
    """A stored record, in insertion order (the table's id)."""

    member_id: uuid.UUID
    exercise: str
    record: PersonalRecord


class FakeProgressionRepository(ProgressionRepository):
    """Every table of the progression service as a dict or a list."""

    def __init__(self) -> None:
        self.streams: dict[tuple[uuid.UUID, str], int] = {}
        self.members: dict[uuid.UUID, FakeMember] = {}
        self.assignments: dict[uuid.UUID, FakeAssignment] = {}
        self.sets: dict[uuid.UUID, FakeSet] = {}
        self.finished: dict[uuid.UUID, tuple[uuid.UUID, date]] = {}
        """session id -> (member id, day)."""
        self.stored_standings: dict[tuple[uuid.UUID, str], tuple[uuid.UUID, ExerciseStanding]] = {}
        """(member, exercise) -> (chain, standing)."""
        self.exposures: dict[tuple[uuid.UUID, str, date], ExposureOutcome] = {}
        self.stored_records: list[FakeRecord] = []
        self.counted_weeks: dict[tuple[uuid.UUID, date], CountedWeek] = {}
        self.reached: dict[uuid.UUID, dict[Milestone, tuple[Reached, int]]] = defaultdict(dict)
        """member -> milestone -> (reached, creation order)."""
        self._created = itertools.count()
        self.gym_inventories: dict[uuid.UUID, tuple[int, Inventory]] = {}
        self.own_exercises: dict[tuple[uuid.UUID, str], tuple[int, KnownExercise]] = {}
        self.erased_members: set[uuid.UUID] = set()

    # --- a member's event streams

    def last_seq(self, member_id: uuid.UUID, producer: str) -> int:
        # Read, not created: a handler that applies nothing leaves no row, as its rolled
        # back transaction does on PostgreSQL.
        return self.streams.get((member_id, producer), 0)

    def set_last_seq(self, member_id: uuid.UUID, producer: str, seq: int) -> None:
        self.streams[(member_id, producer)] = seq

    # --- members

    def touch_member(
        self, chain_id: uuid.UUID, member_id: uuid.UUID, gym_id: uuid.UUID | None = None
    ) -> None:
        member = self.members.setdefault(member_id, FakeMember(chain_id, gym_id))
        member.gym_id = gym_id or member.gym_id

    def lock_member(
        self, chain_id: uuid.UUID, member_id: uuid.UUID, gym_id: uuid.UUID | None = None
    ) -> date | None:
        self.touch_member(chain_id, member_id, gym_id)
        return self.members[member_id].first_session

    def set_first_session(self, member_id: uuid.UUID, day: date | None) -> None:
        self.members[member_id].first_session = day

    def member_chain(self, member_id: uuid.UUID) -> uuid.UUID | None:
        member = self.members.get(member_id)
        return member.chain_id if member else None

    def gym_members(self, chain_id: uuid.UUID, gym_id: uuid.UUID) -> list[uuid.UUID]:
        return sorted(
            member_id
            for member_id, m in self.members.items()
            if m.chain_id == chain_id and m.gym_id == gym_id
        )

    # --- assignments and plans

    def add_assignment(self, assigned: ev.ProgramAssigned, plans: Sequence[ExercisePlan]) -> None:
        self.assignments[assigned.assignment_id] = FakeAssignment(
            assigned.member_id, assigned.start_date, assigned.seq, list(plans)
        )

    def end_assignment(self, assignment_id: uuid.UUID) -> None:
        if assignment_id in self.assignments:
            self.assignments[assignment_id].ended = True

    def plans(self, member_id: uuid.UUID, exercise: str) -> list[DatedPlan]:
        return self.plans_by_exercise(member_id).get(exercise, [])

    def plans_by_exercise(self, member_id: uuid.UUID) -> dict[str, list[DatedPlan]]:
        plans: dict[str, list[DatedPlan]] = defaultdict(list)
        mine = [a for a in self.assignments.values() if a.member_id == member_id]
        for a in sorted(mine, key=lambda a: (a.start, a.seq)):
            for plan in a.plans:
                plans[plan.exercise].append(DatedPlan(a.start, plan))
        return dict(plans)

    # --- sets and sessions

    def save_set(
        self,
        chain_id: uuid.UUID,
        member_id: uuid.UUID,
        logged: ev.LoggedSet,
        pattern: str | None,
    ) -> None:
        self.sets[logged.set_id] = FakeSet(chain_id, member_id, logged, pattern)

    def remove_set(self, set_id: uuid.UUID) -> None:
        self.sets.pop(set_id, None)

    def add_finished_session(
        self, chain_id: uuid.UUID, member_id: uuid.UUID, session_id: uuid.UUID, day: date
    ) -> None:
        self.finished.setdefault(session_id, (member_id, day))

    def session_finished(self, session_id: uuid.UUID) -> bool:
        return session_id in self.finished

    def session_exercise_days(self, session_id: uuid.UUID) -> list[tuple[str, date]]:
        return sorted(
            {
                (s.logged.exercise, s.logged.local_date)
                for s in self.sets.values()
                if s.logged.session_id == session_id
            }
        )

    def _member_sets(self, member_id: uuid.UUID) -> list[FakeSet]:
        return [s for s in self.sets.values() if s.member_id == member_id]

    def sets_from(self, member_id: uuid.UUID, exercise: str, day: date) -> list[StoredSet]:
        chosen = [
            s.logged
            for s in self._member_sets(member_id)
            if s.logged.exercise == exercise and s.logged.local_date >= day
        ]
        chosen.sort(key=lambda s: (s.local_date, s.performed_at, s.set_id))
        return [
            StoredSet(
                day=s.local_date,
                lifted=LiftedSet(s.set_id, s.load_kg, s.reps, s.rpe, s.warmup),
                gym_id=s.gym_id,
                finished=s.session_id in self.finished,
            )
            for s in chosen
        ]

    def first_days(self, member_id: uuid.UUID) -> dict[str, date]:
        first: dict[str, date] = {}
        for s in self._member_sets(member_id):
            day = s.logged.local_date
            first[s.logged.exercise] = min(first.get(s.logged.exercise, day), day)
        return dict(sorted(first.items()))

    def training_days(self, member_id: uuid.UUID) -> set[date]:
        return {s.logged.local_date for s in self._member_sets(member_id)}

    def pattern_days(self, member_id: uuid.UUID, first: date, last: date) -> dict[str, int]:
        days: dict[str, set[date]] = defaultdict(set)
        for s in self._member_sets(member_id):
            if s.working and first <= s.logged.local_date <= last:
                assert s.pattern is not None
                days[s.pattern].add(s.logged.local_date)
        return {pattern: len(d) for pattern, d in days.items()}

    # --- exposures, standings and records

    def exercise_standing(self, member_id: uuid.UUID, exercise: str) -> ExerciseStanding | None:
        stored = self.stored_standings.get((member_id, exercise))
        return stored[1] if stored else None

    def save_standing(
        self,
        chain_id: uuid.UUID,
        member_id: uuid.UUID,
        exercise: str,
        standing: ExerciseStanding,
    ) -> None:
        # As the table: the chain is the one the row was created with.
        chain = self.stored_standings.get((member_id, exercise), (chain_id, standing))[0]
        self.stored_standings[(member_id, exercise)] = (chain, standing)

    def standings(
        self,
        member_id: uuid.UUID,
        chain_id: uuid.UUID,
        exercises: Collection[str] | None = None,
    ) -> dict[str, ExerciseStanding]:
        return {
            exercise: standing
            for (member, exercise), (chain, standing) in sorted(self.stored_standings.items())
            if member == member_id
            and chain == chain_id
            and (exercises is None or exercise in exercises)
        }

    def stalled_exercises(self, member_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
        stalled: dict[uuid.UUID, list[str]] = defaultdict(list)
        for (member, exercise), (_, standing) in sorted(
            self.stored_standings.items(), key=lambda item: item[0][1]
        ):
            if member in member_ids and standing.state.progression.stalled:
                stalled[member].append(exercise)
        return dict(stalled)

    def stall_dates(self, member_ids: Collection[uuid.UUID]) -> dict[tuple[uuid.UUID, str], date]:
        stalled = {
            (m, e) for m, exercises in self.stalled_exercises(member_ids).items() for e in exercises
        }
        found: dict[tuple[uuid.UUID, str], date] = {}
        for (m, e, d), outcome in self.exposures.items():
            if (m, e) in stalled and outcome.decision is Decision.STALL:
                found[(m, e)] = max(d, found.get((m, e), d))
        return found

    def trained_days(
        self, member_ids: Collection[uuid.UUID], since: date
    ) -> dict[uuid.UUID, set[date]]:
        days: dict[uuid.UUID, set[date]] = defaultdict(set)
        for m, _, d in self.exposures:
            if m in member_ids and d >= since:
                days[m].add(d)
        return dict(days)

    def records_since(
        self, member_ids: Collection[uuid.UUID], since: date
    ) -> dict[uuid.UUID, list[tuple[str, str, date]]]:
        found: dict[uuid.UUID, list[tuple[str, str, date]]] = defaultdict(list)
        for r in sorted(self.stored_records, key=lambda r: r.record.day):
            if r.member_id in member_ids and r.record.day >= since:
                found[r.member_id].append((r.exercise, r.record.kind.value, r.record.day))
        return dict(found)

    def trained_since(self, member_id: uuid.UUID, exercise: str, day: date) -> bool:
        return any(m == member_id and e == exercise and d >= day for m, e, d in self.exposures)

    def exposures_from(
        self, member_id: uuid.UUID, exercise: str, day: date
    ) -> list[StoredExposure]:
        return [
            StoredExposure(d, o.state_before, o.decision)
            for (m, e, d), o in sorted(self.exposures.items(), key=lambda item: item[0][2])
            if m == member_id and e == exercise and d >= day
        ]

    def save_exposures(
        self,
        chain_id: uuid.UUID,
        member_id: uuid.UUID,
        exercise: str,
        folded: Sequence[ExposureOutcome],
        gone: Collection[date],
    ) -> None:
        for day in gone:
            self.exposures.pop((member_id, exercise, day), None)
        for outcome in folded:
            self.exposures[(member_id, exercise, outcome.day)] = outcome

    def e1rm_series(self, member_id: uuid.UUID) -> dict[str, list[tuple[date, Decimal]]]:
        series: dict[str, list[tuple[date, Decimal]]] = defaultdict(list)
        for (m, exercise, day), o in sorted(self.exposures.items(), key=lambda item: item[0][2]):
            if m == member_id and o.best_e1rm_kg is not None:
                series[exercise].append((day, o.best_e1rm_kg))
        return dict(series)

    def _records_from(self, member_id: uuid.UUID, exercise: str, day: date) -> list[FakeRecord]:
        return [
            r
            for r in self.stored_records
            if r.member_id == member_id and r.exercise == exercise and r.record.day >= day
        ]

    def record_keys_from(
        self, member_id: uuid.UUID, exercise: str, day: date
    ) -> set[tuple[str, uuid.UUID]]:
        return {
            (r.record.kind.value, r.record.set_id)
            for r in self._records_from(member_id, exercise, day)
        }

    def replace_records(
        self,
        chain_id: uuid.UUID,
        member_id: uuid.UUID,
        exercise: str,
        day: date,
        records: Sequence[PersonalRecord],
    ) -> None:
        old = self._records_from(member_id, exercise, day)
        self.stored_records = [r for r in self.stored_records if r not in old]
        self.stored_records += [FakeRecord(member_id, exercise, r) for r in records]

    def records(self, member_id: uuid.UUID) -> dict[str, list[PersonalRecord]]:
        records: dict[str, list[PersonalRecord]] = defaultdict(list)
        mine = [r for r in self.stored_records if r.member_id == member_id]
        # sorted() is stable: within a day, the insertion order (the table's id).
        for r in sorted(mine, key=lambda r: r.record.day):
            records[r.exercise].append(r.record)
        return dict(records)

    def decisions(self, member_id: uuid.UUID) -> dict[str, list[tuple[date, Target]]]:
        history: dict[str, list[tuple[date, Target]]] = defaultdict(list)
        for (m, exercise, day), o in sorted(self.exposures.items(), key=lambda item: item[0][2]):
            if m == member_id and o.target is not None:
                history[exercise].append((day, o.target))
        return dict(history)

    # --- reference data

    def save_inventory(self, changed: ev.InventoryChanged) -> None:
        kept = self.gym_inventories.get(changed.gym_id)
        if kept is None or kept[0] < changed.version:
            self.gym_inventories[changed.gym_id] = (changed.version, changed.inventory)

    def inventories(self, gym_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, Inventory]:
        return {g: inv for g, (_, inv) in self.gym_inventories.items() if g in gym_ids}

    def save_own_exercise(self, added: ev.ExerciseAdded) -> None:
        key = (added.chain_id, added.slug)
        kept = self.own_exercises.get(key)
        if kept is None or kept[0] < added.version:
            own = KnownExercise(added.slug, added.pattern, added.equipment, added.load_step_kg)
            self.own_exercises[key] = (added.version, own)

    def own_exercise(self, chain_id: uuid.UUID, slug: str) -> KnownExercise | None:
        kept = self.own_exercises.get((chain_id, slug))
        return kept[1] if kept else None

    # --- weeks

    def week_on_protocol(self, member_id: uuid.UUID, monday: date) -> bool | None:
        week = self.counted_weeks.get((member_id, monday))
        return week.on_protocol if week else None

    def save_week(self, chain_id: uuid.UUID, member_id: uuid.UUID, week: CountedWeek) -> None:
        self.counted_weeks[(member_id, week.start)] = week

    def week_days(self, member_id: uuid.UUID, monday: date) -> dict[str, int]:
        week = self.counted_weeks.get((member_id, monday))
        return dict(week.days) if week else {}

    def weeks(self, member_id: uuid.UUID) -> list[CountedWeek]:
        return [w for (m, _), w in sorted(self.counted_weeks.items()) if m == member_id]

    def weeks_of(
        self, member_ids: Collection[uuid.UUID], monday: date
    ) -> dict[uuid.UUID, dict[str, int]]:
        return {
            m: dict(w.days)
            for (m, start), w in self.counted_weeks.items()
            if m in member_ids and start == monday
        }

    # --- milestones

    def protocol_weeks(self, member_id: uuid.UUID, since: date) -> list[date]:
        return [w.start for w in self.weeks(member_id) if w.on_protocol and w.start >= since]

    def week_training(
        self, member_id: uuid.UUID, monday: date
    ) -> tuple[dict[date, set[str]], set[date]]:
        patterns: dict[date, set[str]] = defaultdict(set)
        finished: set[date] = set()
        for s in self._member_sets(member_id):
            day = s.logged.local_date
            if s.working and monday <= day <= monday + timedelta(days=6):
                assert s.pattern is not None
                patterns[day].add(s.pattern)
                if s.logged.session_id in self.finished:
                    finished.add(day)
        return dict(patterns), finished

    def first_finished_day(self, member_id: uuid.UUID, on_or_after: date = date.min) -> date | None:
        with_sets = {s.logged.session_id for s in self.sets.values()}
        days = [
            day
            for session_id, (m, day) in self.finished.items()
            if m == member_id and day >= on_or_after and session_id in with_sets
        ]
        return min(days, default=None)

    def best_e1rms(
        self, member_id: uuid.UUID, first: date, last: date
    ) -> dict[str, dict[str, Decimal]]:
        result: dict[str, dict[str, Decimal]] = {}
        for (m, exercise, day), o in self.exposures.items():
            stored = self.stored_standings.get((m, exercise))
            pattern = stored[1].pattern if stored else None
            best = o.best_e1rm_kg
            if m != member_id or not first <= day <= last or best is None or pattern is None:
                continue
            lifts = result.setdefault(pattern, {})
            lifts[exercise] = max(lifts.get(exercise, best), best)
        return result

    def milestones(self, member_id: uuid.UUID) -> dict[Milestone, Reached]:
        mine = sorted(self.reached[member_id].items(), key=lambda item: (item[1][0].on, item[1][1]))
        return {milestone: reached for milestone, (reached, _) in mine}

    def save_milestones(
        self, chain_id: uuid.UUID, member_id: uuid.UUID, changes: MilestoneChanges
    ) -> None:
        mine = self.reached[member_id]
        for milestone in changes.lost:
            del mine[milestone]
        for milestone, reached in changes.moved.items():
            mine[milestone] = (reached, mine[milestone][1])
        for milestone, reached in changes.reached.items():
            mine[milestone] = (reached, next(self._created))

    # --- erasure

    def erased(self, member_id: uuid.UUID) -> bool:
        return member_id in self.erased_members

    def erase_member(self, member_id: uuid.UUID) -> int:
        """Delete every row of the member; how many went."""
        tables: list[tuple[dict[Any, Any], Callable[[Any, Any], bool]]] = [
            (self.streams, lambda key, _: key[0] == member_id),
            (self.stored_standings, lambda key, _: key[0] == member_id),
            (self.counted_weeks, lambda key, _: key[0] == member_id),
            (self.exposures, lambda key, _: key[0] == member_id),
            (self.members, lambda key, _: key == member_id),
            (self.reached, lambda key, _: key == member_id),
            (self.assignments, lambda _, row: row.member_id == member_id),
            (self.sets, lambda _, row: row.member_id == member_id),
            (self.finished, lambda _, row: row[0] == member_id),
        ]
        gone = 0
        for table, theirs in tables:
            for key in [key for key, row in table.items() if theirs(key, row)]:
                del table[key]
                gone += 1
        kept = [r for r in self.stored_records if r.member_id != member_id]
        gone += len(self.stored_records) - len(kept)
        self.stored_records = kept
        self.erased_members.add(member_id)
        return gone
