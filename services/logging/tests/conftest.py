"""Fixtures of the logging service's tests: its migrated database, an app client, tokens."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from devstack.embedded import EmbeddedRedis
from devstack.testing import internal_headers, midday_zone, migrate, own_redis, truncate_all
from logging_service.bootstrap import Dependencies, bootstrap
from logging_service.main import create_app
from logging_service.repository import Base
from myokine.internal_auth import Caller, Role
from myokine.service_runtime import ServiceRuntime

# Midday now, so that no test runs across the gym's midnight (see `midday_zone`).
GYM_TZ = midday_zone()


@pytest.fixture(scope="session")
def deps() -> Dependencies:
    """The logging service wired once per run, its database (the run's own) migrated."""
    wired = bootstrap()
    migrate(wired.runtime)
    return wired


@pytest.fixture(scope="session")
def migrated(deps: Dependencies) -> ServiceRuntime:
    """The logging service's runtime, on its migrated database."""
    return deps.runtime


@pytest.fixture
def rt(migrated: ServiceRuntime) -> Iterator[ServiceRuntime]:
    """The runtime with an empty database."""
    truncate_all(migrated, Base.metadata)
    yield migrated


@pytest.fixture
def client(rt: ServiceRuntime, deps: Dependencies) -> Iterator[TestClient]:
    """An HTTP client of the logging service's app."""
    with TestClient(create_app(deps)) as c:
        yield c


@dataclass(frozen=True)
class Member:
    """A member of a chain, at a gym, at a kiosk."""

    chain_id: uuid.UUID
    member_id: uuid.UUID
    gym_id: uuid.UUID
    kiosk_id: uuid.UUID

    @property
    def sets_path(self) -> str:
        return f"/internal/v1/members/{self.member_id}/sets"

    def path(self, rest: str) -> str:
        return f"/internal/v1/members/{self.member_id}/{rest}"


@pytest.fixture
def member() -> Member:
    """A fresh member."""
    return Member(uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), uuid.uuid4())


Headers = Callable[..., dict[str, str]]


@pytest.fixture
def headers(member: Member, migrated: ServiceRuntime) -> Headers:
    """Headers of a call for `member` (or as another role), with an optional key."""

    def make(
        role: Role = "member",
        *,
        key: str | None = None,
        sub: str | None = None,
        tz: str | None = GYM_TZ,
        gym: uuid.UUID | None = None,
        chain: uuid.UUID | None = None,
    ) -> dict[str, str]:
        caller = Caller(
            sub=sub or (str(member.member_id) if role == "member" else str(uuid.uuid4())),
            role=role,
            chain_id=chain or member.chain_id,
            gym_id=gym or member.gym_id,
            gym_timezone=tz,
            kiosk_id=member.kiosk_id if role == "member" else None,
        )
        return internal_headers(caller, migrated.settings.internal_token_secret, key=key)

    return make


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[EmbeddedRedis]:
    """A Redis of this test's own (others share the machine's), persistent across restarts."""
    with own_redis(tmp_path, persistent=True) as server:
        yield server
