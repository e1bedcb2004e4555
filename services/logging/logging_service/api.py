"""The logging service's HTTP API (docs/internal-api.md, logging): parse, call a handler."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import Response

from logging_service import handlers
from logging_service.domain.pagination import DEFAULT_PAGE_SIZE
from logging_service.idempotency import Reply
from logging_service.schemas import (
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
from myokine.idempotency import IdempotentRequest, fingerprint
from myokine.internal_auth import Caller, caller_from_header
from myokine.service_runtime import ServiceRuntime

router = APIRouter(prefix="/internal/v1", tags=["logging"])


def _runtime(request: Request) -> ServiceRuntime:
    runtime: ServiceRuntime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[ServiceRuntime, Depends(_runtime)]


def _caller(runtime: RuntimeDep, authorization: Annotated[str | None, Header()] = None) -> Caller:
    return caller_from_header(authorization, runtime.settings.internal_token_secret)


CallerDep = Annotated[Caller, Depends(_caller)]


async def _idempotent_request(
    request: Request,
    key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=255)] = None,
) -> IdempotentRequest | None:
    if key is None:
        return None
    body = await request.body()
    return IdempotentRequest(key, fingerprint(request.method, request.url.path, body))


async def _required_idempotent_request(
    request: Request,
    key: Annotated[str, Header(alias="Idempotency-Key", min_length=1, max_length=255)],
) -> IdempotentRequest:
    body = await request.body()
    return IdempotentRequest(key, fingerprint(request.method, request.url.path, body))


IdempotencyDep = Annotated[IdempotentRequest | None, Depends(_idempotent_request)]
RequiredIdempotencyDep = Annotated[IdempotentRequest, Depends(_required_idempotent_request)]


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
    runtime: RuntimeDep,
    caller: CallerDep,
    idempotency: RequiredIdempotencyDep,
) -> Response:
    return _send(handlers.log_set(runtime, caller, member_id, body.entry(), idempotency))


@router.get(
    "/members/{member_id}/sets",
    response_model=list[SetOut],
    summary="The member's sets of one local day, oldest first",
)
def sets_of_day(
    member_id: uuid.UUID,
    runtime: RuntimeDep,
    caller: CallerDep,
    local_date: date | None = None,
) -> list[SetOut]:
    return handlers.sets_of_day(runtime, caller, member_id, local_date)


@router.get(
    "/members/{member_id}/sets/{set_id}",
    response_model=SetDetailOut,
    summary="One set with its audit trail",
)
def set_detail(
    member_id: uuid.UUID, set_id: uuid.UUID, runtime: RuntimeDep, caller: CallerDep
) -> SetDetailOut:
    return handlers.set_detail(runtime, caller, member_id, set_id)


@router.patch(
    "/members/{member_id}/sets/{set_id}",
    response_model=SetOut,
    summary="Correct a set (members: 24 h; staff: any time)",
)
def correct_set(
    member_id: uuid.UUID,
    set_id: uuid.UUID,
    body: CorrectionBody,
    runtime: RuntimeDep,
    caller: CallerDep,
    idempotency: IdempotencyDep,
) -> Response:
    return _send(
        handlers.correct_set(
            runtime, caller, member_id, set_id, body.correction(), body.reason, idempotency
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
    runtime: RuntimeDep,
    caller: CallerDep,
    idempotency: IdempotencyDep,
    reason: Annotated[str | None, Query(max_length=500)] = None,
) -> Response:
    return _send(handlers.void_set(runtime, caller, member_id, set_id, reason, idempotency))


@router.post(
    "/members/{member_id}/sessions",
    status_code=201,
    response_model=SessionOut,
    summary="Open today's session before the first set (200 when one is open)",
)
def open_session(
    member_id: uuid.UUID,
    runtime: RuntimeDep,
    caller: CallerDep,
    idempotency: IdempotencyDep,
    body: OpenSessionBody | None = None,
) -> Response:
    program_day = body.program_day if body else None
    return _send(handlers.open_session(runtime, caller, member_id, program_day, idempotency))


@router.post(
    "/members/{member_id}/sessions/finish",
    response_model=FinishOut,
    summary="Finish the member's open session",
)
def finish_session(
    member_id: uuid.UUID, runtime: RuntimeDep, caller: CallerDep, idempotency: IdempotencyDep
) -> Response:
    return _send(handlers.finish_session(runtime, caller, member_id, idempotency))


@router.get(
    "/members/{member_id}/sessions",
    response_model=SessionPage,
    summary="The member's sessions with their sets, newest first",
)
def sessions(
    member_id: uuid.UUID,
    runtime: RuntimeDep,
    caller: CallerDep,
    cursor: str | None = None,
    limit: int = DEFAULT_PAGE_SIZE,
    exercise: str | None = None,
    date_from: Annotated[date | None, Query(alias="from")] = None,
    date_to: Annotated[date | None, Query(alias="to")] = None,
) -> SessionPage:
    return handlers.sessions_history(
        runtime,
        caller,
        member_id,
        cursor=cursor,
        limit=limit,
        exercise=exercise,
        date_from=date_from,
        date_to=date_to,
    )


@router.get(
    "/members/{member_id}/history",
    response_model=SetPage,
    summary="The member's sets, newest first",
)
def history(
    member_id: uuid.UUID,
    runtime: RuntimeDep,
    caller: CallerDep,
    cursor: str | None = None,
    limit: int = DEFAULT_PAGE_SIZE,
    exercise: str | None = None,
    date_from: Annotated[date | None, Query(alias="from")] = None,
    date_to: Annotated[date | None, Query(alias="to")] = None,
    include_voided: bool = False,
) -> SetPage:
    return handlers.history(
        runtime,
        caller,
        member_id,
        cursor=cursor,
        limit=limit,
        exercise=exercise,
        date_from=date_from,
        date_to=date_to,
        include_voided=include_voided,
    )


CSV_COLUMNS = tuple(SetOut.model_fields)


def _cell(value: object) -> str:
    """A CSV cell: exact decimals, ISO times, empty for none."""
    if value is None:
        return ""
    if isinstance(value, date):  # dates and datetimes
        return value.isoformat()
    return str(value)


def _csv(export: Export) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in export.sets:
        values = row.model_dump()
        writer.writerow([_cell(values[c]) for c in CSV_COLUMNS])
    return out.getvalue()


@router.get(
    "/members/{member_id}/export",
    response_model=Export,
    summary="Every log of the member, as JSON or CSV (one row per set)",
)
def export(
    member_id: uuid.UUID,
    runtime: RuntimeDep,
    caller: CallerDep,
    format: Literal["json", "csv"] = "json",
) -> Response:
    data = handlers.export(runtime, caller, member_id)
    if format == "csv":
        return Response(
            _csv(data),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="sets-{member_id}.csv"'},
        )
    return Response(
        data.model_dump_json(),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="logs-{member_id}.json"'},
    )
