"""The logging service's reads: a day's sets, one set's audit trail, history pages, the export.

Each reads in one transaction of its unit of work, changes nothing, and answers a schema
(made before the transaction ends, while its rows are loaded).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date, datetime

from logging_service.callers import gym_of, require_access
from logging_service.domain.pagination import Cursor, PageRequest, encode_cursor
from logging_service.domain.sessions import local_date
from logging_service.repository import LoggedSetRow, LoggingRepository, SetChange
from logging_service.schemas import (
    AuditPage,
    Export,
    SessionOut,
    SessionPage,
    SessionSummary,
    SetDetailOut,
    SetOut,
    SetPage,
)
from myokine.internal_auth import Caller
from myokine.problems import NotFound
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


def history(
    uow: Uow, caller: Caller, member_id: uuid.UUID, page: PageRequest, *, include_voided: bool
) -> SetPage:
    """A page of the member's sets, newest first."""
    require_access(caller, member_id)
    with uow:
        rows = uow.repo.page_of_sets(
            caller.chain_id, member_id, page, include_voided=include_voided
        )
        found, more = rows[: page.limit], len(rows) > page.limit
        last = found[-1] if found else None
        after_last = Cursor(last.performed_at, last.id) if more and last else None
        return SetPage(
            items=[SetOut.of(r) for r in found],
            next_cursor=encode_cursor(after_last) if after_last else None,
        )


def audit_history(uow: Uow, caller: Caller, member_id: uuid.UUID, page: PageRequest) -> AuditPage:
    """A page of the member's sets, voided ones too, each with its audit trail, newest first
    (two reads whatever the page's size)."""
    require_access(caller, member_id)
    with uow:
        rows = uow.repo.page_of_sets(caller.chain_id, member_id, page, include_voided=True)
        found, more = rows[: page.limit], len(rows) > page.limit
        trails: dict[uuid.UUID, list[SetChange]] = {r.id: [] for r in found}
        for change in uow.repo.changes_of_sets([r.id for r in found]):
            trails[change.set_id].append(change)
        last = found[-1] if found else None
        after_last = Cursor(last.performed_at, last.id) if more and last else None
        return AuditPage(
            items=[SetDetailOut.with_changes(r, trails[r.id]) for r in found],
            next_cursor=encode_cursor(after_last) if after_last else None,
        )


def sessions_history(
    uow: Uow, caller: Caller, member_id: uuid.UUID, page: PageRequest
) -> SessionPage:
    """A page of the member's sessions with their sets, newest first."""
    require_access(caller, member_id)
    with uow:
        rows = uow.repo.page_of_sessions(caller.chain_id, member_id, page)
        found, more = rows[: page.limit], len(rows) > page.limit
        by_session: dict[uuid.UUID, list[LoggedSetRow]] = {ws.id: [] for ws in found}
        for row in uow.repo.sets_of_sessions(list(by_session)):
            by_session[row.session_id].append(row)
        last = found[-1] if found else None
        after_last = Cursor(last.opened_at, last.id) if more and last else None
        return SessionPage(
            items=[SessionOut.with_sets(ws, by_session[ws.id]) for ws in found],
            next_cursor=encode_cursor(after_last) if after_last else None,
        )


def export(uow: Uow, caller: Caller, member_id: uuid.UUID, *, now: datetime) -> Export:
    """Every session and set of the member, voided sets included, each set with its audit
    trail (read in one query for the member, not one per set)."""
    require_access(caller, member_id)
    with uow:
        changes: dict[uuid.UUID, list[SetChange]] = defaultdict(list)
        for change in uow.repo.changes_of_member(caller.chain_id, member_id):
            changes[change.set_id].append(change)
        return Export(
            member_id=member_id,
            exported_at=now,
            sessions=[
                SessionSummary.of(ws) for ws in uow.repo.all_sessions(caller.chain_id, member_id)
            ],
            sets=[
                SetDetailOut.with_changes(s, changes[s.id])
                for s in uow.repo.all_sets(caller.chain_id, member_id)
            ],
        )
