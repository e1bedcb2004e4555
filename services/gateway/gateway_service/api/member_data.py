"""A member's data for a GDPR request: export it, or erase the member in every service."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response, status

from gateway_service.api.deps import DepsDep, NowDep, TrainerDep, UowDep
from gateway_service.api.errors import problems
from gateway_service.handlers import member_data
from gateway_service.schemas.member_data import ErasureOut, MemberExport

router = APIRouter(prefix="/v1/members", tags=["members"])

ExportFormat = Annotated[
    Literal["json", "csv"],
    Query(description="`json`: the whole export; `csv`: the sets with their audit trail."),
]


@router.get(
    "/{member_id}/export",
    summary="Everything the chain holds about a member",
    response_model=MemberExport,
    responses={
        200: {
            "description": "An attachment: the export as JSON, or the sets as CSV.",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        },
        **problems(401, 403, 404, 422),
    },
)
def export_member(
    deps: DepsDep,
    uow: UowDep,
    trainer: TrainerDep,
    now: NowDep,
    member_id: uuid.UUID,
    format: ExportFormat = "json",
) -> Response:
    """A member's data for a GDPR access request (a trainer managing them, or a chain admin),
    as an attachment. Every load is in kg and in the member's unit.

    `format=json`: one document with a section per kind: `profile` (the gateway's: never
    the PIN), `sessions` and `sets` with each set's audit trail (logging), `assignments`
    (program), `targets`, `records`, `weeks`, `streaks` and `milestones` (progression).

    `format=csv` (`text/csv`): only the sets, one row per version of each set (as logged,
    then after each correction or void, with who, when and why), each row carrying the
    member's profile columns (id, name, badge, external id, home gym, unit).

    When a service does not answer the export fails (`503`) rather than leave a section out.
    """
    export = member_data.export_member(uow, deps.services, trainer, member_id, now=now)
    if format == "csv":
        return Response(
            member_data.export_csv(export),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="member-{member_id}-sets.csv"'},
        )
    return Response(
        export.model_dump_json(),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="member-{member_id}.json"'},
    )


@router.delete(
    "/{member_id}",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Erase a member in every service",
    responses=problems(401, 403, 404, 422),
)
def erase_member(uow: UowDep, trainer: TrainerDep, member_id: uuid.UUID) -> ErasureOut:
    """A GDPR erasure (chain admins only; a trainer is refused `403`). The gateway deletes
    the member at once (they can no longer sign in) and tells program, logging and
    progression, which delete every row that names them within moments; each keeps only
    a one-way digest of the member's id, so nothing of theirs that was still on its way
    is stored. The answer is `202`: the erasure is under way. Erasing them again is `404`.
    """
    return member_data.erase_member(uow, trainer, member_id)
