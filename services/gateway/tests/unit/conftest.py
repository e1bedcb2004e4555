"""Fixtures of the handler and query tests: the fake repository, its unit of work, fake
services, and a chain with a gym, a kiosk and a member stored in memory. No database."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from argon2 import PasswordHasher

from gateway_service import credentials
from gateway_service.principals import KioskPrincipal, MemberPrincipal, TrainerPrincipal
from gateway_service.repository import Chain, GatewayRepository, Gym, Kiosk, Member, Trainer
from gateway_service.service_clients import Services
from myokine.memory_unit_of_work import MemoryUnitOfWork
from myokine.units import Unit

from .fakes import FakeGatewayRepository, FakeServiceClient, fake_services

Uow = MemoryUnitOfWork[GatewayRepository]

PIN = "7319"
PASSWORD = "correct horse battery"
GYM_TZ = "Europe/Berlin"


@pytest.fixture(autouse=True)
def _empty_tables() -> Iterator[None]:
    """These tests store nothing in the database: there is nothing to empty."""
    yield


@pytest.fixture(autouse=True)
def _cheap_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2 at its cheapest: these tests check what is hashed, not how slowly."""
    monkeypatch.setattr(
        credentials, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )


@pytest.fixture
def repo() -> FakeGatewayRepository:
    """The gateway's database in memory."""
    return FakeGatewayRepository()


@pytest.fixture
def uow(repo: FakeGatewayRepository) -> Uow:
    """The in-memory unit of work over `repo`."""
    return MemoryUnitOfWork(repo)


@pytest.fixture
def services() -> Services:
    """Program, logging and progression, each answering what a test tells it."""
    return fake_services()


def fake(client: object) -> FakeServiceClient:
    """A service client of `services`, as the fake it is."""
    assert isinstance(client, FakeServiceClient)
    return client


@dataclass
class Tenant:
    """A chain with one gym (Berlin, kg), one kiosk, one trainer and one member (lb)."""

    chain: Chain
    gym: Gym
    kiosk: Kiosk
    kiosk_token: str
    trainer: Trainer
    member: Member

    @property
    def at_kiosk(self) -> KioskPrincipal:
        return KioskPrincipal(
            kiosk_id=self.kiosk.id, chain_id=self.chain.id, gym_id=self.gym.id, timezone=GYM_TZ
        )

    @property
    def identified(self) -> MemberPrincipal:
        return MemberPrincipal(
            member_id=self.member.id, name=self.member.name, unit=Unit.LB, kiosk=self.at_kiosk
        )

    @property
    def signed_in(self) -> TrainerPrincipal:
        return TrainerPrincipal(
            trainer_id=self.trainer.id,
            chain_id=self.chain.id,
            role="trainer",
            gym_ids=frozenset({self.gym.id}),
        )


def store_tenant(repo: FakeGatewayRepository, tag: str) -> Tenant:
    """A tenant stored straight in `repo` (not through a unit of work, which stays clean)."""
    chain = Chain(id=uuid.uuid4(), name=f"Chain {tag}")
    repo.add_chain(chain)
    gym = Gym(id=uuid.uuid4(), chain_id=chain.id, name=f"Gym {tag}", timezone=GYM_TZ, unit="kg")
    repo.add_gym(gym)
    token = credentials.new_kiosk_token()
    kiosk = Kiosk(
        id=uuid.uuid4(),
        chain_id=chain.id,
        gym_id=gym.id,
        name="door",
        token_hash=credentials.kiosk_token_hash(token),
    )
    repo.add_kiosk(kiosk)
    trainer = Trainer(
        id=uuid.uuid4(),
        chain_id=chain.id,
        email=f"trainer@{tag.lower()}.example",
        name="Tess",
        password_hash=credentials.hash_secret(PASSWORD),
        role="trainer",
    )
    repo.add_trainer(trainer)
    repo.set_trainer_gyms(trainer.id, [gym.id])
    member = Member(
        id=uuid.uuid4(),
        chain_id=chain.id,
        home_gym_id=gym.id,
        name=f"Member {tag}",
        badge=f"{tag}1",
        pin_hash=credentials.hash_pin(PIN),
        unit="lb",
    )
    repo.add_member(member)
    return Tenant(chain, gym, kiosk, token, trainer, member)


@pytest.fixture
def tenant(repo: FakeGatewayRepository) -> Tenant:
    """Chain A, in memory."""
    return store_tenant(repo, "A")


@pytest.fixture
def other(repo: FakeGatewayRepository) -> Tenant:
    """Chain B, in memory: nothing of it is visible to chain A."""
    return store_tenant(repo, "B")


def assert_nothing_committed(uow: Uow) -> None:
    """A refused request stores nothing."""
    assert (uow.commits, uow.outbox) == (0, [])
