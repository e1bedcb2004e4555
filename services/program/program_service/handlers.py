"""The program service's use cases: one function per command or event, one transaction each."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import TypeVar

from pydantic import BaseModel
from sqlalchemy.orm import Session

from myokine.catalog import DEFAULT_CATALOG, DEFAULT_LOAD_STEP_KG, Equipment
from myokine.db import transaction
from myokine.events import (
    AssignmentEnded,
    PlannedExercise,
    ProgramAssigned,
    SessionFinished,
)
from myokine.idempotency import IdempotentRequest
from myokine.inbox import first_delivery
from myokine.internal_auth import Caller, require_staff
from myokine.outbox import add_event
from myokine.patterns import Pattern
from myokine.problems import Conflict, Forbidden, InvalidInput, NotFound
from myokine.request_context import current_request_id
from program_service import repository as repo
from program_service.domain import conformance, rotation
from program_service.domain.plans import Plan, Slot, TrainingDay
from program_service.domain.ready_made import READY_MADE
from program_service.domain.slugs import slugify
from program_service.idempotency import claim, remember
from program_service.problems import NoAssignment, NonConformingProgram
from program_service.runtime import runtime
from program_service.schemas import (
    AssignmentIn,
    AssignmentOut,
    CheckOut,
    DayOut,
    ExerciseIn,
    ExerciseOut,
    ProgramIn,
    ProgramOut,
    SlotOut,
    TodayExercise,
    TodayOut,
    ViolationOut,
)

# Assisted exercises count assistance as a negative load (PROTOCOL.md §5).
MIN_LOAD_KG, MIN_ASSISTED_LOAD_KG, MAX_LOAD_KG = Decimal(0), Decimal(-200), Decimal(1000)


Answer = TypeVar("Answer", bound=BaseModel)


def _now() -> datetime:
    return datetime.now(UTC)


# --- the chain's starting content --------------------------------------------------------


def _ensure_chain(session: Session, chain_id: uuid.UUID) -> None:
    """Seed the chain's catalog and ready-made programs on its first call, exactly once."""
    if not repo.claim_chain(session, chain_id):
        return
    now = _now()
    session.add_all(
        repo.Exercise(
            chain_id=chain_id,
            slug=item.slug,
            name=item.name,
            pattern=str(item.pattern),
            equipment=str(item.equipment),
            load_step_kg=item.load_step_kg,
            bodyweight=item.bodyweight,
            builtin=True,
            position=position,
            created_at=now,
        )
        for position, item in enumerate(DEFAULT_CATALOG)
    )
    for plan in READY_MADE:
        program = repo.Program(chain_id=chain_id, current_version=1, ready_made=True)
        session.add(program)
        session.flush()
        session.add(_new_version(program.id, 1, plan, None, created_by=None))


def _new_version(
    program_id: uuid.UUID, version: int, plan: Plan, reason: str | None, *, created_by: str | None
) -> repo.ProgramVersion:
    violations = conformance.check(plan)
    return repo.ProgramVersion(
        program_id=program_id,
        version=version,
        name=plan.name,
        sessions_per_week=plan.sessions_per_week,
        days=repo.days_snapshot(plan),
        conforms=not violations,
        violations=[_violation_out(v).model_dump(mode="json") for v in violations],
        # A reason only means something on a program that needs one.
        exception_reason=reason if violations else None,
        created_by=created_by,
    )


def _write(
    caller: Caller,
    idempotency: IdempotentRequest | None,
    answer: type[Answer],
    work: Callable[[Session], Answer],
) -> Answer:
    """Run one write in one transaction, honouring its Idempotency-Key.

    A retried request (same key, same request) gets the first answer without doing the
    work again; the answer is stored in the transaction that did the work.
    """
    with transaction(runtime.sessions) as session:
        _ensure_chain(session, caller.chain_id)
        if idempotency is not None:
            earlier = claim(session, caller.chain_id, idempotency)
            if earlier is not None:
                return answer.model_validate(earlier)
        result = work(session)
        if idempotency is not None:
            remember(session, caller.chain_id, idempotency, result.model_dump(mode="json"))
        return result


# --- catalog -----------------------------------------------------------------------------


def _exercise_out(row: repo.Exercise) -> ExerciseOut:
    return ExerciseOut(
        slug=row.slug,
        name=row.name,
        pattern=Pattern(row.pattern),
        equipment=Equipment(row.equipment),
        load_step_kg=row.load_step_kg,
        bodyweight=row.bodyweight,
        builtin=row.builtin,
    )


def list_exercises(caller: Caller) -> list[ExerciseOut]:
    """The caller's chain's catalog (seeded on the chain's first call)."""
    with transaction(runtime.sessions) as session:
        _ensure_chain(session, caller.chain_id)
        return [_exercise_out(row) for row in repo.catalog(session, caller.chain_id)]


def add_exercise(
    caller: Caller, new: ExerciseIn, idempotency: IdempotentRequest | None = None
) -> ExerciseOut:
    """A chain admin adds an exercise to the chain's catalog; its slug is stable from then on."""
    if caller.role not in ("chain_admin", "system"):
        raise Forbidden("Only a chain admin adds exercises to the catalog.")
    slug = new.slug or slugify(new.name)
    if not slug:
        raise InvalidInput(
            "The name has no letters or digits to make a slug from.",
            errors=[{"field": "slug", "message": "give a slug, or a name with letters"}],
        )

    def work(session: Session) -> ExerciseOut:
        row = repo.insert_exercise(
            session,
            chain_id=caller.chain_id,
            slug=slug,
            name=new.name,
            pattern=str(new.pattern),
            equipment=str(new.equipment),
            load_step_kg=new.load_step_kg or DEFAULT_LOAD_STEP_KG[new.equipment],
            bodyweight=(
                new.bodyweight
                if new.bodyweight is not None
                else new.equipment in (Equipment.BODYWEIGHT, Equipment.ASSISTED)
            ),
            created_by=caller.sub,
        )
        if row is None:
            raise Conflict(f"The catalog already has an exercise '{slug}'.", slug=slug)
        return _exercise_out(row)

    return _write(caller, idempotency, ExerciseOut, work)


# --- programs ----------------------------------------------------------------------------


def _violation_out(v: conformance.Violation) -> ViolationOut:
    return ViolationOut(
        pattern=v.pattern,
        rule=str(v.rule),
        day=v.day,
        detail=v.detail,
        window=list(v.window),
        count=v.count,
        min=v.minimum,
        max=v.maximum,
        exercise=v.exercise,
    )


def _plan_of(session: Session, chain_id: uuid.UUID, draft: ProgramIn) -> Plan:
    """The plan a trainer wrote, with each exercise's pattern from the chain's catalog."""
    slugs = {slot.exercise for day in draft.days for slot in day.exercises}
    known = repo.exercises_by_slug(session, chain_id, slugs)
    errors = [
        {
            "field": f"days.{d}.exercises.{s}.exercise",
            "message": f"unknown exercise '{slot.exercise}'",
        }
        for d, day in enumerate(draft.days)
        for s, slot in enumerate(day.exercises)
        if slot.exercise not in known
    ]
    if errors:
        raise InvalidInput("The program names exercises the catalog does not have.", errors=errors)
    return Plan(
        name=draft.name,
        sessions_per_week=draft.sessions_per_week,
        days=tuple(
            TrainingDay(
                name=day.name,
                slots=tuple(
                    Slot(
                        exercise=slot.exercise,
                        pattern=Pattern(known[slot.exercise].pattern),
                        sets=slot.sets,
                        rep_min=slot.rep_min,
                        rep_max=slot.rep_max,
                        rest_seconds=slot.rest_seconds,
                        notes=slot.notes,
                    )
                    for slot in day.exercises
                ),
            )
            for day in draft.days
        ),
    )


def _refuse_unless_excepted(plan: Plan, reason: str | None) -> None:
    violations = conformance.check(plan)
    if violations and not reason:
        raise NonConformingProgram(
            f"The program breaks the protocol in {len(violations)} way(s); fix it, or save it "
            "as an exception with an `exception_reason`.",
            violations=[_violation_out(v).model_dump(mode="json") for v in violations],
        )


def _program_out(
    session: Session, chain_id: uuid.UUID, program: repo.Program, version: repo.ProgramVersion
) -> ProgramOut:
    return _program_view(program, version, repo.exercise_names(session, chain_id))


def _program_view(
    program: repo.Program, version: repo.ProgramVersion, names: dict[str, str]
) -> ProgramOut:
    return ProgramOut(
        id=program.id,
        version=version.version,
        current_version=program.current_version,
        name=version.name,
        sessions_per_week=version.sessions_per_week,
        days=[
            DayOut(
                name=day["name"],
                exercises=[
                    SlotOut(
                        exercise=slot["exercise"],
                        name=names.get(slot["exercise"], slot["exercise"]),
                        pattern=Pattern(slot["pattern"]),
                        sets=slot["sets"],
                        rep_min=slot["rep_min"],
                        rep_max=slot["rep_max"],
                        rest_seconds=slot["rest_seconds"],
                        notes=slot["notes"],
                    )
                    for slot in day["exercises"]
                ],
            )
            for day in version.days
        ],
        conforms=version.conforms,
        violations=[ViolationOut.model_validate(v) for v in version.violations],
        exception_reason=version.exception_reason,
        ready_made=program.ready_made,
        created_at=program.created_at,
        updated_at=program.updated_at,
    )


def check_program(caller: Caller, draft: ProgramIn) -> CheckOut:
    """The conformance check of a program, without saving it."""
    with transaction(runtime.sessions) as session:
        _ensure_chain(session, caller.chain_id)
        plan = _plan_of(session, caller.chain_id, draft)
    violations = conformance.check(plan)
    return CheckOut(conforms=not violations, violations=[_violation_out(v) for v in violations])


def create_program(
    caller: Caller, draft: ProgramIn, idempotency: IdempotentRequest | None = None
) -> ProgramOut:
    """Save a new program; one that breaks the protocol needs an exception reason."""
    require_staff(caller)

    def work(session: Session) -> ProgramOut:
        plan = _plan_of(session, caller.chain_id, draft)
        _refuse_unless_excepted(plan, draft.exception_reason)
        program = repo.Program(chain_id=caller.chain_id, current_version=1, ready_made=False)
        session.add(program)
        session.flush()
        version = _new_version(program.id, 1, plan, draft.exception_reason, created_by=caller.sub)
        session.add(version)
        session.flush()
        return _program_out(session, caller.chain_id, program, version)

    return _write(caller, idempotency, ProgramOut, work)


def update_program(
    caller: Caller,
    program_id: uuid.UUID,
    draft: ProgramIn,
    idempotency: IdempotentRequest | None = None,
) -> ProgramOut:
    """Replace a program's content.

    A version that was ever assigned stays as it is (its members keep it until they are
    re-assigned), so the edit becomes a new version; an unassigned version is edited in
    place. An edit that changes nothing changes nothing.
    """
    require_staff(caller)

    def work(session: Session) -> ProgramOut:
        program = repo.find_program(session, caller.chain_id, program_id, for_update=True)
        if program is None:
            raise NotFound(f"No program {program_id}.")
        plan = _plan_of(session, caller.chain_id, draft)
        _refuse_unless_excepted(plan, draft.exception_reason)
        current = repo.find_version(session, program.id, program.current_version)
        assert current is not None, "a program always has its current version"
        edited = _new_version(
            program.id, current.version, plan, draft.exception_reason, created_by=caller.sub
        )
        if (edited.name, edited.sessions_per_week, edited.days, edited.exception_reason) == (
            current.name,
            current.sessions_per_week,
            current.days,
            current.exception_reason,
        ):
            return _program_out(session, caller.chain_id, program, current)
        if repo.version_was_assigned(session, program.id, current.version):
            edited.version = current.version + 1
            session.add(edited)
            program.current_version = edited.version
            version = edited
        else:
            current.name = edited.name
            current.sessions_per_week = edited.sessions_per_week
            current.days = edited.days
            current.conforms = edited.conforms
            current.violations = edited.violations
            current.exception_reason = edited.exception_reason
            current.created_by = caller.sub
            version = current
        program.updated_at = _now()
        session.flush()
        return _program_out(session, caller.chain_id, program, version)

    return _write(caller, idempotency, ProgramOut, work)


def get_program(caller: Caller, program_id: uuid.UUID, version: int | None = None) -> ProgramOut:
    """One program of the chain, at its current version or at `version`."""
    with transaction(runtime.sessions) as session:
        _ensure_chain(session, caller.chain_id)
        program = repo.find_program(session, caller.chain_id, program_id)
        if program is None:
            raise NotFound(f"No program {program_id}.")
        row = repo.find_version(session, program.id, version or program.current_version)
        if row is None:
            raise NotFound(f"Program {program_id} has no version {version}.")
        return _program_out(session, caller.chain_id, program, row)


def program_versions(caller: Caller, program_id: uuid.UUID) -> list[ProgramOut]:
    """Every version of a program, newest first."""
    with transaction(runtime.sessions) as session:
        _ensure_chain(session, caller.chain_id)
        program = repo.find_program(session, caller.chain_id, program_id)
        if program is None:
            raise NotFound(f"No program {program_id}.")
        names = repo.exercise_names(session, caller.chain_id)
        return [
            _program_view(program, version, names)
            for version in repo.versions_of(session, program.id)
        ]


def list_programs(caller: Caller) -> list[ProgramOut]:
    """The chain's programs at their current versions, the ready-made ones first."""
    with transaction(runtime.sessions) as session:
        _ensure_chain(session, caller.chain_id)
        names = repo.exercise_names(session, caller.chain_id)
        return [
            _program_view(program, version, names)
            for program, version in repo.programs_with_current_version(session, caller.chain_id)
        ]


# --- assignments -------------------------------------------------------------------------


def _assignment_out(assignment: repo.Assignment, version: repo.ProgramVersion) -> AssignmentOut:
    last_day = (
        version.days[assignment.last_day_index]["name"]
        if assignment.last_day_index is not None
        else None
    )
    return AssignmentOut(
        id=assignment.id,
        member_id=assignment.member_id,
        program_id=assignment.program_id,
        program_version=assignment.program_version,
        program_name=version.name,
        start_date=assignment.start_date,
        weekdays=assignment.weekdays,
        starting_loads={slug: Decimal(kg) for slug, kg in assignment.starting_loads.items()},
        exception_reason=version.exception_reason,
        active=assignment.ended_at is None,
        assigned_at=assignment.created_at,
        assigned_by=assignment.assigned_by,
        ended_at=assignment.ended_at,
        ended_by=assignment.ended_by,
        last_trained_day=last_day,
        last_trained_on=assignment.last_trained_on,
    )


def _check_starting_loads(
    loads: dict[str, Decimal], plan: Plan, catalog: dict[str, repo.Exercise]
) -> None:
    in_plan = {slot.exercise for day in plan.days for slot in day.slots}
    errors = []
    for slug, kg in loads.items():
        field = f"starting_loads.{slug}"
        if slug not in in_plan:
            errors.append({"field": field, "message": "the program has no such exercise"})
            continue
        assisted = catalog[slug].equipment == Equipment.ASSISTED
        low = MIN_ASSISTED_LOAD_KG if assisted else MIN_LOAD_KG
        if not low <= kg <= MAX_LOAD_KG:
            errors.append(
                {"field": field, "message": f"a load must lie in {low}..{MAX_LOAD_KG} kg"}
            )
    if errors:
        raise InvalidInput("Some starting loads are not usable.", errors=errors)


def _end(session: Session, caller: Caller, assignment: repo.Assignment, seq: int) -> None:
    """End an assignment and emit `AssignmentEnded` with the member's sequence number `seq`."""
    assignment.ended_at = _now()
    assignment.ended_by = caller.sub
    # Flushed now so the new active assignment does not collide with it in the unique index.
    session.flush()
    add_event(
        session,
        runtime.tables.outbox,
        AssignmentEnded(
            chain_id=caller.chain_id,
            member_id=assignment.member_id,
            seq=seq,
            request_id=current_request_id(),
            assignment_id=assignment.id,
        ),
    )


def _planned_exercises(
    plan: Plan, catalog: dict[str, repo.Exercise], loads: dict[str, Decimal]
) -> list[PlannedExercise]:
    """Each exercise of the plan once, as first prescribed, for progression's targets."""
    planned: dict[str, PlannedExercise] = {}
    for day in plan.days:
        for slot in day.slots:
            if slot.exercise in planned:
                continue
            row = catalog[slot.exercise]
            planned[slot.exercise] = PlannedExercise(
                exercise=slot.exercise,
                pattern=str(slot.pattern),
                equipment=row.equipment,
                load_step_kg=row.load_step_kg,
                bodyweight=row.bodyweight,
                sets=slot.sets,
                rep_min=slot.rep_min,
                rep_max=slot.rep_max,
                starting_load_kg=loads.get(slot.exercise),
            )
    return list(planned.values())


def assign_program(
    caller: Caller,
    member_id: uuid.UUID,
    request: AssignmentIn,
    idempotency: IdempotentRequest | None = None,
) -> AssignmentOut:
    """Assign a program version to a member, ending their active assignment if they have one.

    Emits `AssignmentEnded` for the replaced assignment, then `ProgramAssigned`, numbered
    in order for the member.
    """
    require_staff(caller)

    def work(session: Session) -> AssignmentOut:
        # Locked so that a concurrent edit sees this assignment and makes a new version
        # instead of changing the one being assigned.
        program = repo.find_program(session, caller.chain_id, request.program_id, for_update=True)
        if program is None:
            raise NotFound(f"No program {request.program_id}.")
        version = repo.find_version(
            session, program.id, request.program_version or program.current_version
        )
        if version is None:
            raise NotFound(f"Program {program.id} has no version {request.program_version}.")
        plan = repo.plan_of(version)
        slugs = {slot.exercise for day in plan.days for slot in day.slots}
        catalog = repo.exercises_by_slug(session, caller.chain_id, slugs)
        _check_starting_loads(request.starting_loads, plan, catalog)

        # Taking the member's sequence row first serializes concurrent assignments.
        seq = repo.next_member_seq(session, member_id)
        current = repo.active_assignment(session, caller.chain_id, member_id, for_update=True)
        if current is not None:
            _end(session, caller, current, seq)
            seq = repo.next_member_seq(session, member_id)
        assignment = repo.Assignment(
            chain_id=caller.chain_id,
            member_id=member_id,
            program_id=program.id,
            program_version=version.version,
            start_date=request.start_date,
            weekdays=request.weekdays,
            starting_loads={slug: str(kg) for slug, kg in request.starting_loads.items()},
            assigned_by=caller.sub,
        )
        session.add(assignment)
        session.flush()
        add_event(
            session,
            runtime.tables.outbox,
            ProgramAssigned(
                chain_id=caller.chain_id,
                member_id=member_id,
                seq=seq,
                request_id=current_request_id(),
                assignment_id=assignment.id,
                program_id=program.id,
                program_version=version.version,
                start_date=request.start_date,
                weekdays=request.weekdays,
                exercises=_planned_exercises(plan, catalog, request.starting_loads),
            ),
        )
        return _assignment_out(assignment, version)

    return _write(caller, idempotency, AssignmentOut, work)


def end_assignment(
    caller: Caller, member_id: uuid.UUID, idempotency: IdempotentRequest | None = None
) -> AssignmentOut:
    """End the member's active assignment (history keeps it); emits `AssignmentEnded`."""
    require_staff(caller)

    def work(session: Session) -> AssignmentOut:
        seq = repo.next_member_seq(session, member_id)
        current = repo.active_assignment(session, caller.chain_id, member_id, for_update=True)
        if current is None:
            raise NoAssignment(f"Member {member_id} has no active assignment.")
        _end(session, caller, current, seq)
        version = repo.find_version(session, current.program_id, current.program_version)
        assert version is not None
        return _assignment_out(current, version)

    return _write(caller, idempotency, AssignmentOut, work)


def assignment_history(caller: Caller, member_id: uuid.UUID) -> list[AssignmentOut]:
    """The member's assignments, newest first."""
    require_staff(caller)
    with transaction(runtime.sessions) as session:
        _ensure_chain(session, caller.chain_id)
        return [
            _assignment_out(assignment, version)
            for assignment, version in repo.assignment_history(session, caller.chain_id, member_id)
        ]


def _may_see_member(caller: Caller, member_id: uuid.UUID) -> None:
    if caller.is_staff or caller.role == "kiosk":
        return
    if caller.role == "member" and caller.sub == str(member_id):
        return
    raise Forbidden("A member sees only their own plan.")


def todays_plan(caller: Caller, member_id: uuid.UUID) -> TodayOut:
    """The member's next session: the day of the rotation after the last day trained."""
    _may_see_member(caller, member_id)
    with transaction(runtime.sessions) as session:
        _ensure_chain(session, caller.chain_id)
        assignment = repo.active_assignment(session, caller.chain_id, member_id)
        if assignment is None:
            raise NoAssignment(f"Member {member_id} has no active assignment.")
        version = repo.find_version(session, assignment.program_id, assignment.program_version)
        assert version is not None
        plan = repo.plan_of(version)
        index = rotation.next_day_index(assignment.last_day_index, len(plan.days))
        day = plan.days[index]
        catalog = repo.exercises_by_slug(
            session, caller.chain_id, {slot.exercise for slot in day.slots}
        )
        return TodayOut(
            assignment_id=assignment.id,
            program_id=assignment.program_id,
            program_version=assignment.program_version,
            program_name=version.name,
            exception_reason=version.exception_reason,
            day=day.name,
            day_index=index,
            day_count=len(plan.days),
            last_trained_day=(
                plan.days[assignment.last_day_index].name
                if assignment.last_day_index is not None
                else None
            ),
            last_trained_on=assignment.last_trained_on,
            exercises=[
                TodayExercise(
                    exercise=slot.exercise,
                    name=catalog[slot.exercise].name,
                    pattern=slot.pattern,
                    equipment=Equipment(catalog[slot.exercise].equipment),
                    load_step_kg=catalog[slot.exercise].load_step_kg,
                    bodyweight=catalog[slot.exercise].bodyweight,
                    sets=slot.sets,
                    rep_min=slot.rep_min,
                    rep_max=slot.rep_max,
                    rest_seconds=slot.rest_seconds,
                    notes=slot.notes,
                    starting_load_kg=(
                        Decimal(assignment.starting_loads[slot.exercise])
                        if slot.exercise in assignment.starting_loads
                        else None
                    ),
                )
                for slot in day.slots
            ],
        )


# --- events ------------------------------------------------------------------------------


def on_session_finished(event: SessionFinished) -> None:
    """Move the member's rotation to the day they trained, if the session is the latest.

    The session belongs to the assignment it names, or, for an event without one, to the
    member's active assignment if that existed when the session finished. Its day is the
    `program_day` it names; a session that names none was trained from the plan the kiosk
    showed, which is the day after the last one trained. Sessions without sets, and days
    the program does not have, leave the rotation as it is.
    """
    with transaction(runtime.sessions) as session:
        if not first_delivery(session, runtime.tables.inbox, event):
            return
        if event.set_count == 0:
            return
        if event.assignment_id is not None:
            assignment = repo.find_assignment(session, event.assignment_id, for_update=True)
            if assignment is None or assignment.member_id != event.member_id:
                return
        else:
            assignment = repo.active_assignment(
                session, event.chain_id, event.member_id, for_update=True
            )
            if assignment is None or event.occurred_at < assignment.created_at:
                return
        if not rotation.is_newer_session(event.seq, assignment.last_session_seq):
            return
        version = repo.find_version(session, assignment.program_id, assignment.program_version)
        assert version is not None
        plan = repo.plan_of(version)
        if event.program_day is None:
            index = rotation.next_day_index(assignment.last_day_index, len(plan.days))
        else:
            found = plan.day_index(event.program_day)
            if found is None:
                return
            index = found
        assignment.last_day_index = index
        assignment.last_trained_on = event.local_date
        assignment.last_session_id = event.session_id
        assignment.last_session_seq = event.seq
