"""Members a trainer manages: list, read, add, change, reset a PIN, import many, assign a
program, see progress."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, status
from starlette.concurrency import run_in_threadpool

from gateway_service import queries
from gateway_service.api.deps import DepsDep, OptionalIdempotencyKey, TrainerDep, UowDep
from gateway_service.api.errors import problems
from gateway_service.domain.member_import import UnreadableImportError, read_rows
from gateway_service.handlers import members
from gateway_service.handlers import trainer as handlers
from gateway_service.schemas.kiosk import SetOut
from gateway_service.schemas.members import (
    AssignmentIn,
    AssignmentOut,
    ImportOut,
    MemberChange,
    MemberCreated,
    MemberIn,
    MemberOut,
    MemberSetsOut,
    PinIn,
    PinOut,
    TrainerSetPatch,
)
from gateway_service.schemas.progress import ProgressOut
from myokine.problems import InvalidInput, UnsupportedMediaType

IMPORT_TYPES = ("text/csv", "application/x-ndjson", "application/jsonl", "application/json")

router = APIRouter(prefix="/v1/members", tags=["members"])
IMPORT_PATH = "/v1/members/import"
"""The one call that takes an upload-sized body (`MAX_UPLOAD_BYTES`)."""


@router.get("", summary="The members you manage", responses=problems(401, 403))
def list_members(uow: UowDep, trainer: TrainerDep) -> list[MemberOut]:
    """A trainer's: the members of their gyms and those who trained there in the last 30
    days; a chain admin's: every member of the chain. By name."""
    return queries.list_members(uow, trainer)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Add a member",
    responses=problems(401, 403, 404, 409, 422),
)
def add_member(uow: UowDep, trainer: TrainerDep, body: MemberIn) -> MemberCreated:
    """A new member whose home is a gym you work in; a PIN left out is generated and
    answered this once."""
    return members.create_member(uow, trainer, body)


_IMPORT_BODY = {
    "content": {
        "text/csv": {
            "schema": {"type": "string"},
            "example": (
                "name,badge,pin,home_gym,unit,external_id\n"
                "Ada Lovelace,1001,4821,Downtown,kg,crm-1\n"
            ),
        },
        "application/x-ndjson": {
            "schema": {"type": "string"},
            "example": '{"name": "Ada Lovelace", "badge": "1001", "home_gym": "Downtown"}\n',
        },
    },
    "required": True,
}


@router.post(
    IMPORT_PATH.removeprefix(router.prefix),
    summary="Import members from CSV or JSON lines",
    description="One member a row: `name`, `badge`, `pin`?, `home_gym` (name or id of a gym you "
    "work in), `unit`?, `external_id`?. Rows match existing members on `external_id`, then "
    "`badge`; importing the same file again changes nothing. Each bad row is left out with "
    "its errors (row and field) and never stops the others. Send `Content-Type: text/csv` "
    "(with a header row) or `application/x-ndjson`; at most 20,000 rows.",
    responses=problems(401, 403, 415, 422),
    openapi_extra={"requestBody": _IMPORT_BODY},
)
async def import_members(uow: UowDep, trainer: TrainerDep, request: Request) -> ImportOut:
    """Create and update many members at once."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind not in IMPORT_TYPES:
        raise UnsupportedMediaType("Send the import as text/csv or application/x-ndjson.")
    body = await request.body()
    try:
        rows = read_rows(body, kind)
    except UnreadableImportError as exc:
        raise InvalidInput(
            f"The import cannot be read: {exc}", errors=[{"field": "body", "message": str(exc)}]
        ) from exc
    return await run_in_threadpool(members.import_members, uow, trainer, rows)


@router.get("/{member_id}", summary="One member", responses=problems(401, 403, 404))
def get_member(uow: UowDep, trainer: TrainerDep, member_id: uuid.UUID) -> MemberOut:
    """A member you manage (another chain's member is not found)."""
    return queries.get_member(uow, trainer, member_id)


@router.patch(
    "/{member_id}",
    summary="Change a member",
    responses=problems(401, 403, 404, 409, 422),
)
def change_member(
    uow: UowDep, trainer: TrainerDep, member_id: uuid.UUID, body: MemberChange
) -> MemberOut:
    """Name, badge, unit, home gym, external id; `active: false` deactivates the member
    (their badge stops working at once, their history stays)."""
    return members.change_member(uow, trainer, member_id, body)


@router.post(
    "/{member_id}/pin",
    summary="Reset a member's PIN",
    responses=problems(401, 403, 404, 422),
)
def reset_pin(uow: UowDep, trainer: TrainerDep, member_id: uuid.UUID, body: PinIn) -> PinOut:
    """A new PIN (the one sent, or a generated one answered once); the badge's wrong PINs are
    forgotten at every kiosk."""
    return members.reset_member_pin(uow, trainer, member_id, body)


@router.post(
    "/{member_id}/assignments",
    status_code=status.HTTP_201_CREATED,
    summary="Assign a program to a member",
    responses=problems(401, 403, 404, 409, 422),
)
def assign_program(
    deps: DepsDep,
    uow: UowDep,
    trainer: TrainerDep,
    member_id: uuid.UUID,
    body: AssignmentIn,
    key: OptionalIdempotencyKey = None,
) -> AssignmentOut:
    """Assign a program of the chain; it replaces the member's current one."""
    return handlers.assign_program(uow, deps.services, trainer, member_id, body, key)


@router.get(
    "/{member_id}/assignments",
    summary="A member's assignments",
    responses=problems(401, 403, 404),
)
def assignments(
    deps: DepsDep, uow: UowDep, trainer: TrainerDep, member_id: uuid.UUID
) -> list[AssignmentOut]:
    """Every program the member was assigned, newest first; the active one has `active: true`."""
    return handlers.assignment_history(uow, deps.services, trainer, member_id)


@router.delete(
    "/{member_id}/assignments/current",
    summary="End a member's assignment",
    responses=problems(401, 403, 404),
)
def end_assignment(
    deps: DepsDep,
    uow: UowDep,
    trainer: TrainerDep,
    member_id: uuid.UUID,
    key: OptionalIdempotencyKey = None,
) -> AssignmentOut:
    """End the active assignment: the member has no program until one is assigned (404
    `no-assignment` when there is none)."""
    return handlers.end_assignment(uow, deps.services, trainer, member_id, key)


@router.get(
    "/{member_id}/sets",
    summary="A member's sets with their audit trails",
    responses=problems(401, 403, 404, 422),
)
def member_sets(
    deps: DepsDep,
    uow: UowDep,
    trainer: TrainerDep,
    member_id: uuid.UUID,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> MemberSetsOut:
    """The member's sets, newest first, voided ones too, each with who changed it, when and
    why; the next page with `cursor=next_cursor`."""
    return handlers.member_sets(uow, deps.services, trainer, member_id, cursor, limit)


@router.patch(
    "/{member_id}/sets/{set_id}",
    summary="Correct a member's set",
    responses=problems(401, 403, 404, 409, 422),
)
def correct_set(
    deps: DepsDep,
    uow: UowDep,
    trainer: TrainerDep,
    member_id: uuid.UUID,
    set_id: uuid.UUID,
    body: TrainerSetPatch,
    key: OptionalIdempotencyKey = None,
) -> SetOut:
    """Change the fields sent, with the reason kept in the set's audit trail; targets and
    records follow within moments."""
    return handlers.correct_member_set(uow, deps.services, trainer, member_id, set_id, body, key)


@router.delete(
    "/{member_id}/sets/{set_id}",
    summary="Void a member's set",
    responses=problems(401, 403, 404, 409, 422),
)
def void_set(
    deps: DepsDep,
    uow: UowDep,
    trainer: TrainerDep,
    member_id: uuid.UUID,
    set_id: uuid.UUID,
    reason: Annotated[str, Query(min_length=1, max_length=500)],
    key: OptionalIdempotencyKey = None,
) -> SetOut:
    """The set no longer counts for anything; the reason is kept in its audit trail."""
    return handlers.void_member_set(uow, deps.services, trainer, member_id, set_id, reason, key)


@router.get(
    "/{member_id}/progress",
    summary="A member's progress",
    responses=problems(401, 403, 404),
)
def member_progress(
    deps: DepsDep, uow: UowDep, trainer: TrainerDep, member_id: uuid.UUID
) -> ProgressOut:
    """The member's progress, as their kiosk shows it."""
    return handlers.member_progress(uow, deps.services, trainer, member_id)
