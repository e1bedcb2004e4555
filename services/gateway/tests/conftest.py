"""The gateway's test fixtures: its migrated database, an app, and a small world of tenants.

The world has two chains: chain A with gyms A1 and A2 (a kiosk each), a trainer, a chain
admin and two members; chain B with one gym, a kiosk, a trainer and a member. It is made
through the same use cases the operator CLI calls.
"""

from __future__ import annotations

import functools
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from devstack.embedded import free_port
from devstack.testing import midday_zone, migrate, truncate_all
from gateway_service.bootstrap import Dependencies, bootstrap
from gateway_service.handlers import identity
from gateway_service.main import create_app
from gateway_service.repository import Base
from gateway_service.settings import Settings

PASSWORD = "correct horse battery"


@pytest.fixture(scope="session")
def deps() -> Iterator[Dependencies]:
    """The gateway wired on this run's migrated database."""
    wired = bootstrap()
    migrate(wired.runtime)
    yield wired
    wired.close()


@pytest.fixture(autouse=True)
def _empty_tables(deps: Dependencies) -> Iterator[None]:
    """Each test starts from an empty database (the handler tests in unit/ use none)."""
    yield
    truncate_all(deps.runtime, Base.metadata)


def make_client(
    deps: Dependencies, *, clock: Callable[[], datetime] | None = None, **overrides: Any
) -> TestClient:
    """A client of a gateway app with these settings (services nowhere unless given), on
    `clock` if given (the real time otherwise).

    It shares the run's units of work (one connection pool), with its own settings,
    service clients and rate limiter.
    """
    defaults: dict[str, Any] = {
        "program_url": "http://127.0.0.1:9",
        "logging_url": "http://127.0.0.1:9",
        "progression_url": "http://127.0.0.1:9",
        "service_connect_timeout": 0.5,
        "retry_after_seconds": 7,
        # Each app counts apart: tests reuse emails, and share Redis with other runs.
        "rate_limit_namespace": f"myokine:test:{uuid.uuid4().hex}",
    }
    settings = Settings(**(defaults | overrides))
    app: FastAPI = create_app(bootstrap(settings, unit_of_work=deps.unit_of_work, clock=clock))
    return TestClient(app, raise_server_exceptions=False)


@pytest.fixture
def gateway_client(deps: Dependencies) -> Callable[..., TestClient]:
    """Make a gateway client with other settings (e.g. one service pointed nowhere)."""
    return functools.partial(make_client, deps)


@pytest.fixture
def client(deps: Dependencies) -> Iterator[TestClient]:
    """A gateway whose services are not running."""
    with make_client(deps) as c:
        yield c


SERVICES = ("program", "logging", "progression")


def _wait_healthy(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{url} did not become healthy:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="session")
def live_services(scratch_dir: Path) -> Iterator[dict[str, str]]:
    """The program, logging and progression APIs as real processes, on this run's databases.

    Each is migrated and started by its own command (`python -m <name>_service ...`), the
    way the operator runs it; no worker or relay runs, so events stay in their outboxes.
    """
    processes: list[subprocess.Popen[bytes]] = []
    urls: dict[str, str] = {}
    try:
        for name in SERVICES:
            port = free_port()
            env = {**os.environ, f"{name.upper()}_HTTP_PORT": str(port)}
            log = scratch_dir / f"gateway-tests-{name}.log"
            migrated = subprocess.run(
                [sys.executable, "-m", f"{name}_service", "migrate"],
                env=env,
                capture_output=True,
                check=False,
            )
            if migrated.returncode != 0:
                raise RuntimeError(f"{name} migrate failed:\n{migrated.stderr.decode()[-3000:]}")
            with log.open("wb") as out:
                process = subprocess.Popen(
                    [sys.executable, "-m", f"{name}_service", "api"],
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            processes.append(process)
            urls[name] = f"http://127.0.0.1:{port}"
            _wait_healthy(urls[name], process, log)
        yield urls
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def live_gate(deps: Dependencies, live_services: dict[str, str]) -> Iterator[Gate]:
    """The gateway in front of the real services."""
    with make_client(
        deps,
        program_url=live_services["program"],
        logging_url=live_services["logging"],
        progression_url=live_services["progression"],
    ) as c:
        yield Gate(c)


@dataclass
class Tenant:
    """One chain's credentials and ids."""

    chain_id: str
    gym_ids: list[str]
    kiosk_tokens: list[str]
    trainer_email: str
    admin_email: str | None
    member_ids: list[str]
    badges: list[str]
    pins: list[str]


@dataclass
class World:
    """Two chains."""

    a: Tenant
    b: Tenant


def _tenant(deps: Dependencies, tag: str, gyms: int, members: int, *, admin: bool) -> Tenant:
    uow = deps.unit_of_work()
    chain = identity.create_chain(uow, f"Chain {tag}")
    gym_rows = [
        # Midday now, so that no test runs across the gym's midnight (see `midday_zone`).
        identity.create_gym(uow, chain.id, f"Gym {tag}{i}", midday_zone(), "kg")
        for i in range(1, gyms + 1)
    ]
    tokens = [identity.create_kiosk(uow, g.id, "kiosk")[1] for g in gym_rows]
    trainer = f"trainer@{tag.lower()}.example"
    # The trainer works in the first gym only: the members' home (a chain admin has all).
    identity.create_trainer(
        uow, chain.id, email=trainer, name="T", password=PASSWORD, gym_ids=[gym_rows[0].id]
    )
    admin_email = None
    if admin:
        admin_email = f"admin@{tag.lower()}.example"
        identity.create_trainer(
            uow, chain.id, email=admin_email, name="A", password=PASSWORD, role="chain_admin"
        )
    badges = [f"{tag}{i}" for i in range(1, members + 1)]
    pins = [f"{1000 + i}" for i in range(1, members + 1)]
    rows = [
        identity.create_member(
            uow, gym_rows[0].id, name=f"Member {b}", badge=b, pin=p, unit="lb" if i else "kg"
        )
        for i, (b, p) in enumerate(zip(badges, pins, strict=True))
    ]
    return Tenant(
        chain_id=str(chain.id),
        gym_ids=[str(g.id) for g in gym_rows],
        kiosk_tokens=tokens,
        trainer_email=trainer,
        admin_email=admin_email,
        member_ids=[str(m.id) for m in rows],
        badges=badges,
        pins=pins,
    )


@pytest.fixture
def world(deps: Dependencies) -> World:
    """Chain A (two gyms, two members, trainer and admin) and chain B (one of each)."""
    return World(a=_tenant(deps, "A", 2, 2, admin=True), b=_tenant(deps, "B", 1, 1, admin=False))


def bearer(token: str) -> dict[str, str]:
    """The Authorization header of a bearer token."""
    return {"Authorization": f"Bearer {token}"}


class Gate:
    """A test client of the gateway, with the sign-in steps tests repeat."""

    def __init__(self, client: TestClient) -> None:
        self.client = client

    def identify(self, kiosk_token: str, badge: str, pin: str) -> str:
        """A member token from a kiosk."""
        answer = self.client.post(
            "/v1/kiosk/identify", json={"badge": badge, "pin": pin}, headers=bearer(kiosk_token)
        )
        assert answer.status_code == 200, answer.text
        token: str = answer.json()["member_token"]
        return token

    def sign_in(self, email: str, password: str = PASSWORD) -> str:
        """A trainer's access token."""
        answer = self.client.post("/v1/auth/token", data={"username": email, "password": password})
        assert answer.status_code == 200, answer.text
        token: str = answer.json()["access_token"]
        return token


@pytest.fixture
def gate(client: TestClient) -> Gate:
    """The gateway (services not running) with sign-in helpers."""
    return Gate(client)
