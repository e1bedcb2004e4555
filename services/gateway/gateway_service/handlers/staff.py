"""A chain admin's use cases: the chain's gyms, trainers and kiosks.

Trainers see the gyms they work in; everything else here is a chain admin's alone. Kiosk
device tokens are shown once, when made or rotated, and only their SHA-256 is kept; a
revoked kiosk's token answers 401 from the next request on (every kiosk request reads
its row).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from gateway_service import credentials
from gateway_service.handlers.identity import check_gyms_of_chain, trainer_out
from gateway_service.handlers.identity import create_trainer as add_trainer
from gateway_service.principals import TrainerPrincipal
from gateway_service.queries import managed_gym
from gateway_service.repository import DuplicateError, GatewayRepository, Kiosk, Trainer
from gateway_service.schemas.identity import GymOut, TrainerOut
from gateway_service.schemas.staff import (
    KioskCreated,
    KioskIn,
    KioskOut,
    TrainerChange,
    TrainerCreated,
    TrainerIn,
)
from myokine.problems import Conflict, Forbidden, NotFound
from myokine.unit_of_work import UnitOfWork

Uow = UnitOfWork[GatewayRepository]


def _admin_only(caller: TrainerPrincipal) -> None:
    if not caller.is_admin:
        raise Forbidden("Only a chain admin manages the chain's trainers and kiosks.")


def list_gyms(uow: Uow, caller: TrainerPrincipal) -> list[GymOut]:
    """The gyms the caller works in (a chain admin: every gym of the chain), by name."""
    with uow:
        return [
            GymOut.model_validate(g, from_attributes=True)
            for g in uow.repo.gyms_of_chain(caller.chain_id)
            if caller.works_in(g.id)
        ]


# --- trainers ------------------------------------------------------------------------------


def list_trainers(uow: Uow, caller: TrainerPrincipal) -> list[TrainerOut]:
    """The chain's trainers and admins with their gyms, by name."""
    _admin_only(caller)
    with uow:
        trainers = uow.repo.trainers_of_chain(caller.chain_id)
        gyms = uow.repo.trainer_gym_ids([t.id for t in trainers])
        return [trainer_out(t, gyms.get(t.id, set())) for t in trainers]


def create_trainer(uow: Uow, caller: TrainerPrincipal, body: TrainerIn) -> TrainerCreated:
    """A new trainer of the caller's chain; a generated password is answered this once."""
    _admin_only(caller)
    password = body.password or credentials.new_password()
    made = add_trainer(
        uow,
        caller.chain_id,
        email=body.email,
        name=body.name,
        password=password,
        role=body.role,
        gym_ids=body.gym_ids,
    )
    return TrainerCreated(**made.model_dump(), password=None if body.password else password)


def _trainer_of_chain(
    repo: GatewayRepository, caller: TrainerPrincipal, trainer_id: uuid.UUID
) -> Trainer:
    trainer = repo.trainer(trainer_id)
    if trainer is None or trainer.chain_id != caller.chain_id:
        raise NotFound("No such trainer.")
    return trainer


def change_trainer(
    uow: Uow, caller: TrainerPrincipal, trainer_id: uuid.UUID, change: TrainerChange
) -> TrainerOut:
    """Change a trainer's name, role, gyms or whether they may sign in. Deactivating ends
    their access at once: every request reads their row, and their refresh tokens fail."""
    _admin_only(caller)
    if trainer_id == caller.trainer_id and (change.active is False or change.role == "trainer"):
        raise Conflict("A chain admin cannot deactivate or demote themselves.")
    with uow:
        trainer = _trainer_of_chain(uow.repo, caller, trainer_id)
        if change.name is not None:
            trainer.name = change.name
        if change.role is not None:
            trainer.role = change.role
        if change.active is not None:
            trainer.active = change.active
        if change.gym_ids is not None:
            check_gyms_of_chain(uow.repo, caller.chain_id, change.gym_ids)
            uow.repo.set_trainer_gyms(trainer.id, change.gym_ids)
        gyms = uow.repo.trainer_gym_ids([trainer.id]).get(trainer.id, set())
        answer = trainer_out(trainer, gyms)
        uow.commit()
        return answer


# --- kiosks --------------------------------------------------------------------------------


def _kiosk_out(kiosk: Kiosk) -> KioskOut:
    return KioskOut(
        id=kiosk.id,
        gym_id=kiosk.gym_id,
        name=kiosk.name,
        created_at=kiosk.created_at,
        revoked_at=kiosk.revoked_at,
    )


def list_kiosks(uow: Uow, caller: TrainerPrincipal) -> list[KioskOut]:
    """The chain's kiosks, revoked ones too."""
    _admin_only(caller)
    with uow:
        return [_kiosk_out(k) for k in uow.repo.kiosks_of_chain(caller.chain_id)]


def create_kiosk(
    uow: Uow, caller: TrainerPrincipal, body: KioskIn, *, now: datetime
) -> KioskCreated:
    """A new kiosk of a gym of the chain, and its device token (shown this once)."""
    _admin_only(caller)
    token = credentials.new_kiosk_token()
    with uow:
        gym = managed_gym(uow.repo, caller, body.gym_id)
        kiosk = Kiosk(
            id=uuid.uuid4(),
            chain_id=gym.chain_id,
            gym_id=gym.id,
            name=body.name,
            token_hash=credentials.kiosk_token_hash(token),
            created_at=now,
        )
        try:
            uow.repo.add_kiosk(kiosk)
        except DuplicateError as exc:
            raise Conflict(f"The gym has a kiosk named {body.name!r} already.") from exc
        answer = KioskCreated(**_kiosk_out(kiosk).model_dump(), token=token)
        uow.commit()
        return answer


def _kiosk_of_chain(
    repo: GatewayRepository, caller: TrainerPrincipal, kiosk_id: uuid.UUID
) -> Kiosk:
    kiosk = repo.kiosk(kiosk_id)
    if kiosk is None or kiosk.chain_id != caller.chain_id:
        raise NotFound("No such kiosk.")
    return kiosk


def rotate_kiosk(uow: Uow, caller: TrainerPrincipal, kiosk_id: uuid.UUID) -> KioskCreated:
    """A new device token for a kiosk (a revoked one comes back); the old token fails at once."""
    _admin_only(caller)
    token = credentials.new_kiosk_token()
    with uow:
        kiosk = _kiosk_of_chain(uow.repo, caller, kiosk_id)
        kiosk.token_hash = credentials.kiosk_token_hash(token)
        kiosk.revoked_at = None
        answer = KioskCreated(**_kiosk_out(kiosk).model_dump(), token=token)
        uow.commit()
        return answer


def revoke_kiosk(
    uow: Uow, caller: TrainerPrincipal, kiosk_id: uuid.UUID, *, now: datetime
) -> KioskOut:
    """Revoke a kiosk: its token and the member tokens bound to it answer 401 from now on."""
    _admin_only(caller)
    with uow:
        kiosk = _kiosk_of_chain(uow.repo, caller, kiosk_id)
        if kiosk.revoked_at is None:
            kiosk.revoked_at = now
        answer = _kiosk_out(kiosk)
        uow.commit()
        return answer
