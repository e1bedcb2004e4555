"""Chains, gyms, kiosks and trainers as the operator's commands create and print them.

The public API creates none of these; members, which trainers see, are `MemberOut`.
"""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import BaseModel, Field

from myokine.units import Unit

TrainerRole = Literal["trainer", "chain_admin"]


class ChainOut(BaseModel):
    """A gym chain: the tenant."""

    id: uuid.UUID
    name: str


class GymOut(BaseModel):
    """A gym of a chain, with its IANA time zone and the unit of its equipment."""

    id: uuid.UUID
    chain_id: uuid.UUID
    name: str
    timezone: str
    unit: Unit


class KioskOut(BaseModel):
    """A kiosk device bound to one gym (never its token)."""

    id: uuid.UUID
    chain_id: uuid.UUID
    gym_id: uuid.UUID
    name: str


class TrainerOut(BaseModel):
    """A trainer or chain admin (never their password), and the gyms they work in."""

    id: uuid.UUID
    chain_id: uuid.UUID
    email: str
    name: str
    role: TrainerRole
    gym_ids: list[uuid.UUID] = Field(
        default_factory=list,
        description="The gyms whose members the trainer manages (a chain admin manages all).",
    )
    active: bool = True
