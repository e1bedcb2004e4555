"""The logging service's use cases: one function per command, one transaction each.

Every write of a member claims its Idempotency-Key (scoped to the member within the
chain), then locks the member's sequence row, then does its work: so that member's
writes run one at a time, events get gap-free sequence numbers in commit order, and a
set and the session it opens cannot race another set of the same member. A member
erased here (`MemberErased`, under the same lock) is not found by any later write.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from logging_service.callers import gym_of, require_access
from logging_service.domain.changes import Correction, apply_correction, may_change
from logging_service.domain.sessions import IDLE_LIMIT, OpenSession, continues, is_idle, local_date
from logging_service.domain.sets import (
    InvalidSet,
    SetEntry,
    ValidSet,
    default_equipment,
    is_slug,
    validate_set,
)
from logging_service.repository import LoggedSetRow, LoggingRepository, SetChange, WorkoutSession
from logging_service.schemas import FinishOut, SessionOut, SetOut
from myokine.catalog import Equipment
from myokine.consumers import ask_to_catch_up
from myokine.events import (
    CATALOG,
    ExerciseAdded,
    ExerciseChanged,
    LoggedSet,
    MemberErased,
    MemberEvent,
    SessionFinished,
    SetCorrected,
    SetLogged,
    SetVoided,
)
from myokine.idempotency import IdempotentRequest
from myokine.internal_auth import Caller
from myokine.problems import Conflict, Forbidden, InvalidInput, NotFound
from myokine.request_context import current_request_id
from myokine.unit_of_work import Reply, UnitOfWork, idempotent_write

Uow = UnitOfWork[LoggingRepository]

log = logging.getLogger(__name__)

IDEMPOTENCY_RETENTION = timedelta(days=7)
"""How long a write's answer is kept for retries (a kiosk retries within minutes)."""


def idempotency_scope(chain_id: uuid.UUID, member_id: uuid.UUID) -> str:
    """The scope of a write's Idempotency-Key: the member within the chain."""
    return f"{chain_id}:{member_id}"


def _invalid(exc: InvalidSet) -> InvalidInput:
    errors = [{"field": e.field, "message": e.message} for e in exc.errors]
    fields = ", ".join(e["field"] for e in errors)
    return InvalidInput(f"Invalid value for: {fields}", errors=errors)


def _equipment(uow: Uow, chain_id: uuid.UUID, exercise: str) -> Equipment | None:
    """The exercise's equipment in the chain's catalog: the default one, or the chain's own."""
    known = default_equipment(exercise)
    if known is not None or not is_slug(exercise):
        return known
    added = uow.repo.chain_equipment(chain_id, exercise)
    return Equipment(added) if added else None


def _validated(
    uow: Uow, chain_id: uuid.UUID, entry: SetEntry, now: datetime, *, check_time: bool = True
) -> ValidSet:
    """The set against every rule of docs/protocol.md §5 and the chain's catalog (else 422)."""
    equipment = _equipment(uow, chain_id, entry.exercise)
    try:
        return validate_set(entry, now=now, equipment=equipment, check_time=check_time)
    except InvalidSet as exc:
        raise _invalid(exc) from exc


def _emit(uow: Uow, member_id: uuid.UUID, make: Callable[[int], MemberEvent]) -> None:
    """Add the member's next event, made from its sequence number, to the unit of work.

    The number is taken now, under the member's lock, so the numbers follow commit order.
    """
    uow.add_event(make(uow.repo.next_seq(member_id)))


def _event_fields(chain_id: uuid.UUID, member_id: uuid.UUID) -> dict[str, Any]:
    return {"chain_id": chain_id, "member_id": member_id, "request_id": current_request_id()}


def _logged(row: LoggedSetRow) -> LoggedSet:
    return LoggedSet(
        set_id=row.id,
        session_id=row.session_id,
        gym_id=row.gym_id,
        exercise=row.exercise,
        load_kg=row.load_kg,
        load_value=row.load_value,
        unit=row.unit,
        reps=row.reps,
        rpe=row.rpe,
        warmup=row.warmup,
        performed_at=row.performed_at,
        local_date=row.local_date,
    )


def _member_write(
    uow: Uow,
    caller: Caller,
    member_id: uuid.UUID,
    request: IdempotentRequest | None,
    work: Callable[[WorkoutSession | None], Reply],
) -> Reply:
    """Run one write of a member: claim its key, take the member's lock, work (given the
    member's open session), commit."""

    def locked() -> Reply:
        uow.repo.lock_member(caller.chain_id, member_id)
        # Read under the lock the erasure takes: a write that passed the gateway just
        # before the member was erased, and reaches here after, stores nothing.
        state = uow.repo.member_state(caller.chain_id, member_id)
        if state.erased:
            raise NotFound("No such member.")
        return work(state.open_session)

    return idempotent_write(uow, idempotency_scope(caller.chain_id, member_id), request, locked)


def _finish(uow: Uow, ws: WorkoutSession, *, at: datetime, automatic: bool) -> int:
    """Finish a session and emit SessionFinished; the number of sets that count."""
    ws.finished_at = at
    ws.finished_automatically = automatic
    count = uow.repo.count_sets(ws.id)
    _emit(
        uow,
        ws.member_id,
        lambda seq: SessionFinished(
            **_event_fields(ws.chain_id, ws.member_id),
            seq=seq,
            session_id=ws.id,
            gym_id=ws.gym_id,
            local_date=ws.local_date,
            program_day=ws.program_day,
            set_count=count,
            automatic=automatic,
        ),
    )
    return count


def _session_for(
    uow: Uow,
    caller: Caller,
    member_id: uuid.UUID,
    current: WorkoutSession | None,
    *,
    gym_id: uuid.UUID,
    zone: ZoneInfo,
    at: datetime,
    program_day: str | None,
) -> tuple[WorkoutSession, bool]:
    """The session a write at `at` belongs to: the member's `current` open one, or a new
    one (True; not stored yet, the caller stores it with what it writes).

    An open session at another gym, of another day or idle too long is finished first.
    """
    day = local_date(at, zone)
    if current is not None:
        facts = OpenSession(current.gym_id, current.local_date, current.last_set_at)
        if continues(facts, gym_id=gym_id, day=day, performed_at=at):
            return current, False
        _finish(uow, current, at=current.last_set_at, automatic=True)
    opened = WorkoutSession(
        id=uuid.uuid4(),
        chain_id=caller.chain_id,
        member_id=member_id,
        gym_id=gym_id,
        kiosk_id=caller.kiosk_id,
        program_day=program_day,
        local_date=day,
        timezone=str(zone),
        opened_at=at,
        last_set_at=at,
        finished_automatically=False,
    )
    return opened, True


def log_set(
    uow: Uow,
    caller: Caller,
    member_id: uuid.UUID,
    entry: SetEntry,
    request: IdempotentRequest | None,
    *,
    now: datetime,
) -> Reply:
    """Log a set (opening the day's session on the first one) and emit SetLogged."""
    require_access(caller, member_id)
    gym_id, zone = gym_of(caller)

    def work(current: WorkoutSession | None) -> Reply:
        valid = _validated(uow, caller.chain_id, entry, now)
        ws, _ = _session_for(
            uow,
            caller,
            member_id,
            current,
            gym_id=gym_id,
            zone=zone,
            at=valid.performed_at,
            program_day=valid.program_day,
        )
        row = LoggedSetRow(
            id=uuid.uuid4(),
            chain_id=caller.chain_id,
            member_id=member_id,
            session_id=ws.id,
            gym_id=gym_id,
            kiosk_id=caller.kiosk_id,
            exercise=valid.exercise,
            load_value=valid.load,
            unit=valid.unit.value,
            load_kg=valid.load_kg,
            reps=valid.reps,
            rpe=valid.rpe,
            warmup=valid.warmup,
            performed_at=valid.performed_at,
            local_date=ws.local_date,
            logged_at=now,
            logged_by=caller.sub,
        )
        # One statement stores the set with its session and takes the event's number
        # (under the member's lock, as `_emit` takes it).
        seq = uow.repo.add_set(row, ws, program_day=valid.program_day)
        uow.add_event(
            SetLogged(**_event_fields(caller.chain_id, member_id), seq=seq, set=_logged(row))
        )
        return Reply(201, SetOut.of(row).model_dump_json())

    return _member_write(uow, caller, member_id, request, work)


def open_session(
    uow: Uow,
    caller: Caller,
    member_id: uuid.UUID,
    program_day: str | None,
    request: IdempotentRequest | None,
    *,
    now: datetime,
) -> Reply:
    """Open the member's session for today before any set: 201 new, 200 already open."""
    require_access(caller, member_id)
    gym_id, zone = gym_of(caller)

    def work(current: WorkoutSession | None) -> Reply:
        ws, opened = _session_for(
            uow,
            caller,
            member_id,
            current,
            gym_id=gym_id,
            zone=zone,
            at=now,
            program_day=program_day,
        )
        if opened:
            uow.repo.add_session(ws)
        elif ws.program_day is None:
            ws.program_day = program_day
        sets = list(uow.repo.sets_of_sessions([ws.id]))
        return Reply(201 if opened else 200, SessionOut.with_sets(ws, sets).model_dump_json())

    return _member_write(uow, caller, member_id, request, work)


def finish_session(
    uow: Uow,
    caller: Caller,
    member_id: uuid.UUID,
    request: IdempotentRequest | None,
    *,
    now: datetime,
) -> Reply:
    """Finish the member's open session at the kiosk and emit SessionFinished."""
    require_access(caller, member_id)

    def work(ws: WorkoutSession | None) -> Reply:
        if ws is None:
            raise NotFound("This member has no open session.")
        count = _finish(uow, ws, at=now, automatic=False)
        out = FinishOut(session_id=ws.id, sets=count, local_date=ws.local_date, finished_at=now)
        return Reply(200, out.model_dump_json())

    return _member_write(uow, caller, member_id, request, work)


def _changeable(
    uow: Uow, caller: Caller, member_id: uuid.UUID, set_id: uuid.UUID, now: datetime
) -> LoggedSetRow:
    row = uow.repo.get_set(caller.chain_id, member_id, set_id, for_update=True)
    if row is None:
        raise NotFound("No such set.")
    if row.voided_at is not None:
        raise Conflict("This set was voided; it can no longer change.")
    if not may_change(is_staff=caller.is_staff, logged_at=row.logged_at, now=now):
        raise Forbidden("A member may change a set only within 24 hours of logging it.")
    return row


def _audit_view(row: LoggedSetRow) -> dict[str, Any]:
    """The fields a change may touch, exact (decimals as strings)."""
    return {
        "exercise": row.exercise,
        "load": str(row.load_value),
        "unit": row.unit,
        "load_kg": str(row.load_kg),
        "reps": row.reps,
        "rpe": None if row.rpe is None else str(row.rpe),
        "warmup": row.warmup,
        "set_number": row.set_number,
        "voided_at": None if row.voided_at is None else row.voided_at.isoformat(),
    }


def _entry_of(row: LoggedSetRow) -> SetEntry:
    return SetEntry(
        exercise=row.exercise,
        load=row.load_value,
        unit=row.unit,
        reps=row.reps,
        rpe=row.rpe,
        warmup=row.warmup,
        performed_at=row.performed_at,
    )


def _audit(
    uow: Uow,
    caller: Caller,
    row: LoggedSetRow,
    *,
    action: str,
    before: dict[str, Any],
    at: datetime,
    reason: str | None,
) -> None:
    uow.repo.add_change(
        SetChange(
            set_id=row.id,
            chain_id=row.chain_id,
            member_id=row.member_id,
            action=action,
            changed_by=caller.sub,
            changed_by_role=caller.role,
            changed_at=at,
            before=before,
            after=_audit_view(row),
            reason=reason,
        )
    )


def correct_set(
    uow: Uow,
    caller: Caller,
    member_id: uuid.UUID,
    set_id: uuid.UUID,
    correction: Correction,
    reason: str | None,
    request: IdempotentRequest | None,
    *,
    now: datetime,
) -> Reply:
    """Correct a set, keep the change in its audit trail and emit SetCorrected."""
    require_access(caller, member_id)

    def work(_: WorkoutSession | None) -> Reply:
        row = _changeable(uow, caller, member_id, set_id, now)
        try:
            changed = apply_correction(_entry_of(row), correction)
        except InvalidSet as exc:
            raise _invalid(exc) from exc
        valid = _validated(uow, caller.chain_id, changed, now, check_time=False)
        before, previous = _audit_view(row), _logged(row)
        if valid.exercise != row.exercise:
            row.set_number = uow.repo.next_set_number(row.session_id, valid.exercise)
        row.exercise = valid.exercise
        row.load_value = valid.load
        row.unit = valid.unit.value
        row.load_kg = valid.load_kg
        row.reps = valid.reps
        row.rpe = valid.rpe
        row.warmup = valid.warmup
        row.corrected_at = now
        _audit(uow, caller, row, action="corrected", before=before, at=now, reason=reason)
        _emit(
            uow,
            member_id,
            lambda seq: SetCorrected(
                **_event_fields(caller.chain_id, member_id),
                seq=seq,
                set=_logged(row),
                previous=previous,
            ),
        )
        return Reply(200, SetOut.of(row).model_dump_json())

    return _member_write(uow, caller, member_id, request, work)


def void_set(
    uow: Uow,
    caller: Caller,
    member_id: uuid.UUID,
    set_id: uuid.UUID,
    reason: str | None,
    request: IdempotentRequest | None,
    *,
    now: datetime,
) -> Reply:
    """Void a set (it stays, marked), keep it in the audit trail and emit SetVoided."""
    require_access(caller, member_id)

    def work(_: WorkoutSession | None) -> Reply:
        row = _changeable(uow, caller, member_id, set_id, now)
        before = _audit_view(row)
        row.voided_at = now
        _audit(uow, caller, row, action="voided", before=before, at=now, reason=reason)
        _emit(
            uow,
            member_id,
            lambda seq: SetVoided(
                **_event_fields(caller.chain_id, member_id), seq=seq, set=_logged(row)
            ),
        )
        return Reply(200, SetOut.of(row).model_dump_json())

    return _member_write(uow, caller, member_id, request, work)


def auto_finish_idle_sessions(uow: Uow, *, now: datetime, batch: int = 500) -> int:
    """Finish every session idle for 3 hours; how many were finished.

    Each session is finished in its own transaction that takes the member's lock first,
    in the same order as a set being logged, so the two never deadlock; a set that
    arrived meanwhile keeps its session open.
    """
    with uow:
        candidates = [
            (ws.id, ws.chain_id, ws.member_id)
            for ws in uow.repo.idle_sessions(now - IDLE_LIMIT, limit=batch)
        ]
    finished = 0
    for session_id, chain_id, member_id in candidates:
        with uow:
            uow.repo.lock_member(chain_id, member_id)
            ws = uow.repo.get_session(session_id, for_update=True)
            if ws is None or ws.finished_at is not None or not is_idle(ws.last_set_at, now):
                continue
            _finish(uow, ws, at=ws.last_set_at, automatic=True)
            uow.commit()
            finished += 1
    return finished


def forget_old_idempotency_keys(uow: Uow, *, now: datetime) -> int:
    """Drop stored answers older than the retention; how many were dropped."""
    with uow:
        forgotten = uow.repo.forget_replies(before=now - IDEMPOTENCY_RETENTION)
        uow.commit()
    return forgotten


def on_exercise_added(uow: Uow, event: ExerciseAdded) -> None:
    """Keep an exercise the chain added, so its sets are accepted (event-carried catalog)."""
    _keep_exercise(uow, event)


def on_exercise_changed(uow: Uow, event: ExerciseChanged) -> None:
    """Keep a chain's exercise as it now stands: its equipment says whether a set of it
    may have a negative (assisted) load."""
    _keep_exercise(uow, event)


def _keep_exercise(uow: Uow, event: ExerciseAdded) -> None:
    """Keep the exercise at the event's version, unless a copy as new or newer is kept:
    a late, repeated or resent copy (a catch-up) changes nothing."""
    with uow:
        if uow.first_delivery(event):
            uow.repo.keep_chain_exercise(event.chain_id, event.slug, event.equipment, event.version)
        uow.commit()


def on_member_erased(uow: Uow, event: MemberErased) -> None:
    """Erase a member (GDPR): their sets with the audit trail, sessions, sequence, and the
    events and stored answers that name them; only a digest of their id stays, so a write
    that was on its way stores nothing.

    The member's lock is taken first, as every write of theirs takes it, so a write in
    progress finishes before, and is erased with the rest.
    """
    with uow:
        if not uow.first_delivery(event):
            return
        uow.repo.lock_member(event.chain_id, event.member_id)
        rows = uow.repo.erase_member(event.member_id)
        messages = uow.forget_messages_about(event.member_id)
        uow.commit()
    log.info(
        "member erased",
        extra={"member_id": str(event.member_id), "rows": rows, "messages": messages},
    )


def request_catch_up(uow: Uow) -> None:
    """Ask program to send every chain's own exercises again (the worker does this on
    start, so an exercise added or changed while logging was away still reaches it)."""
    ask_to_catch_up(uow, "logging", (CATALOG,))
