"""A member's data for a GDPR request: export everything the chain holds about them, or
erase them in every service.

The export gathers the gateway's profile and the three services' documents at once, and
fails as a whole when one of them cannot answer: an export without one of its sections
would not be everything. The erasure deletes the gateway's rows and writes `MemberErased`
to the outbox in one transaction; program, logging and progression erase theirs when it
reaches them (docs/design.md, "Erasing a member").
"""

from __future__ import annotations

import contextvars
import csv
import io
import logging
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

from gateway_service import queries
from gateway_service.domain.loads import as_decimal, in_unit, present_set
from gateway_service.handlers.trainer import progress_at_home
from gateway_service.principals import TrainerPrincipal
from gateway_service.repository import GatewayRepository
from gateway_service.schemas.identity import GymOut
from gateway_service.schemas.member_data import (
    ErasureOut,
    ExportGym,
    ExportProfile,
    ExportSet,
    ExportVisit,
    MemberExport,
)
from gateway_service.schemas.members import MemberOut
from gateway_service.schemas.progress import ProgressOut
from gateway_service.service_clients import Services
from myokine.events import MemberErased
from myokine.problems import Forbidden, NotFound
from myokine.request_context import current_request_id
from myokine.unit_of_work import UnitOfWork
from myokine.units import Unit

Uow = UnitOfWork[GatewayRepository]

log = logging.getLogger(__name__)

ERASURE_UNDER_WAY = (
    "The member can no longer sign in and the gateway holds nothing about them; the "
    "program, logging and progression services delete their data within moments."
)

PROFILE_COLUMNS = ("member_id", "name", "badge", "external_id", "home_gym", "member_unit")
SET_COLUMNS = (
    "set_id",
    "session_id",
    "version",
    "action",
    "changed_at",
    "changed_by",
    "changed_by_role",
    "reason",
    "performed_at",
    "local_date",
    "exercise",
    "set_number",
    "load_kg",
    "load",
    "unit",
    "entered_load",
    "entered_unit",
    "reps",
    "rpe",
    "warmup",
    "voided_at",
)
CSV_COLUMNS = PROFILE_COLUMNS + SET_COLUMNS
"""The export's CSV: one row per version of each set, each with the member's profile."""

# A correction may change every column of a set from its exercise on (not when it was done).
_CHANGEABLE = SET_COLUMNS[SET_COLUMNS.index("exercise") :]

# Text a person typed (a name, a reason) that a spreadsheet would run as a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_TYPED_COLUMNS = {"name", "badge", "external_id", "home_gym", "changed_by", "reason", "exercise"}


def _at_once(*calls: Callable[[], Any]) -> list[Any]:
    """Run calls at once, each in a copy of this context (so the request id follows)."""
    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        running = [pool.submit(contextvars.copy_context().run, call) for call in calls]
        return [r.result() for r in running]


def export_member(
    uow: Uow,
    services: Services,
    trainer: TrainerPrincipal,
    member_id: uuid.UUID,
    *,
    now: datetime,
) -> MemberExport:
    """Everything the chain holds about a member the trainer manages (NotFound for another
    chain's, Forbidden outside the trainer's gyms), loads in kg and in the member's unit."""
    member, home = queries.member_and_home_gym(uow, trainer, member_id)
    profile = _profile(uow, trainer, member, home)
    caller = trainer.caller(home.id, home.timezone)
    path = f"/members/{member.id}"
    logs, assignments, progress = _at_once(
        lambda: services.logging.call("GET", f"{path}/export", caller, params={"format": "json"}),
        lambda: services.program.call("GET", f"{path}/assignments", caller),
        lambda: progress_at_home(services, trainer, member, home),
    )
    log.info(
        "member data exported",
        extra={"member_id": str(member.id), "trainer_id": str(trainer.trainer_id)},
    )
    unit = member.unit
    return MemberExport.model_validate(
        {
            "member_id": member.id,
            "exported_at": now,
            "unit": unit,
            "profile": profile,
            "sessions": logs.get("sessions") or [],
            "sets": [_set(s, unit) for s in logs.get("sets") or []],
            "assignments": [_assignment(a, unit) for a in assignments],
            **_progress_sections(progress, unit),
        }
    )


def _profile(uow: Uow, trainer: TrainerPrincipal, member: MemberOut, home: GymOut) -> ExportProfile:
    """The member as the gateway holds them, with the gyms they identified at."""
    with uow:
        row = uow.repo.member_in_chain(trainer.chain_id, member.id)
        if row is None:
            raise NotFound("No such member.")
        visits = uow.repo.member_visits(row.id)
        gyms = uow.repo.gyms_in_chain(trainer.chain_id, [v.gym_id for v in visits])
        names = {gym.id: gym.name for gym in gyms}
        return ExportProfile(
            id=row.id,
            name=row.name,
            badge=row.badge,
            external_id=row.external_id,
            unit=Unit(row.unit),
            home_gym=ExportGym.model_validate(home.model_dump()),
            active=row.active,
            created_at=row.created_at,
            visits=[
                ExportVisit(
                    gym_id=v.gym_id, gym_name=names.get(v.gym_id), last_seen_at=v.last_seen_at
                )
                for v in visits
            ],
        )


def _set(logged: dict[str, Any], unit: Unit) -> dict[str, Any]:
    """A set of logging's export, and each side of each change, in the member's unit."""
    return {
        **present_set(logged, unit),
        "changes": [
            {
                **change,
                "before": present_set(change.get("before") or {}, unit),
                "after": present_set(change.get("after") or {}, unit),
            }
            for change in logged.get("changes") or []
        ],
    }


def _assignment(assignment: dict[str, Any], unit: Unit) -> dict[str, Any]:
    """An assignment with its starting loads in the member's unit and in kg."""
    in_kg = {slug: as_decimal(kg) for slug, kg in (assignment.get("starting_loads") or {}).items()}
    return {
        **assignment,
        "starting_loads": {slug: in_unit(kg, unit) for slug, kg in in_kg.items()},
        "starting_loads_kg": in_kg,
    }


def _progress_sections(progress: ProgressOut, unit: Unit) -> dict[str, Any]:
    """Progression's document as the export's sections: targets, records, weeks, streaks
    and milestones."""
    doc = progress.model_dump()
    targets, records = {}, {}
    for slug, item in doc["exercises"].items():
        targets[slug] = {
            field: item.get(field)
            for field in (
                "working_load_kg",
                "working_load",
                "next",
                "decisions",
                "stalled",
                "calibrate",
                "last_trained",
            )
        }
        records[slug] = {
            "best_e1rm_kg": item.get("best_e1rm_kg"),
            "best_e1rm": item.get("best_e1rm"),
            "prs": [_record(pr, unit) for pr in item.get("prs") or []],
            "e1rm_series": item.get("series") or [],
        }
    return {
        "targets": targets,
        "records": records,
        "weeks": doc["weeks"],
        "streaks": doc["streaks"],
        "milestones": [
            {**m, "detail": _with_unit(m.get("detail") or {}, unit)} for m in doc["milestones"]
        ],
    }


def _record(pr: dict[str, Any], unit: Unit) -> dict[str, Any]:
    """A record with its value in kg and in the member's unit (a rep count stays one)."""
    reps_record = pr.get("kind") == "reps"
    return {
        **pr,
        "load_kg": as_decimal(pr.get("load_kg")),
        "value_kg": None if reps_record else as_decimal(pr.get("value")),
        "value": as_decimal(pr.get("value")) if reps_record else in_unit(pr.get("value"), unit),
    }


def _with_unit(detail: dict[str, Any], unit: Unit) -> dict[str, Any]:
    """A milestone's detail with each `<name>_kg` also as `<name>` in the member's unit."""
    shown: dict[str, Any] = {}
    for key, value in detail.items():
        shown[key] = _with_unit(value, unit) if isinstance(value, dict) else value
        if key.endswith("_kg") and key[:-3] not in detail and as_decimal(value) is not None:
            shown[key[:-3]] = in_unit(value, unit)
    return shown


def export_csv(export: MemberExport) -> str:
    """The export's sets as CSV: one row per version of each set (as logged, then after
    each change of its audit trail), each row with the member's profile."""
    profile = export.profile
    person = {
        "member_id": profile.id,
        "name": profile.name,
        "badge": profile.badge,
        "external_id": profile.external_id,
        "home_gym": profile.home_gym.name,
        "member_unit": profile.unit.value,
    }
    out = io.StringIO()
    writer = csv.DictWriter(out, CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for logged in export.sets:
        for row in _versions(logged):
            writer.writerow({k: _cell(k, v) for k, v in (person | row).items()})
    return out.getvalue()


def _versions(logged: ExportSet) -> list[dict[str, Any]]:
    """A set as first logged, then after each change, oldest first."""
    fixed = {
        "set_id": logged.id,
        "session_id": logged.session_id,
        "performed_at": logged.performed_at,
        "local_date": logged.local_date,
    }
    first = logged.changes[0].before if logged.changes else logged
    rows = [
        {
            **fixed,
            **_values(first),
            "version": 1,
            "action": "logged",
            "changed_at": logged.logged_at,
        }
    ]
    for number, change in enumerate(logged.changes, start=2):
        rows.append(
            {
                **fixed,
                **_values(change.after),
                "version": number,
                "action": change.action,
                "changed_at": change.changed_at,
                "changed_by": change.changed_by,
                "changed_by_role": change.changed_by_role,
                "reason": change.reason,
            }
        )
    return rows


def _values(version: Any) -> dict[str, Any]:
    """The fields of a set that a change may touch."""
    return {field: getattr(version, field) for field in _CHANGEABLE}


def _cell(column: str, value: Any) -> str:
    """A CSV cell: ISO times, exact numbers, empty for none; typed text that starts like a
    formula gets a leading apostrophe, so a spreadsheet shows it rather than runs it."""
    if value is None:
        return ""
    if isinstance(value, Unit):
        return value.value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat()
    text = str(value)
    if column in _TYPED_COLUMNS and text.startswith(_FORMULA_STARTS):
        return "'" + text
    return text


def erase_member(uow: Uow, trainer: TrainerPrincipal, member_id: uuid.UUID) -> ErasureOut:
    """Erase a member of the chain (GDPR; chain admins only): their rows here and the
    messages that name them go now, and `MemberErased` goes to the outbox in the same
    transaction, so program, logging and progression erase theirs once it reaches them.

    The member cannot sign in from then on. Erasing them again is NotFound.
    """
    if not trainer.is_admin:
        raise Forbidden("Only a chain admin may erase a member.")
    with uow:
        member = queries.managed_member(uow.repo, trainer, member_id)
        # Nothing deleted: another erasure of them committed since the read above.
        if uow.repo.erase_member(member.id) == 0:
            raise NotFound("No such member.")
        uow.forget_messages_about(member.id)
        uow.add_event(
            MemberErased(
                chain_id=trainer.chain_id, member_id=member_id, request_id=current_request_id()
            )
        )
        uow.commit()
    log.info(
        "member erased in the gateway; the services follow",
        extra={"member_id": str(member_id), "trainer_id": str(trainer.trainer_id)},
    )
    return ErasureOut(member_id=member_id, status="erasing", detail=ERASURE_UNDER_WAY)
