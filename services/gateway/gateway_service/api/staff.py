"""A chain's gyms, trainers and kiosks: the gyms for every trainer, the rest chain admin only."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from gateway_service.api.deps import NowDep, TrainerDep, UowDep
from gateway_service.api.errors import problems
from gateway_service.handlers import staff
from gateway_service.schemas.identity import GymOut, TrainerOut
from gateway_service.schemas.staff import (
    KioskCreated,
    KioskIn,
    KioskOut,
    TrainerChange,
    TrainerCreated,
    TrainerIn,
)

router = APIRouter(tags=["chain"])


@router.get("/v1/gyms", summary="The gyms you work in", responses=problems(401, 403))
def gyms(uow: UowDep, trainer: TrainerDep) -> list[GymOut]:
    """A trainer's gyms; a chain admin's: every gym of the chain."""
    return staff.list_gyms(uow, trainer)


@router.get("/v1/trainers", summary="The chain's trainers", responses=problems(401, 403))
def trainers(uow: UowDep, trainer: TrainerDep) -> list[TrainerOut]:
    """Chain admin: every trainer and admin of the chain with the gyms they work in."""
    return staff.list_trainers(uow, trainer)


@router.post(
    "/v1/trainers",
    status_code=status.HTTP_201_CREATED,
    summary="Add a trainer",
    responses=problems(401, 403, 409, 422),
)
def add_trainer(uow: UowDep, trainer: TrainerDep, body: TrainerIn) -> TrainerCreated:
    """Chain admin: a new trainer (or admin) working in some gyms; a password left out is
    generated and answered this once."""
    return staff.create_trainer(uow, trainer, body)


@router.patch(
    "/v1/trainers/{trainer_id}",
    summary="Change a trainer",
    responses=problems(401, 403, 404, 409, 422),
)
def change_trainer(
    uow: UowDep, trainer: TrainerDep, trainer_id: uuid.UUID, body: TrainerChange
) -> TrainerOut:
    """Chain admin: name, role, gyms, or `active: false` (their access ends at once)."""
    return staff.change_trainer(uow, trainer, trainer_id, body)


@router.get("/v1/kiosks", summary="The chain's kiosks", responses=problems(401, 403))
def kiosks(uow: UowDep, trainer: TrainerDep) -> list[KioskOut]:
    """Chain admin: every kiosk of the chain, revoked ones too (never their tokens)."""
    return staff.list_kiosks(uow, trainer)


@router.post(
    "/v1/kiosks",
    status_code=status.HTTP_201_CREATED,
    summary="Add a kiosk",
    responses=problems(401, 403, 404, 409, 422),
)
def add_kiosk(uow: UowDep, trainer: TrainerDep, body: KioskIn, now: NowDep) -> KioskCreated:
    """Chain admin: a kiosk of a gym; its device token is answered this once."""
    return staff.create_kiosk(uow, trainer, body, now=now)


@router.post(
    "/v1/kiosks/{kiosk_id}/rotate",
    summary="Rotate a kiosk's token",
    responses=problems(401, 403, 404),
)
def rotate_kiosk(uow: UowDep, trainer: TrainerDep, kiosk_id: uuid.UUID) -> KioskCreated:
    """Chain admin: a new device token (answered once); the old one answers 401 at once."""
    return staff.rotate_kiosk(uow, trainer, kiosk_id)


@router.delete(
    "/v1/kiosks/{kiosk_id}",
    summary="Revoke a kiosk",
    responses=problems(401, 403, 404),
)
def revoke_kiosk(uow: UowDep, trainer: TrainerDep, kiosk_id: uuid.UUID, now: NowDep) -> KioskOut:
    """Chain admin: its token, and the member tokens bound to it, answer 401 from now on.
    Rotating it brings it back with a new token."""
    return staff.revoke_kiosk(uow, trainer, kiosk_id, now=now)
