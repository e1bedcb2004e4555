"""The program service's test set-up: its database migrated once, emptied between tests.

`program_service.runtime` reads its settings (DATABASE_URL, DB_PREFIX) when first
imported, so this file imports it inside the fixtures, once the root conftest has
pointed the run at its own databases; `migrated` checks that it did.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from devstack.testing import migrate, truncate_all
from myokine.internal_auth import Caller, Role, sign_internal_token
from myokine.service_runtime import ServiceRuntime
from program_service.repository import Base


@pytest.fixture(scope="session")
def migrated() -> ServiceRuntime:
    """The program service's runtime, its database (the run's own) migrated once per run."""
    from program_service.main import runtime

    assert runtime.settings.db_prefix == os.environ["DB_PREFIX"], "not the run's database"
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
        token = sign_internal_token(caller, secret, ttl_seconds=60)
        return {"Authorization": f"Bearer {token}"}

    return make


@pytest.fixture
def client(db: None) -> Iterator[TestClient]:
    """The program service's app on an empty database."""
    from program_service.main import app

    with TestClient(app) as test_client:
        yield test_client
