"""Reads of the gateway's own database: who is calling, members, gyms, tenants.

Each reads in one transaction of its unit of work, changes nothing, and answers a
principal or a schema, made before the transaction ends while its rows are loaded.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import UTC, datetime
from typing import cast

from gateway_service import credentials
from gateway_service.principals import (
    MEMBERS_SEEN_FOR,
    KioskPrincipal,
    MemberPrincipal,
    TrainerPrincipal,
)
from gateway_service.repository import GatewayRepository, Gym, Kiosk, Member, Trainer
from gateway_service.schemas.identity import ChainOut, GymOut, KioskOut, TrainerOut, TrainerRole
from gateway_service.schemas.members import MemberOut
from myokine.problems import Forbidden, NotFound, Unauthorized
from myokine.unit_of_work import UnitOfWork

Uow = UnitOfWork[GatewayRepository]


def _kiosk_principal(kiosk: Kiosk, gym: Gym) -> KioskPrincipal:
    return KioskPrincipal(
        kiosk_id=kiosk.id, chain_id=kiosk.chain_id, gym_id=gym.id, timezone=gym.timezone
    )


def trainer_principal(repo: GatewayRepository, trainer: Trainer) -> TrainerPrincipal:
    """A trainer row as the principal of their requests, with the gyms they work in."""
    gyms = repo.trainer_gym_ids([trainer.id]).get(trainer.id, set())
    return TrainerPrincipal(
        trainer_id=trainer.id,
        chain_id=trainer.chain_id,
        role=cast(TrainerRole, trainer.role),
        gym_ids=frozenset(gyms),
    )


def _not_yours() -> Forbidden:
    return Forbidden("This member is not of a gym you work in.")


def _in_scope(repo: GatewayRepository, trainer: TrainerPrincipal, member: Member) -> bool:
    """Whether the trainer manages the member: any, for a chain admin; else the members of
    their gyms and those seen at one of them lately."""
    if trainer.works_in(member.home_gym_id):
        return True
    since = datetime.now(UTC) - MEMBERS_SEEN_FOR
    return member.id in repo.members_seen_at(trainer.gym_ids, since, [member.id])


def managed_member(
    repo: GatewayRepository, trainer: TrainerPrincipal, member_id: uuid.UUID
) -> Member:
    """A member the trainer manages, inside a unit of work: NotFound for another chain's,
    Forbidden for one of the chain the trainer does not manage."""
    member = repo.member_in_chain(trainer.chain_id, member_id)
    if member is None:
        raise NotFound("No such member.")
    if not _in_scope(repo, trainer, member):
        raise _not_yours()
    return member


def managed_gym(repo: GatewayRepository, trainer: TrainerPrincipal, gym_id: uuid.UUID) -> Gym:
    """A gym the trainer works in, inside a unit of work: NotFound for another chain's,
    Forbidden for one of the chain they do not work in."""
    gym = repo.gym_in_chain(trainer.chain_id, gym_id)
    if gym is None:
        raise NotFound("No such gym.")
    if not trainer.works_in(gym.id):
        raise Forbidden("This gym is not one you work in.")
    return gym


def authenticate_kiosk(uow: Uow, token: str) -> KioskPrincipal | None:
    """The kiosk holding this device token, or None."""
    with uow:
        kiosk = uow.repo.kiosk_by_token_hash(credentials.kiosk_token_hash(token))
        if kiosk is None:
            return None
        gym = uow.repo.gym(kiosk.gym_id)
        assert gym is not None, "a kiosk's gym is never removed"
        return _kiosk_principal(kiosk, gym)


def member_at_kiosk(
    uow: Uow, member_id: uuid.UUID, kiosk_id: uuid.UUID, chain_id: uuid.UUID
) -> MemberPrincipal | None:
    """The member of a member token, at the kiosk it is bound to; None if either is gone."""
    with uow:
        return uow.repo.member_at_kiosk(chain_id, member_id, kiosk_id)


def trainer_exists(uow: Uow, trainer_id: uuid.UUID, chain_id: uuid.UUID) -> TrainerPrincipal | None:
    """The trainer of an access token as they stand now; None if removed or moved."""
    with uow:
        trainer = uow.repo.trainer(trainer_id)
        if trainer is None or trainer.chain_id != chain_id or not trainer.active:
            return None
        return trainer_principal(uow.repo, trainer)


def authenticate_trainer(uow: Uow, email: str, password: str) -> TrainerPrincipal:
    """Email and password: the trainer, or Unauthorized."""
    with uow:
        trainer = uow.repo.trainer_by_email(email)
        stored = trainer.password_hash if trainer else None
        principal = trainer_principal(uow.repo, trainer) if trainer and trainer.active else None
    # Verified either way, so a wrong email takes as long as a wrong password.
    if not credentials.verify_secret(stored, password) or principal is None:
        raise Unauthorized("Wrong email or password.", headers={"WWW-Authenticate": "Bearer"})
    return principal


def list_members(uow: Uow, trainer: TrainerPrincipal) -> list[MemberOut]:
    """The members the trainer manages (a chain admin: the whole chain), by name."""
    with uow:
        members = uow.repo.members_of_chain(trainer.chain_id)
        if not trainer.is_admin:
            since = datetime.now(UTC) - MEMBERS_SEEN_FOR
            seen = uow.repo.members_seen_at(trainer.gym_ids, since)
            members = [m for m in members if trainer.works_in(m.home_gym_id) or m.id in seen]
        return [MemberOut.model_validate(m, from_attributes=True) for m in members]


def get_member(uow: Uow, trainer: TrainerPrincipal, member_id: uuid.UUID) -> MemberOut:
    """One member the trainer manages; NotFound for another chain's, Forbidden for one of
    a gym they do not work in."""
    with uow:
        member = managed_member(uow.repo, trainer, member_id)
        return MemberOut.model_validate(member, from_attributes=True)


def member_and_home_gym(
    uow: Uow, trainer: TrainerPrincipal, member_id: uuid.UUID
) -> tuple[MemberOut, GymOut]:
    """A member the trainer manages and their home gym (NotFound, Forbidden as above)."""
    with uow:
        member = managed_member(uow.repo, trainer, member_id)
        home = uow.repo.gym(member.home_gym_id)
        if home is None:
            raise NotFound("No such member.")
        return (
            MemberOut.model_validate(member, from_attributes=True),
            GymOut.model_validate(home, from_attributes=True),
        )


def gym_of_chain(uow: Uow, trainer: TrainerPrincipal, gym_id: uuid.UUID) -> GymOut:
    """A gym the trainer works in; NotFound for another chain's, Forbidden for another."""
    with uow:
        return GymOut.model_validate(managed_gym(uow.repo, trainer, gym_id), from_attributes=True)


def gyms_of_chain(
    uow: Uow, trainer: TrainerPrincipal, gym_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, GymOut]:
    """The gyms of the trainer's chain among `gym_ids`, by id."""
    with uow:
        return {
            gym.id: GymOut.model_validate(gym, from_attributes=True)
            for gym in uow.repo.gyms_in_chain(trainer.chain_id, gym_ids)
        }


def member_names(
    uow: Uow, trainer: TrainerPrincipal, member_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, str]:
    """The names of the trainer's chain's members among `member_ids`, by id."""
    with uow:
        return {
            member_id: member.name
            for member_id, member in uow.repo.members_by_ids(trainer.chain_id, member_ids).items()
        }


def gym_members_and_names(
    uow: Uow, trainer: TrainerPrincipal, gym_id: uuid.UUID, others: Collection[uuid.UUID]
) -> tuple[list[uuid.UUID], dict[uuid.UUID, str]]:
    """The members whose home is the gym, and the names of those and of `others` (members
    of the trainer's chain seen at the gym), by id."""
    with uow:
        home = uow.repo.home_members(trainer.chain_id, gym_id)
        rest = [m for m in others if m not in home]
        names = {m: row.name for m, row in uow.repo.members_by_ids(trainer.chain_id, rest).items()}
        return list(home), {**home, **names}


def chain_named(uow: Uow, name: str) -> ChainOut | None:
    """The chain of that name, if any."""
    with uow:
        chain = uow.repo.chain_by_name(name)
        return None if chain is None else ChainOut.model_validate(chain, from_attributes=True)


def all_chains(uow: Uow) -> list[ChainOut]:
    """Every chain, by name (the operator's view)."""
    with uow:
        return [ChainOut.model_validate(c, from_attributes=True) for c in uow.repo.all_chains()]


def find_chain(uow: Uow, name: str) -> ChainOut:
    """The chain of that name; NotFound otherwise."""
    chain = chain_named(uow, name)
    if chain is None:
        raise NotFound(f"No chain named {name!r}.")
    return chain


def gyms_named(uow: Uow, chain_id: uuid.UUID) -> list[GymOut]:
    """Every gym of the chain, by name."""
    with uow:
        return [
            GymOut.model_validate(g, from_attributes=True) for g in uow.repo.gyms_of_chain(chain_id)
        ]


def gym_named(uow: Uow, chain_id: uuid.UUID, name: str) -> GymOut | None:
    """The chain's gym of that name, if any."""
    with uow:
        gym = uow.repo.gym_by_name(chain_id, name)
        return None if gym is None else GymOut.model_validate(gym, from_attributes=True)


def kiosk_named(uow: Uow, gym_id: uuid.UUID, name: str) -> KioskOut | None:
    """The gym's kiosk of that name, if any."""
    with uow:
        kiosk = uow.repo.kiosk_by_name(gym_id, name)
        return None if kiosk is None else KioskOut.model_validate(kiosk, from_attributes=True)


def trainer_named(uow: Uow, email: str) -> TrainerOut | None:
    """The trainer signing in with that email, if any."""
    with uow:
        trainer = uow.repo.trainer_by_email(email)
        return None if trainer is None else TrainerOut.model_validate(trainer, from_attributes=True)


def member_with_badge(uow: Uow, chain_id: uuid.UUID, badge: str) -> MemberOut | None:
    """The chain's member with that badge, if any."""
    with uow:
        member = uow.repo.member_by_badge(chain_id, badge)
        return None if member is None else MemberOut.model_validate(member, from_attributes=True)


def pin_works(uow: Uow, chain_id: uuid.UUID, badge: str, pin: str) -> bool:
    """Whether the member with that badge has that PIN (not counted as an attempt)."""
    with uow:
        member = uow.repo.member_by_badge(chain_id, badge)
        stored = member.pin_hash if member else None
    return credentials.verify_pin(stored, pin)
