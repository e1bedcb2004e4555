"""The trainer's use cases: catalog, programs, assignments, progress, attention.

Members and gyms live in the gateway's database, so the gateway checks they belong to
the trainer's chain before it asks a service anything about them.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel

from gateway_service import queries
from gateway_service.domain.attention import Assigned, reasons, urgency
from gateway_service.domain.loads import as_decimal, in_unit, present_progress, present_set
from gateway_service.domain.reasons import explain_progress
from gateway_service.domain.today import local_date
from gateway_service.principals import TrainerPrincipal
from gateway_service.repository import GatewayRepository
from gateway_service.schemas.catalog import ExerciseIn, ExerciseOut, ExercisePatch
from gateway_service.schemas.gyms import AttentionOut
from gateway_service.schemas.identity import GymOut
from gateway_service.schemas.kiosk import SetOut
from gateway_service.schemas.members import (
    AssignmentIn,
    AssignmentOut,
    AuditedSetOut,
    MemberOut,
    MemberSetsOut,
    TrainerSetPatch,
)
from gateway_service.schemas.programs import CheckOut, ProgramIn, ProgramOut
from gateway_service.schemas.progress import ProgressOut
from gateway_service.service_clients import Services
from myokine.unit_of_work import UnitOfWork
from myokine.units import Unit, to_kg

Uow = UnitOfWork[GatewayRepository]


def _key(idempotency_key: str | None) -> str:
    """The client's Idempotency-Key, or a fresh one.

    Trainer writes may omit it (docs/api.md); the program service wants one on every write.
    """
    return idempotency_key or f"gateway-{uuid.uuid4().hex}"


def _write_to_program(
    services: Services,
    trainer: TrainerPrincipal,
    method: str,
    path: str,
    body: BaseModel,
    idempotency_key: str | None,
) -> Any:
    """A trainer's write to the program service, with the fields the trainer gave."""
    return services.program.call(
        method,
        path,
        trainer.caller(),
        json=body.model_dump(mode="json", exclude_none=True),
        idempotency_key=_key(idempotency_key),
    )


def list_exercises(services: Services, trainer: TrainerPrincipal) -> list[ExerciseOut]:
    """The chain's exercise catalog."""
    found = services.program.call("GET", "/exercises", trainer.caller())
    return [ExerciseOut.model_validate(e) for e in found]


def add_exercise(
    services: Services, trainer: TrainerPrincipal, body: ExerciseIn, idempotency_key: str | None
) -> ExerciseOut:
    """A chain admin's new exercise; the program service checks the role and the slug."""
    added = _write_to_program(services, trainer, "POST", "/exercises", body, idempotency_key)
    return ExerciseOut.model_validate(added)


def change_exercise(
    services: Services,
    trainer: TrainerPrincipal,
    slug: str,
    body: ExercisePatch,
    idempotency_key: str | None,
) -> ExerciseOut:
    """A chain admin's change to one of the chain's own exercises."""
    path = f"/exercises/{slug}"
    changed = _write_to_program(services, trainer, "PATCH", path, body, idempotency_key)
    return ExerciseOut.model_validate(changed)


def list_programs(services: Services, trainer: TrainerPrincipal) -> list[ProgramOut]:
    """The chain's programs."""
    found = services.program.call("GET", "/programs", trainer.caller())
    return [ProgramOut.model_validate(p) for p in found]


def get_program(services: Services, trainer: TrainerPrincipal, program_id: uuid.UUID) -> ProgramOut:
    """One program of the chain."""
    found = services.program.call("GET", f"/programs/{program_id}", trainer.caller())
    return ProgramOut.model_validate(found)


def create_program(
    services: Services, trainer: TrainerPrincipal, body: ProgramIn, idempotency_key: str | None
) -> ProgramOut:
    """Save a program; the program service refuses one that does not conform (422)."""
    saved = _write_to_program(services, trainer, "POST", "/programs", body, idempotency_key)
    return ProgramOut.model_validate(saved)


def update_program(
    services: Services,
    trainer: TrainerPrincipal,
    program_id: uuid.UUID,
    body: ProgramIn,
    idempotency_key: str | None,
) -> ProgramOut:
    """Edit a program: a new version (assignments keep theirs until moved); refused 422 like
    a new program when it does not conform."""
    saved = _write_to_program(
        services, trainer, "PUT", f"/programs/{program_id}", body, idempotency_key
    )
    return ProgramOut.model_validate(saved)


def program_versions(
    services: Services, trainer: TrainerPrincipal, program_id: uuid.UUID
) -> list[ProgramOut]:
    """Every version of a program of the chain, newest first."""
    found = services.program.call("GET", f"/programs/{program_id}/versions", trainer.caller())
    return [ProgramOut.model_validate(p) for p in found]


def check_program(services: Services, trainer: TrainerPrincipal, body: ProgramIn) -> CheckOut:
    """Whether a program conforms to the protocol, without saving it."""
    checked = services.program.call(
        "POST",
        "/programs/check",
        trainer.caller(),
        json=body.model_dump(mode="json", exclude_none=True),
    )
    return CheckOut.model_validate(checked)


def assign_program(
    uow: Uow,
    services: Services,
    trainer: TrainerPrincipal,
    member_id: uuid.UUID,
    body: AssignmentIn,
    idempotency_key: str | None,
) -> AssignmentOut:
    """Assign a program of the chain to a member of the chain.

    Starting loads come in the member's unit (docs/api.md); the program service keeps
    them in kg, exactly. The answer shows them in the member's unit and in kg.
    """
    unit = Unit(queries.get_member(uow, trainer, member_id).unit)
    request = body.model_dump(mode="json", exclude_none=True)
    if body.starting_loads:
        request["starting_loads"] = {
            slug: str(to_kg(load, unit)) for slug, load in body.starting_loads.items()
        }
    assigned = services.program.call(
        "POST",
        f"/members/{member_id}/assignments",
        trainer.caller(),
        json=request,
        idempotency_key=_key(idempotency_key),
    )
    return _assignment(assigned, unit)


def _assignment(assigned: dict[str, Any], unit: Unit) -> AssignmentOut:
    """An assignment as program answers it, its starting loads in the member's unit and kg."""
    in_kg = {slug: as_decimal(kg) for slug, kg in (assigned.get("starting_loads") or {}).items()}
    return AssignmentOut.model_validate(
        {
            **assigned,
            "starting_loads": {slug: in_unit(kg, unit) for slug, kg in in_kg.items()},
            "starting_loads_kg": in_kg,
        }
    )


def assignment_history(
    uow: Uow, services: Services, trainer: TrainerPrincipal, member_id: uuid.UUID
) -> list[AssignmentOut]:
    """A member's assignments, newest first (the active one has `active: true`)."""
    unit = Unit(queries.get_member(uow, trainer, member_id).unit)
    found = services.program.call("GET", f"/members/{member_id}/assignments", trainer.caller())
    return [_assignment(a, unit) for a in found]


def end_assignment(
    uow: Uow,
    services: Services,
    trainer: TrainerPrincipal,
    member_id: uuid.UUID,
    idempotency_key: str | None,
) -> AssignmentOut:
    """End the member's active assignment (404 `no-assignment` without one)."""
    unit = Unit(queries.get_member(uow, trainer, member_id).unit)
    ended = services.program.call(
        "DELETE",
        f"/members/{member_id}/assignments/current",
        trainer.caller(),
        idempotency_key=_key(idempotency_key),
    )
    return _assignment(ended, unit)


def member_sets(
    uow: Uow,
    services: Services,
    trainer: TrainerPrincipal,
    member_id: uuid.UUID,
    cursor: str | None,
    limit: int,
) -> MemberSetsOut:
    """A page of a member's sets, newest first, voided ones too, each with its audit trail;
    loads in the member's unit beside kg."""
    unit = Unit(queries.get_member(uow, trainer, member_id).unit)
    params = {"limit": str(limit), **({"cursor": cursor} if cursor else {})}
    page = services.logging.call(
        "GET", f"/members/{member_id}/audit", trainer.caller(), params=params
    )
    return MemberSetsOut(
        items=[
            AuditedSetOut.model_validate(present_set(item, unit)) for item in page.get("items", [])
        ],
        next_cursor=page.get("next_cursor"),
    )


def correct_member_set(
    uow: Uow,
    services: Services,
    trainer: TrainerPrincipal,
    member_id: uuid.UUID,
    set_id: uuid.UUID,
    body: TrainerSetPatch,
    idempotency_key: str | None,
) -> SetOut:
    """A trainer's correction of a member's set, with its reason kept in the audit trail; a
    load sent without a unit is in the member's unit."""
    unit = Unit(queries.get_member(uow, trainer, member_id).unit)
    changes = body.model_dump(mode="json", exclude_unset=True)
    if "load" in changes and not changes.get("unit"):
        changes["unit"] = unit.value
    corrected = services.logging.call(
        "PATCH",
        f"/members/{member_id}/sets/{set_id}",
        trainer.caller(),
        json=changes,
        idempotency_key=_key(idempotency_key),
    )
    return SetOut.model_validate(present_set(corrected, unit))


def void_member_set(
    uow: Uow,
    services: Services,
    trainer: TrainerPrincipal,
    member_id: uuid.UUID,
    set_id: uuid.UUID,
    reason: str,
    idempotency_key: str | None,
) -> SetOut:
    """A trainer voids a member's set; the reason is kept in the audit trail."""
    unit = Unit(queries.get_member(uow, trainer, member_id).unit)
    voided = services.logging.call(
        "DELETE",
        f"/members/{member_id}/sets/{set_id}",
        trainer.caller(),
        params={"reason": reason},
        idempotency_key=_key(idempotency_key),
    )
    return SetOut.model_validate(present_set(voided, unit))


def member_progress(
    uow: Uow, services: Services, trainer: TrainerPrincipal, member_id: uuid.UUID
) -> ProgressOut:
    """A member's progress, as the kiosk shows it, with loads in the member's unit."""
    member, home = queries.member_and_home_gym(uow, trainer, member_id)
    return progress_at_home(services, trainer, member, home)


def progress_at_home(
    services: Services, trainer: TrainerPrincipal, member: MemberOut, home: GymOut
) -> ProgressOut:
    """A member's progress, asked about their home gym (its week, its time zone)."""
    caller = trainer.caller(home.id, home.timezone)
    doc = services.progression.call("GET", f"/members/{member.id}/progress", caller)
    return ProgressOut.model_validate(
        explain_progress(present_progress(doc, member.unit), member.unit)
    )


def gym_attention(
    uow: Uow, services: Services, trainer: TrainerPrincipal, gym_id: uuid.UUID, *, now: datetime
) -> AttentionOut:
    """The members of a gym you work in who need a trainer (those whose home it is and those
    progression saw training there), most urgent first, each with its reasons: no program,
    a stalled lift and since when, behind this week's pace, missed sessions, a record."""
    gym = queries.gym_of_chain(uow, trainer, gym_id)
    caller = trainer.caller(gym.id, gym.timezone)
    doc = services.progression.call("GET", f"/gyms/{gym_id}/attention", caller)
    seen = {uuid.UUID(str(entry["member_id"])): entry for entry in doc.get("members") or []}
    home, names = queries.gym_members_and_names(uow, trainer, gym_id, list(seen))
    everyone = list(dict.fromkeys([*seen, *home]))
    active = services.program.call(
        "POST", "/assignments/active", caller, json={"member_ids": [str(m) for m in everyone]}
    )
    assigned = {
        uuid.UUID(str(a["member_id"])): Assigned(
            frozenset(int(d) for d in a["weekdays"]), date.fromisoformat(str(a["start_date"]))
        )
        for a in active
    }
    today = date.fromisoformat(local_date(gym.timezone, now))
    members = []
    for member_id in everyone:
        entry = seen.get(member_id)
        why = reasons(entry, assigned.get(member_id), today)
        if not why:
            continue
        base = entry or {"stalled": [], "week": {}, "on_protocol": None}
        members.append(
            {
                "member_id": member_id,
                "name": names.get(member_id),
                "stalled": base["stalled"],
                "week": base["week"],
                "on_protocol": base["on_protocol"],
                "no_program": member_id not in assigned,
                "reasons": why,
                "urgency": urgency(why),
            }
        )
    members.sort(key=lambda m: (-m["urgency"], m["name"] is None, m["name"] or ""))
    return AttentionOut.model_validate({"gym_id": gym_id, "gym_name": gym.name, "members": members})
