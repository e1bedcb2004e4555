"""The trainer's use cases: catalog, programs, members, assignments, progress, attention.

Members and gyms live in the gateway's database, so the gateway checks they belong to
the trainer's chain before it asks a service anything about them.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from gateway_service import repository as repo
from gateway_service.domain.loads import present_progress
from gateway_service.principals import TrainerPrincipal
from gateway_service.service_clients import Services
from myokine.db import transaction
from myokine.problems import NotFound
from myokine.units import Unit

Sessions = sessionmaker[Session]


def _key(idempotency_key: str | None) -> str:
    """The client's Idempotency-Key, or a fresh one.

    Trainer writes may omit it (API.md); the program service wants one on every write.
    """
    return idempotency_key or f"gateway-{uuid.uuid4().hex}"


def member_view(member: repo.Member) -> dict[str, Any]:
    """A member as trainers see them (never the PIN hash)."""
    return {
        "id": member.id,
        "name": member.name,
        "badge": member.badge,
        "home_gym_id": member.home_gym_id,
        "unit": member.unit,
        "locked_until": member.locked_until,
        "created_at": member.created_at,
    }


def list_members(sessions: Sessions, trainer: TrainerPrincipal) -> list[dict[str, Any]]:
    """The members of the trainer's chain."""
    with transaction(sessions) as session:
        return [member_view(m) for m in repo.members_of_chain(session, trainer.chain_id)]


def _member(sessions: Sessions, trainer: TrainerPrincipal, member_id: uuid.UUID) -> repo.Member:
    with transaction(sessions) as session:
        member = repo.member_in_chain(session, trainer.chain_id, member_id)
    if member is None:
        raise NotFound("No such member.")
    return member


def get_member(
    sessions: Sessions, trainer: TrainerPrincipal, member_id: uuid.UUID
) -> dict[str, Any]:
    """One member of the trainer's chain."""
    return member_view(_member(sessions, trainer, member_id))


def list_exercises(services: Services, trainer: TrainerPrincipal) -> Any:
    """The chain's exercise catalog."""
    return services.program.call("GET", "/exercises", trainer.caller())


def list_programs(services: Services, trainer: TrainerPrincipal) -> Any:
    """The chain's programs."""
    return services.program.call("GET", "/programs", trainer.caller())


def get_program(services: Services, trainer: TrainerPrincipal, program_id: uuid.UUID) -> Any:
    """One program of the chain."""
    return services.program.call("GET", f"/programs/{program_id}", trainer.caller())


def create_program(
    services: Services,
    trainer: TrainerPrincipal,
    program: dict[str, Any],
    idempotency_key: str | None,
) -> Any:
    """Save a program; the program service refuses one that does not conform (422)."""
    return services.program.call(
        "POST", "/programs", trainer.caller(), json=program, idempotency_key=_key(idempotency_key)
    )


def check_program(services: Services, trainer: TrainerPrincipal, program: dict[str, Any]) -> Any:
    """Whether a program conforms to the protocol, without saving it."""
    return services.program.call("POST", "/programs/check", trainer.caller(), json=program)


def assign_program(
    sessions: Sessions,
    services: Services,
    trainer: TrainerPrincipal,
    member_id: uuid.UUID,
    assignment: dict[str, Any],
    idempotency_key: str | None,
) -> Any:
    """Assign a program of the chain to a member of the chain."""
    _member(sessions, trainer, member_id)
    return services.program.call(
        "POST",
        f"/members/{member_id}/assignments",
        trainer.caller(),
        json=assignment,
        idempotency_key=_key(idempotency_key),
    )


def member_progress(
    sessions: Sessions, services: Services, trainer: TrainerPrincipal, member_id: uuid.UUID
) -> dict[str, Any]:
    """A member's progress, as the kiosk shows it, with loads in the member's unit."""
    with transaction(sessions) as session:
        member = repo.member_in_chain(session, trainer.chain_id, member_id)
        home = session.get(repo.Gym, member.home_gym_id) if member else None
    if member is None or home is None:
        raise NotFound("No such member.")
    caller = trainer.caller(home.id, home.timezone)
    doc = services.progression.call("GET", f"/members/{member_id}/progress", caller)
    return present_progress(doc, Unit(member.unit))


def gym_attention(
    sessions: Sessions, services: Services, trainer: TrainerPrincipal, gym_id: uuid.UUID
) -> dict[str, Any]:
    """Members of a gym of the chain who stalled or are off protocol this week, named."""
    with transaction(sessions) as session:
        gym = repo.gym_in_chain(session, trainer.chain_id, gym_id)
    if gym is None:
        raise NotFound("No such gym.")
    doc: dict[str, Any] = services.progression.call(
        "GET", f"/gyms/{gym_id}/attention", trainer.caller(gym.id, gym.timezone)
    )
    entries = doc.get("members") or []
    ids = [uuid.UUID(str(entry["member_id"])) for entry in entries]
    with transaction(sessions) as session:
        members = repo.members_by_ids(session, trainer.chain_id, ids)
    named = []
    for member_id, entry in zip(ids, entries, strict=True):
        member = members.get(member_id)
        named.append({**entry, "name": member.name if member else None})
    return {**doc, "gym_id": gym_id, "gym_name": gym.name, "members": named}
