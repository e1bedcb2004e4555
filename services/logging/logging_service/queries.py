"""The logging service's reads: a day's sets, one set's audit trail, history pages, the export.

Each reads in one transaction of its unit of work, changes nothing, and answers a schema
(made before the transaction ends, while its rows are loaded).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from logging_service.callers import gym_of, require_access
from logging_service.domain.pagination import (
    MAX_PAGE_SIZE,
    Cursor,
    InvalidCursorError,
    decode_cursor,
    encode_cursor,
)
from logging_service.domain.sessions import local_date
from logging_service.repository import LoggedSetRow, LoggingRepository
from logging_service.schemas import (
    Export,
    SessionOut,
    SessionPage,
    SessionSummary,
    SetDetailOut,
    SetOut,
    SetPage,
)
from myokine.internal_auth import Caller
from myokine.problems import InvalidInput, NotFound
from myokine.unit_of_work import UnitOfWork

Uow = UnitOfWork[LoggingRepository]


def sets_of_day(
    uow: Uow, caller: Caller, member_id: uuid.UUID, day: date | None, *, now: datetime
) -> list[SetOut]:
    """The member's sets of a local day that count, oldest first (default: today at the gym)."""
    require_access(caller, member_id)
    if day is None:
        _, zone = gym_of(caller)
        day = local_date(now, zone)
    with uow:
        return [SetOut.of(r) for r in uow.repo.sets_of_day(caller.chain_id, member_id, day)]


def set_detail(uow: Uow, caller: Caller, member_id: uuid.UUID, set_id: uuid.UUID) -> SetDetailOut:
    """One set with its audit trail."""
    require_access(caller, member_id)
    with uow:
        row = uow.repo.get_set(caller.chain_id, member_id, set_id)
        if row is None:
            raise NotFound("No such set.")
        return SetDetailOut.with_changes(row, list(uow.repo.changes_of_set(set_id)))


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
    uow: Uow,
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
    require_access(caller, member_id)
    _check_page(limit, date_from, date_to)
    after = _cursor(cursor)
    with uow:
        rows = uow.repo.page_of_sets(
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
            next_cursor=encode_cursor(Cursor(last.performed_at, last.id))
            if more and last
            else None,
        )


def sessions_history(
    uow: Uow,
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
    require_access(caller, member_id)
    _check_page(limit, date_from, date_to)
    after = _cursor(cursor)
    with uow:
        rows = uow.repo.page_of_sessions(
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
        for row in uow.repo.sets_of_sessions(list(by_session)):
            by_session[row.session_id].append(row)
        last = page[-1] if page else None
        after_last = Cursor(last.opened_at, last.id) if more and last else None
        return SessionPage(
            items=[SessionOut.with_sets(ws, by_session[ws.id]) for ws in page],
            next_cursor=encode_cursor(after_last) if after_last else None,
        )


def export(uow: Uow, caller: Caller, member_id: uuid.UUID, *, now: datetime) -> Export:
    """Every session and set of the member, voided sets included."""
    require_access(caller, member_id)
    with uow:
        return Export(
            member_id=member_id,
            exported_at=now,
            sessions=[
                SessionSummary.of(ws) for ws in uow.repo.all_sessions(caller.chain_id, member_id)
            ],
            sets=[SetOut.of(s) for s in uow.repo.all_sets(caller.chain_id, member_id)],
        )
