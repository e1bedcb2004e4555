"""The logging service's use cases: one function per command or event, one transaction each.

Every write of a member first locks the member's sequence row, so that member's writes
run one at a time: events get gap-free sequence numbers in commit order, and a set and
the session it opens cannot race another set of the same member.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.orm import Session

from logging_service import repository as repo
from logging_service.domain.access import may_access_member
from logging_service.domain.changes import Correction, apply_correction, may_change
from logging_service.domain.pagination import (
    MAX_PAGE_SIZE,
    Cursor,
    InvalidCursorError,
    decode_cursor,
    encode_cursor,
)
from logging_service.domain.sessions import IDLE_LIMIT, OpenSession, continues, is_idle, local_date
from logging_service.domain.sets import InvalidSet, SetEntry, ValidSet, validate_set
from logging_service.idempotency import Reply, claim, remember
from logging_service.repository import LoggedSetRow, SetChange, WorkoutSession
from logging_service.schemas import (
    Export,
    FinishOut,
    SessionOut,
    SessionPage,
    SessionSummary,
    SetDetailOut,
    SetOut,
    SetPage,
)
from myokine.db import transaction
from myokine.events import (
    LoggedSet,
    MemberEvent,
    SessionFinished,
    SetCorrected,
    SetLogged,
    SetVoided,
)
from myokine.idempotency import IdempotentRequest
from myokine.internal_auth import Caller
from myokine.outbox import add_event
from myokine.problems import BadRequest, Conflict, Forbidden, InvalidInput, NotFound
from myokine.request_context import current_request_id
from myokine.service_runtime import ServiceRuntime

IDEMPOTENCY_RETENTION = timedelta(days=7)
"""How long a write's answer is kept for retries (a kiosk retries within minutes)."""


def _now() -> datetime:
    return datetime.now(UTC)


def _require_access(caller: Caller, member_id: uuid.UUID) -> None:
    if not may_access_member(role=caller.role, sub=caller.sub, member_id=member_id):
        raise Forbidden("This caller may not reach this member's logs.")


def _gym_zone(caller: Caller) -> tuple[uuid.UUID, ZoneInfo]:
    """The gym a write happens at and its time zone, from the internal token."""
    if caller.gym_id is None or not caller.gym_timezone:
        raise BadRequest("A workout is logged at a gym: the internal token must name gym and tz.")
    try:
        return caller.gym_id, ZoneInfo(caller.gym_timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise BadRequest(f"Unknown gym time zone {caller.gym_timezone!r}.") from exc


def _invalid(exc: InvalidSet) -> InvalidInput:
    errors = [{"field": e.field, "message": e.message} for e in exc.errors]
    fields = ", ".join(e["field"] for e in errors)
    return InvalidInput(f"Invalid value for: {fields}", errors=errors)


def _validated(entry: SetEntry, now: datetime, *, check_time: bool = True) -> ValidSet:
    try:
        return validate_set(entry, now=now, check_time=check_time)
    except InvalidSet as exc:
        raise _invalid(exc) from exc


def _emit(
    session: Session,
    rt: ServiceRuntime,
    member_id: uuid.UUID,
    make: Callable[[int], MemberEvent],
) -> None:
    """Store the member's next event, made from its sequence number, in the outbox."""
    add_event(session, rt.tables.outbox, make(repo.next_seq(session, member_id)))


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


def _write(
    rt: ServiceRuntime,
    caller: Caller,
    member_id: uuid.UUID,
    request: IdempotentRequest | None,
    work: Callable[[Session], Reply],
) -> Reply:
    """Run one write in one transaction, honouring its Idempotency-Key."""
    with transaction(rt.sessions) as session:
        if request is not None:
            earlier = claim(session, caller.chain_id, member_id, request)
            if earlier is not None:
                return earlier
        repo.lock_member(session, caller.chain_id, member_id)
        reply = work(session)
        if request is not None:
            remember(session, caller.chain_id, member_id, request, reply)
        return reply


def _finish(
    session: Session, rt: ServiceRuntime, ws: WorkoutSession, *, at: datetime, automatic: bool
) -> int:
    """Finish a session and emit SessionFinished; the number of sets that count."""
    ws.finished_at = at
    ws.finished_automatically = automatic
    session.flush()
    count = repo.count_sets(session, ws.id)
    _emit(
        session,
        rt,
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
    session: Session,
    rt: ServiceRuntime,
    caller: Caller,
    member_id: uuid.UUID,
    *,
    gym_id: uuid.UUID,
    zone: ZoneInfo,
    at: datetime,
    program_day: str | None,
) -> tuple[WorkoutSession, bool]:
    """The open session a write at `at` belongs to, and whether it was opened just now.

    An open session at another gym, of another day or idle too long is finished first.
    """
    day = local_date(at, zone)
    current = repo.open_session(session, caller.chain_id, member_id)
    if current is not None:
        facts = OpenSession(current.gym_id, current.local_date, current.last_set_at)
        if continues(facts, gym_id=gym_id, day=day, performed_at=at):
            if current.program_day is None:
                current.program_day = program_day
            return current, False
        _finish(session, rt, current, at=current.last_set_at, automatic=True)
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
    session.add(opened)
    session.flush()
    return opened, True


def log_set(
    rt: ServiceRuntime,
    caller: Caller,
    member_id: uuid.UUID,
    entry: SetEntry,
    request: IdempotentRequest | None,
    *,
    now: datetime | None = None,
) -> Reply:
    """Log a set (opening the day's session on the first one) and emit SetLogged."""
    now = now or _now()
    _require_access(caller, member_id)
    gym_id, zone = _gym_zone(caller)
    valid = _validated(entry, now)

    def work(session: Session) -> Reply:
        ws, _ = _session_for(
            session,
            rt,
            caller,
            member_id,
            gym_id=gym_id,
            zone=zone,
            at=valid.performed_at,
            program_day=valid.program_day,
        )
        ws.last_set_at = max(ws.last_set_at, valid.performed_at)
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
            set_number=repo.next_set_number(session, ws.id, valid.exercise),
            logged_at=now,
            logged_by=caller.sub,
        )
        session.add(row)
        session.flush()
        _emit(
            session,
            rt,
            member_id,
            lambda seq: SetLogged(
                **_event_fields(caller.chain_id, member_id), seq=seq, set=_logged(row)
            ),
        )
        return Reply(201, SetOut.of(row).model_dump_json())

    return _write(rt, caller, member_id, request, work)


def open_session(
    rt: ServiceRuntime,
    caller: Caller,
    member_id: uuid.UUID,
    program_day: str | None,
    request: IdempotentRequest | None,
    *,
    now: datetime | None = None,
) -> Reply:
    """Open the member's session for today before any set: 201 new, 200 already open."""
    now = now or _now()
    _require_access(caller, member_id)
    gym_id, zone = _gym_zone(caller)

    def work(session: Session) -> Reply:
        ws, opened = _session_for(
            session,
            rt,
            caller,
            member_id,
            gym_id=gym_id,
            zone=zone,
            at=now,
            program_day=program_day,
        )
        sets = list(repo.sets_of_sessions(session, [ws.id]))
        return Reply(201 if opened else 200, SessionOut.with_sets(ws, sets).model_dump_json())

    return _write(rt, caller, member_id, request, work)


def finish_session(
    rt: ServiceRuntime,
    caller: Caller,
    member_id: uuid.UUID,
    request: IdempotentRequest | None,
    *,
    now: datetime | None = None,
) -> Reply:
    """Finish the member's open session at the kiosk and emit SessionFinished."""
    now = now or _now()
    _require_access(caller, member_id)

    def work(session: Session) -> Reply:
        ws = repo.open_session(session, caller.chain_id, member_id)
        if ws is None:
            raise NotFound("This member has no open session.")
        count = _finish(session, rt, ws, at=now, automatic=False)
        out = FinishOut(session_id=ws.id, sets=count, local_date=ws.local_date, finished_at=now)
        return Reply(200, out.model_dump_json())

    return _write(rt, caller, member_id, request, work)


def _changeable(
    session: Session, caller: Caller, member_id: uuid.UUID, set_id: uuid.UUID, now: datetime
) -> LoggedSetRow:
    row = repo.get_set(session, caller.chain_id, member_id, set_id, for_update=True)
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
    session: Session,
    caller: Caller,
    row: LoggedSetRow,
    *,
    action: str,
    before: dict[str, Any],
    at: datetime,
    reason: str | None,
) -> None:
    session.add(
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
    rt: ServiceRuntime,
    caller: Caller,
    member_id: uuid.UUID,
    set_id: uuid.UUID,
    correction: Correction,
    reason: str | None,
    request: IdempotentRequest | None,
    *,
    now: datetime | None = None,
) -> Reply:
    """Correct a set, keep the change in its audit trail and emit SetCorrected."""
    now = now or _now()
    _require_access(caller, member_id)

    def work(session: Session) -> Reply:
        row = _changeable(session, caller, member_id, set_id, now)
        try:
            changed = apply_correction(_entry_of(row), correction)
        except InvalidSet as exc:
            raise _invalid(exc) from exc
        valid = _validated(changed, now, check_time=False)
        before, previous = _audit_view(row), _logged(row)
        if valid.exercise != row.exercise:
            row.set_number = repo.next_set_number(session, row.session_id, valid.exercise)
        row.exercise = valid.exercise
        row.load_value = valid.load
        row.unit = valid.unit.value
        row.load_kg = valid.load_kg
        row.reps = valid.reps
        row.rpe = valid.rpe
        row.warmup = valid.warmup
        row.corrected_at = now
        session.flush()
        _audit(session, caller, row, action="corrected", before=before, at=now, reason=reason)
        _emit(
            session,
            rt,
            member_id,
            lambda seq: SetCorrected(
                **_event_fields(caller.chain_id, member_id),
                seq=seq,
                set=_logged(row),
                previous=previous,
            ),
        )
        return Reply(200, SetOut.of(row).model_dump_json())

    return _write(rt, caller, member_id, request, work)


def void_set(
    rt: ServiceRuntime,
    caller: Caller,
    member_id: uuid.UUID,
    set_id: uuid.UUID,
    reason: str | None,
    request: IdempotentRequest | None,
    *,
    now: datetime | None = None,
) -> Reply:
    """Void a set (it stays, marked), keep it in the audit trail and emit SetVoided."""
    now = now or _now()
    _require_access(caller, member_id)

    def work(session: Session) -> Reply:
        row = _changeable(session, caller, member_id, set_id, now)
        before = _audit_view(row)
        row.voided_at = now
        session.flush()
        _audit(session, caller, row, action="voided", before=before, at=now, reason=reason)
        _emit(
            session,
            rt,
            member_id,
            lambda seq: SetVoided(
                **_event_fields(caller.chain_id, member_id), seq=seq, set=_logged(row)
            ),
        )
        return Reply(200, SetOut.of(row).model_dump_json())

    return _write(rt, caller, member_id, request, work)


def auto_finish_idle_sessions(
    rt: ServiceRuntime, *, now: datetime | None = None, batch: int = 500
) -> int:
    """Finish every session idle for 3 hours; how many were finished.

    Each session is finished in its own transaction that takes the member's lock first,
    in the same order as a set being logged, so the two never deadlock; a set that
    arrived meanwhile keeps its session open.
    """
    now = now or _now()
    with transaction(rt.sessions) as session:
        candidates = [
            (ws.id, ws.chain_id, ws.member_id)
            for ws in repo.idle_sessions(session, now - IDLE_LIMIT, limit=batch)
        ]
    finished = 0
    for session_id, chain_id, member_id in candidates:
        with transaction(rt.sessions) as session:
            repo.lock_member(session, chain_id, member_id)
            ws = session.get(WorkoutSession, session_id, with_for_update=True)
            if ws is None or ws.finished_at is not None or not is_idle(ws.last_set_at, now):
                continue
            _finish(session, rt, ws, at=ws.last_set_at, automatic=True)
            finished += 1
    return finished


def forget_old_idempotency_keys(rt: ServiceRuntime, *, now: datetime | None = None) -> int:
    """Drop stored answers older than the retention; how many were dropped."""
    now = now or _now()
    with transaction(rt.sessions) as session:
        return repo.delete_idempotency_records(session, before=now - IDEMPOTENCY_RETENTION)


# --- reads ---------------------------------------------------------------------------


def sets_of_day(
    rt: ServiceRuntime, caller: Caller, member_id: uuid.UUID, day: date | None
) -> list[SetOut]:
    """The member's sets of a local day that count, oldest first (default: today at the gym)."""
    _require_access(caller, member_id)
    if day is None:
        _, zone = _gym_zone(caller)
        day = local_date(_now(), zone)
    with transaction(rt.sessions) as session:
        return [SetOut.of(r) for r in repo.sets_of_day(session, caller.chain_id, member_id, day)]


def set_detail(
    rt: ServiceRuntime, caller: Caller, member_id: uuid.UUID, set_id: uuid.UUID
) -> SetDetailOut:
    """One set with its audit trail."""
    _require_access(caller, member_id)
    with transaction(rt.sessions) as session:
        row = repo.get_set(session, caller.chain_id, member_id, set_id)
        if row is None:
            raise NotFound("No such set.")
        return SetDetailOut.with_changes(row, list(repo.changes_of_set(session, set_id)))


def _cursor(text: str | None) -> Cursor | None:
    if text is None:
        return None
    try:
        return decode_cursor(text)
    except InvalidCursorError as exc:
        raise InvalidInput(
            "Invalid cursor.", errors=[{"field": "cursor", "message": "not a cursor"}]
        ) from exc


def _check_page(limit: int, date_from: date | None, date_to: date | None) -> None:
    errors = []
    if not 1 <= limit <= MAX_PAGE_SIZE:
        errors.append({"field": "limit", "message": f"must be 1 to {MAX_PAGE_SIZE}"})
    if date_from and date_to and date_from > date_to:
        errors.append({"field": "from", "message": "must not be after 'to'"})
    if errors:
        raise InvalidInput("Invalid page request.", errors=errors)


def history(
    rt: ServiceRuntime,
    caller: Caller,
    member_id: uuid.UUID,
    *,
    cursor: str | None,
    limit: int,
    exercise: str | None,
    date_from: date | None,
    date_to: date | None,
    include_voided: bool,
) -> SetPage:
    """A page of the member's sets, newest first."""
    _require_access(caller, member_id)
    _check_page(limit, date_from, date_to)
    after = _cursor(cursor)
    with transaction(rt.sessions) as session:
        rows = repo.page_of_sets(
            session,
            caller.chain_id,
            member_id,
            cursor=after,
            limit=limit,
            exercise=exercise,
            date_from=date_from,
            date_to=date_to,
            include_voided=include_voided,
        )
    page, more = rows[:limit], len(rows) > limit
    last = page[-1] if page else None
    return SetPage(
        items=[SetOut.of(r) for r in page],
        next_cursor=encode_cursor(Cursor(last.performed_at, last.id)) if more and last else None,
    )


def sessions_history(
    rt: ServiceRuntime,
    caller: Caller,
    member_id: uuid.UUID,
    *,
    cursor: str | None,
    limit: int,
    exercise: str | None,
    date_from: date | None,
    date_to: date | None,
) -> SessionPage:
    """A page of the member's sessions with their sets, newest first."""
    _require_access(caller, member_id)
    _check_page(limit, date_from, date_to)
    after = _cursor(cursor)
    with transaction(rt.sessions) as session:
        rows = repo.page_of_sessions(
            session,
            caller.chain_id,
            member_id,
            cursor=after,
            limit=limit,
            exercise=exercise,
            date_from=date_from,
            date_to=date_to,
        )
        page, more = rows[:limit], len(rows) > limit
        by_session: dict[uuid.UUID, list[LoggedSetRow]] = {ws.id: [] for ws in page}
        for row in repo.sets_of_sessions(session, list(by_session)):
            by_session[row.session_id].append(row)
    last = page[-1] if page else None
    return SessionPage(
        items=[SessionOut.with_sets(ws, by_session[ws.id]) for ws in page],
        next_cursor=encode_cursor(Cursor(last.opened_at, last.id)) if more and last else None,
    )


def export(rt: ServiceRuntime, caller: Caller, member_id: uuid.UUID) -> Export:
    """Every session and set of the member, voided sets included."""
    _require_access(caller, member_id)
    with transaction(rt.sessions) as session:
        sessions = repo.all_sessions(session, caller.chain_id, member_id)
        sets = repo.all_sets(session, caller.chain_id, member_id)
    return Export(
        member_id=member_id,
        exported_at=_now(),
        sessions=[SessionSummary.of(ws) for ws in sessions],
        sets=[SetOut.of(s) for s in sets],
    )
