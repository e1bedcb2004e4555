"""Fixtures of the logging service's tests: its migrated database, an app client, tokens."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from devstack.embedded import EmbeddedRedis, free_port
from devstack.testing import migrate, truncate_all
from logging_service.bootstrap import Dependencies, bootstrap
from logging_service.main import create_app
from logging_service.repository import Base
from myokine.internal_auth import Caller, Role, sign_internal_token
from myokine.service_runtime import ServiceRuntime

GYM_TZ = "Europe/Berlin"


@pytest.fixture(scope="session")
def deps() -> Dependencies:
    """The logging service wired once per run, its database (the run's own) migrated."""
    wired = bootstrap()
    assert wired.runtime.settings.db_prefix == os.environ["DB_PREFIX"], "not the run's database"
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
        secret = migrated.settings.internal_token_secret
        token = sign_internal_token(caller, secret, ttl_seconds=60)
        out = {"Authorization": f"Bearer {token}"}
        if key is not None:
            out["Idempotency-Key"] = key
        return out

    return make


def wait_until(check: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll `check` until it holds; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[EmbeddedRedis]:
    """A Redis of this test's own (others share the machine's), persistent across restarts."""
    server = EmbeddedRedis(tmp_path / "redis", free_port(), persistent=True).start()
    try:
        yield server
    finally:
        server.stop()


@contextmanager
def service_process(
    args: list[str], env: dict[str, str], log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """`python -m logging_service <args>` as a real process, stopped (TERM, then KILL) after."""
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "logging_service", *args],
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            yield process
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
