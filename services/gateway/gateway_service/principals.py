"""Who is calling the gateway, once authenticated, and how the services will see them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from myokine.internal_auth import Caller
from myokine.units import Unit


@dataclass(frozen=True)
class KioskPrincipal:
    """A kiosk device, bound to one gym of one chain."""

    kiosk_id: uuid.UUID
    chain_id: uuid.UUID
    gym_id: uuid.UUID
    timezone: str

    def caller(self) -> Caller:
        """The kiosk as the services see it."""
        return Caller(
            sub=str(self.kiosk_id),
            role="kiosk",
            chain_id=self.chain_id,
            gym_id=self.gym_id,
            gym_timezone=self.timezone,
            kiosk_id=self.kiosk_id,
        )


@dataclass(frozen=True)
class MemberPrincipal:
    """A member identified at a kiosk; their calls happen at that kiosk's gym."""

    member_id: uuid.UUID
    name: str
    unit: Unit
    kiosk: KioskPrincipal

    @property
    def chain_id(self) -> uuid.UUID:
        """The member's chain (the kiosk's)."""
        return self.kiosk.chain_id

    def caller(self) -> Caller:
        """The member as the services see them."""
        return Caller(
            sub=str(self.member_id),
            role="member",
            chain_id=self.kiosk.chain_id,
            gym_id=self.kiosk.gym_id,
            gym_timezone=self.kiosk.timezone,
            kiosk_id=self.kiosk.kiosk_id,
        )


MEMBERS_SEEN_FOR = timedelta(days=30)
"""A trainer manages the members who trained at one of their gyms this recently."""


@dataclass(frozen=True)
class TrainerPrincipal:
    """A trainer or chain admin signed in with an access token.

    A chain admin manages the whole chain. A trainer manages the gyms they work in
    (`gym_ids`): the members whose home is one of them, and those who identified at one
    of them in the last `MEMBERS_SEEN_FOR`.
    """

    trainer_id: uuid.UUID
    chain_id: uuid.UUID
    role: Literal["trainer", "chain_admin"]
    gym_ids: frozenset[uuid.UUID] = frozenset()

    @property
    def is_admin(self) -> bool:
        """Whether this is a chain admin."""
        return self.role == "chain_admin"

    def works_in(self, gym_id: uuid.UUID) -> bool:
        """Whether the trainer manages this gym (a chain admin manages every gym)."""
        return self.is_admin or gym_id in self.gym_ids

    def caller(self, gym_id: uuid.UUID | None = None, timezone: str | None = None) -> Caller:
        """The trainer as the services see them; about a gym, with its time zone.

        A service counts "this week" in the token's time zone, so a call about one gym
        (or one member, at their home gym) names it.
        """
        return Caller(
            sub=str(self.trainer_id),
            role=self.role,
            chain_id=self.chain_id,
            gym_id=gym_id,
            gym_timezone=timezone,
        )


def operator(chain_id: uuid.UUID) -> TrainerPrincipal:
    """The operator's CLI acting on one chain with a chain admin's reach."""
    return TrainerPrincipal(trainer_id=uuid.UUID(int=0), chain_id=chain_id, role="chain_admin")


def system_caller(chain_id: uuid.UUID) -> Caller:
    """The operator's tools acting on one chain (the CLI's seed)."""
    return Caller(sub="myokine-cli", role="system", chain_id=chain_id)
