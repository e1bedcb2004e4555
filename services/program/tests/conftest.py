"""The program service's test set-up: wired once, its database migrated once and emptied
between tests."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from devstack.testing import internal_headers, migrate, truncate_all
from myokine.internal_auth import Caller, Role
from myokine.service_runtime import ServiceRuntime
from program_service.bootstrap import Dependencies, bootstrap
from program_service.main import create_app
from program_service.repository import Base


@pytest.fixture(scope="session")
def deps() -> Dependencies:
    """The program service, wired once per run."""
    return bootstrap()


@pytest.fixture(scope="session")
def migrated(deps: Dependencies) -> ServiceRuntime:
    """The program service's runtime, its database (the run's own) migrated once per run."""
    runtime = deps.runtime
    migrate(runtime)
    return runtime


@pytest.fixture
def db(migrated: ServiceRuntime) -> Iterator[None]:
    """An empty program database for one test."""
    truncate_all(migrated, Base.metadata)
    yield


@pytest.fixture
def chain_id() -> uuid.UUID:
    """A fresh chain."""
    return uuid.uuid4()


Headers = Callable[..., dict[str, str]]


@pytest.fixture
def headers(chain_id: uuid.UUID, migrated: ServiceRuntime) -> Headers:
    """Internal-token headers for a caller in the test's chain (a trainer unless told)."""
    secret = migrated.settings.internal_token_secret

    def make(role: Role = "trainer", *, sub: str = "trainer-1", **claims: Any) -> dict[str, str]:
        caller = Caller(sub=sub, role=role, chain_id=claims.pop("chain_id", chain_id), **claims)
        return internal_headers(caller, secret)

    return make


@pytest.fixture
def client(deps: Dependencies, db: None) -> Iterator[TestClient]:
    """The program service's app on an empty database."""
    with TestClient(create_app(deps)) as test_client:
        yield test_client
