"""The program repository in memory, for the handler tests: the same methods, no database.

It subclasses the `ProgramRepository` protocol, so mypy holds it to the real one's
signatures. It hands out the service's own row classes, filled in as the database would
fill them (ids, creation times), in the same orders. It is not transactional: a test of a
refused request looks at what the unit of work committed (outbox, replies, commits).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from myokine.catalog import CatalogExercise, Equipment
from myokine.patterns import Pattern
from program_service.domain.plans import VersionContent
from program_service.repository import (
    Assignment,
    Exercise,
    Program,
    ProgramRepository,
    ProgramVersion,
)


class FakeProgramRepository(ProgramRepository):
    """`ProgramRepository` on lists and dicts."""

    def __init__(self) -> None:
        self.chains: set[uuid.UUID] = set()
        self.exercises: list[Exercise] = []
        self.programs: dict[uuid.UUID, Program] = {}
        self.versions: dict[tuple[uuid.UUID, int], ProgramVersion] = {}
        self.assignments: list[Assignment] = []
        self.member_seqs: dict[uuid.UUID, int] = {}
        self.erased_members: set[uuid.UUID] = set()
        self._last_stamp = datetime.now(UTC)

    def _stamp(self) -> datetime:
        """The creation time of a new row: now, and always after the previous row's."""
        self._last_stamp = max(datetime.now(UTC), self._last_stamp + timedelta(microseconds=1))
        return self._last_stamp

    def claim_chain(self, chain_id: uuid.UUID) -> bool:
        """Record the chain; True only the first time."""
        if chain_id in self.chains:
            return False
        self.chains.add(chain_id)
        return True

    def add_catalog(self, chain_id: uuid.UUID, exercises: Sequence[CatalogExercise]) -> None:
        now = self._stamp()
        self.exercises.extend(
            Exercise(
                id=uuid.uuid4(),
                chain_id=chain_id,
                slug=item.slug,
                name=item.name,
                pattern=str(item.pattern),
                equipment=str(item.equipment),
                load_step_kg=item.load_step_kg,
                bodyweight=item.bodyweight,
                builtin=True,
                version=1,
                position=position,
                created_by=None,
                created_at=now,
            )
            for position, item in enumerate(exercises)
        )

    def catalog(self, chain_id: uuid.UUID) -> list[Exercise]:
        mine = [row for row in self.exercises if row.chain_id == chain_id]
        return sorted(mine, key=lambda row: (not row.builtin, row.position, row.created_at))

    def exercises_by_slug(self, chain_id: uuid.UUID, slugs: set[str]) -> dict[str, Exercise]:
        """The chain's exercises with these slugs, by slug."""
        return {row.slug: row for row in self.catalog(chain_id) if row.slug in slugs}

    def exercise_names(self, chain_id: uuid.UUID) -> dict[str, str]:
        return {row.slug: row.name for row in self.catalog(chain_id)}

    def add_exercise(
        self,
        *,
        chain_id: uuid.UUID,
        slug: str,
        name: str,
        pattern: Pattern,
        equipment: Equipment,
        load_step_kg: Decimal,
        bodyweight: bool,
        created_by: str,
    ) -> Exercise | None:
        if slug in self.exercises_by_slug(chain_id, {slug}):
            return None
        row = Exercise(
            id=uuid.uuid4(),
            chain_id=chain_id,
            slug=slug,
            name=name,
            pattern=str(pattern),
            equipment=str(equipment),
            load_step_kg=load_step_kg,
            bodyweight=bodyweight,
            builtin=False,
            version=1,
            position=0,
            created_by=created_by,
            created_at=self._stamp(),
        )
        self.exercises.append(row)
        return row

    def find_exercise(
        self, chain_id: uuid.UUID, slug: str, *, for_update: bool = False
    ) -> Exercise | None:
        return self.exercises_by_slug(chain_id, {slug}).get(slug)

    def own_exercises(self) -> list[Exercise]:
        own = [row for row in self.exercises if not row.builtin]
        return sorted(own, key=lambda row: (row.chain_id, row.created_at, row.slug))

    def add_program(
        self,
        chain_id: uuid.UUID,
        content: VersionContent,
        *,
        ready_made: bool,
        created_by: str | None,
    ) -> tuple[Program, ProgramVersion]:
        now = self._stamp()
        program = Program(
            id=uuid.uuid4(),
            chain_id=chain_id,
            current_version=1,
            ready_made=ready_made,
            created_at=now,
            updated_at=now,
        )
        self.programs[program.id] = program
        version = self._version(program.id, 1, content, created_by)
        return program, version

    def add_version(
        self, program_id: uuid.UUID, version: int, content: VersionContent, *, created_by: str
    ) -> ProgramVersion:
        return self._version(program_id, version, content, created_by)

    def _version(
        self,
        program_id: uuid.UUID,
        version: int,
        content: VersionContent,
        created_by: str | None,
    ) -> ProgramVersion:
        row = ProgramVersion(program_id=program_id, version=version, created_at=self._stamp())
        row.set_content(content, created_by=created_by)
        self.versions[(program_id, version)] = row
        return row

    def find_program(
        self, chain_id: uuid.UUID, program_id: uuid.UUID, *, for_update: bool = False
    ) -> Program | None:
        """One program of the chain."""
        program = self.programs.get(program_id)
        return program if program is not None and program.chain_id == chain_id else None

    def find_version(self, program_id: uuid.UUID, version: int) -> ProgramVersion | None:
        return self.versions.get((program_id, version))

    def versions_of(self, program_id: uuid.UUID) -> list[ProgramVersion]:
        mine = [row for (owner, _), row in self.versions.items() if owner == program_id]
        return sorted(mine, key=lambda row: row.version, reverse=True)

    def programs_with_current_version(
        self, chain_id: uuid.UUID
    ) -> list[tuple[Program, ProgramVersion]]:
        """The chain's programs with their current versions, ready-made first, then by name."""
        pairs = [
            (program, self.versions[(program.id, program.current_version)])
            for program in self.programs.values()
            if program.chain_id == chain_id
        ]
        return sorted(
            pairs, key=lambda pair: (not pair[0].ready_made, pair[1].name, pair[0].created_at)
        )

    def version_was_assigned(self, program_id: uuid.UUID, version: int) -> bool:
        """Whether any assignment refers to this version."""
        return any(
            (row.program_id, row.program_version) == (program_id, version)
            for row in self.assignments
        )

    def next_member_seq(self, member_id: uuid.UUID) -> int:
        self.member_seqs[member_id] = self.member_seqs.get(member_id, 0) + 1
        return self.member_seqs[member_id]

    def add_assignment(
        self,
        *,
        chain_id: uuid.UUID,
        member_id: uuid.UUID,
        program_id: uuid.UUID,
        program_version: int,
        start_date: date,
        weekdays: list[int],
        starting_loads: dict[str, Decimal],
        assigned_by: str,
    ) -> Assignment:
        """A new active assignment; refuses a second active one, as the unique index does."""
        assert self.active_assignment(chain_id, member_id) is None, "one active per member"
        row = Assignment(
            id=uuid.uuid4(),
            chain_id=chain_id,
            member_id=member_id,
            program_id=program_id,
            program_version=program_version,
            start_date=start_date,
            weekdays=weekdays,
            starting_loads={slug: str(kg) for slug, kg in starting_loads.items()},
            assigned_by=assigned_by,
            created_at=self._stamp(),
            ended_at=None,
            ended_by=None,
            last_day_index=None,
            last_trained_on=None,
            last_session_id=None,
            last_session_seq=None,
        )
        self.assignments.append(row)
        return row

    def end_assignment(self, assignment: Assignment, *, ended_at: datetime, ended_by: str) -> None:
        """End an assignment."""
        assignment.ended_at = ended_at
        assignment.ended_by = ended_by

    def active_assignment(self, chain_id: uuid.UUID, member_id: uuid.UUID) -> Assignment | None:
        return next(
            (
                row
                for row in self.assignments
                if (row.chain_id, row.member_id) == (chain_id, member_id) and row.ended_at is None
            ),
            None,
        )

    def find_assignment(
        self, assignment_id: uuid.UUID, *, for_update: bool = False
    ) -> Assignment | None:
        return next((row for row in self.assignments if row.id == assignment_id), None)

    def assignment_history(
        self, chain_id: uuid.UUID, member_id: uuid.UUID
    ) -> list[tuple[Assignment, ProgramVersion]]:
        """The member's assignments with their versions, newest first."""
        mine = [
            row
            for row in self.assignments
            if (row.chain_id, row.member_id) == (chain_id, member_id)
        ]
        return [
            (row, self.versions[(row.program_id, row.program_version)])
            for row in sorted(mine, key=lambda row: row.created_at, reverse=True)
        ]

    def active_assignments(
        self, chain_id: uuid.UUID, member_ids: list[uuid.UUID]
    ) -> list[tuple[Assignment, ProgramVersion]]:
        """The active assignments of these members."""
        wanted = set(member_ids)
        return [
            (row, self.versions[(row.program_id, row.program_version)])
            for row in self.assignments
            if row.chain_id == chain_id and row.member_id in wanted and row.ended_at is None
        ]

    def erased(self, member_id: uuid.UUID) -> bool:
        return member_id in self.erased_members

    def erase_member(self, member_id: uuid.UUID) -> int:
        """Delete the member's assignments and sequence; how many rows went."""
        gone = [a for a in self.assignments if a.member_id == member_id]
        self.assignments = [a for a in self.assignments if a.member_id != member_id]
        had_seq = self.member_seqs.pop(member_id, None) is not None
        self.erased_members.add(member_id)
        return len(gone) + had_seq
