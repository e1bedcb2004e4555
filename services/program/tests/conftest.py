"""The program service's test set-up: its database migrated once, emptied between tests."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from devstack.testing import migrate, truncate_all
from myokine.internal_auth import Caller, Role, sign_internal_token
from program_service.main import app, runtime
from program_service.repository import Base


@pytest.fixture(scope="session")
def migrated() -> None:
    """The run's program database, migrated to the latest revision."""
    migrate(runtime)


@pytest.fixture
def db(migrated: None) -> Iterator[None]:
    """An empty program database for one test."""
    truncate_all(runtime, Base.metadata)
    yield


@pytest.fixture
def chain_id() -> uuid.UUID:
    """A fresh chain."""
    return uuid.uuid4()


Headers = Callable[..., dict[str, str]]


@pytest.fixture
def headers(chain_id: uuid.UUID) -> Headers:
    """Internal-token headers for a caller in the test's chain (a trainer unless told)."""

    def make(role: Role = "trainer", *, sub: str = "trainer-1", **claims: Any) -> dict[str, str]:
        caller = Caller(sub=sub, role=role, chain_id=claims.pop("chain_id", chain_id), **claims)
        token = sign_internal_token(caller, runtime.settings.internal_token_secret, ttl_seconds=60)
        return {"Authorization": f"Bearer {token}"}

    return make


@pytest.fixture
def client(db: None) -> Iterator[TestClient]:
    """The program service's app on an empty database."""
    with TestClient(app) as test_client:
        yield test_client
