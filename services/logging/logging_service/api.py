"""The logging service's HTTP API (docs/internal-api.md, logging): parse, call a handler."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from logging_service import handlers, queries
from logging_service.domain.pagination import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    InvalidCursorError,
    PageRequest,
    decode_cursor,
)
from logging_service.repository import LoggingRepository
from logging_service.schemas import (
    AuditPage,
    CorrectionBody,
    Export,
    FinishOut,
    OpenSessionBody,
    SessionOut,
    SessionPage,
    SetBody,
    SetDetailOut,
    SetOut,
    SetPage,
)
from myokine.internal_api import CallerDep, IdempotencyDep, RequiredIdempotencyDep, unit_of_work
from myokine.problems import InvalidInput
from myokine.unit_of_work import Reply, UnitOfWork

router = APIRouter(prefix="/internal/v1", tags=["logging"])

UowDep = Annotated[UnitOfWork[LoggingRepository], Depends(unit_of_work)]


async def current_time(request: Request) -> datetime:
    """Now, from the clock the app was built with."""
    # Async though it does not wait: a plain function would cost a trip to the thread pool
    # on every call (`myokine.internal_api` says the same of its dependencies).
    now: datetime = request.app.state.clock()
    return now


NowDep = Annotated[datetime, Depends(current_time)]


def page_request(
    cursor: str | None = None,
    limit: int = DEFAULT_PAGE_SIZE,
    exercise: str | None = None,
    date_from: Annotated[date | None, Query(alias="from")] = None,
    date_to: Annotated[date | None, Query(alias="to")] = None,
) -> PageRequest:
    """The page of history asked for; 422 naming `cursor`, `limit` or `from` when it is off."""
    errors = []
    after = None
    if cursor is not None:
        try:
            after = decode_cursor(cursor)
        except InvalidCursorError:
            errors.append({"field": "cursor", "message": "not a cursor"})
    if not 1 <= limit <= MAX_PAGE_SIZE:
        errors.append({"field": "limit", "message": f"must be 1 to {MAX_PAGE_SIZE}"})
    if date_from and date_to and date_from > date_to:
        errors.append({"field": "from", "message": "must not be after 'to'"})
    if errors:
        raise InvalidInput("Invalid page request.", errors=errors)
    return PageRequest(after, limit, exercise, date_from, date_to)


PageDep = Annotated[PageRequest, Depends(page_request)]


def _send(reply: Reply) -> Response:
    return Response(reply.body, status_code=reply.status, media_type="application/json")


@router.post(
    "/members/{member_id}/sets",
    status_code=201,
    response_model=SetOut,
    summary="Log a set (opens the day's session on the first one)",
)
def log_set(
    member_id: uuid.UUID,
    body: SetBody,
    uow: UowDep,
    caller: CallerDep,
    idempotency: RequiredIdempotencyDep,
    now: NowDep,
) -> Response:
    return _send(handlers.log_set(uow, caller, member_id, body.entry(), idempotency, now=now))


@router.get(
    "/members/{member_id}/sets",
    response_model=list[SetOut],
    summary="The member's sets of one local day, oldest first",
)
def sets_of_day(
    member_id: uuid.UUID,
    uow: UowDep,
    caller: CallerDep,
    now: NowDep,
    local_date: date | None = None,
) -> list[SetOut]:
    return queries.sets_of_day(uow, caller, member_id, local_date, now=now)


@router.get(
    "/members/{member_id}/sets/{set_id}",
    response_model=SetDetailOut,
    summary="One set with its audit trail",
)
def set_detail(
    member_id: uuid.UUID, set_id: uuid.UUID, uow: UowDep, caller: CallerDep
) -> SetDetailOut:
    return queries.set_detail(uow, caller, member_id, set_id)


@router.patch(
    "/members/{member_id}/sets/{set_id}",
    response_model=SetOut,
    summary="Correct a set (members: 24 h; staff: any time)",
)
def correct_set(
    member_id: uuid.UUID,
    set_id: uuid.UUID,
    body: CorrectionBody,
    uow: UowDep,
    caller: CallerDep,
    idempotency: IdempotencyDep,
    now: NowDep,
) -> Response:
    return _send(
        handlers.correct_set(
            uow, caller, member_id, set_id, body.correction(), body.reason, idempotency, now=now
        )
    )


@router.delete(
    "/members/{member_id}/sets/{set_id}",
    response_model=SetOut,
    summary="Void a set (members: 24 h; staff: any time)",
)
def void_set(
    member_id: uuid.UUID,
    set_id: uuid.UUID,
    uow: UowDep,
    caller: CallerDep,
    idempotency: IdempotencyDep,
    now: NowDep,
    reason: Annotated[str | None, Query(max_length=500)] = None,
) -> Response:
    return _send(handlers.void_set(uow, caller, member_id, set_id, reason, idempotency, now=now))


@router.post(
    "/members/{member_id}/sessions",
    status_code=201,
    response_model=SessionOut,
    summary="Open today's session before the first set (200 when one is open)",
)
def open_session(
    member_id: uuid.UUID,
    uow: UowDep,
    caller: CallerDep,
    idempotency: IdempotencyDep,
    now: NowDep,
    body: OpenSessionBody | None = None,
) -> Response:
    program_day = body.program_day if body else None
    return _send(handlers.open_session(uow, caller, member_id, program_day, idempotency, now=now))


@router.post(
    "/members/{member_id}/sessions/finish",
    response_model=FinishOut,
    summary="Finish the member's open session",
)
def finish_session(
    member_id: uuid.UUID, uow: UowDep, caller: CallerDep, idempotency: IdempotencyDep, now: NowDep
) -> Response:
    return _send(handlers.finish_session(uow, caller, member_id, idempotency, now=now))


@router.get(
    "/members/{member_id}/sessions",
    response_model=SessionPage,
    summary="The member's sessions with their sets, newest first",
)
def sessions(member_id: uuid.UUID, uow: UowDep, caller: CallerDep, page: PageDep) -> SessionPage:
    return queries.sessions_history(uow, caller, member_id, page)


@router.get(
    "/members/{member_id}/history",
    response_model=SetPage,
    summary="The member's sets, newest first",
)
def history(
    member_id: uuid.UUID,
    uow: UowDep,
    caller: CallerDep,
    page: PageDep,
    include_voided: bool = False,
) -> SetPage:
    return queries.history(uow, caller, member_id, page, include_voided=include_voided)


@router.get(
    "/members/{member_id}/audit",
    response_model=AuditPage,
    summary="The member's sets with their audit trails, newest first",
)
def audit(member_id: uuid.UUID, uow: UowDep, caller: CallerDep, page: PageDep) -> AuditPage:
    return queries.audit_history(uow, caller, member_id, page)


@router.get(
    "/members/{member_id}/export",
    response_model=Export,
    summary="Every log of the member, as JSON or CSV (one row per set)",
)
def export(
    member_id: uuid.UUID,
    uow: UowDep,
    caller: CallerDep,
    now: NowDep,
    format: Literal["json", "csv"] = "json",
) -> Response:
    data = queries.export(uow, caller, member_id, now=now)
    if format == "csv":
        return Response(
            data.as_csv(),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="sets-{member_id}.csv"'},
        )
    return Response(
        data.model_dump_json(),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="logs-{member_id}.json"'},
    )
