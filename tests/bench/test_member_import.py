"""Onboarding a chain: 10,000 members imported through the gateway's API and through
`myokine import-members`, and the same file again (the trainer issue asks for under a
minute on this machine). Run with `make bench`; each figure is one round of wall time.

The gateway runs as its own process (uvicorn) on a database of its own; only the gateway
takes part in an import.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from devstack.embedded import free_port
from devstack.stack import ROOT, Stack
from devstack.supervisor import Supervisor
from gateway_service.domain.accounts import pin_problem

pytestmark = pytest.mark.bench

MEMBERS = 10_000
CHAIN = "Bench Import"
ADMIN = "admin@bench-import.example"
PASSWORD = "bench import password"
MYOKINE = str(Path(sys.executable).parent / "myokine")


@dataclass(frozen=True)
class Gateway:
    """The gateway process, its environment, and a chain admin's token."""

    url: str
    env: dict[str, str]
    token: str


def _pin(n: int) -> str:
    """A PIN per row that the gateway accepts (it refuses 4444, 4567 and the like)."""
    candidate = 4000 + n % 5000
    while pin_problem(str(candidate)) is not None:
        candidate += 1
    return str(candidate)


def _csv(path: Path, prefix: str) -> Path:
    lines = ["name,badge,pin,home_gym,unit,external_id"]
    lines += [
        f"Member {prefix}{n},{prefix}{n},{_pin(n)},North,,{prefix}-crm-{n}" for n in range(MEMBERS)
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def _myokine(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([MYOKINE, *args], env=env, capture_output=True, text=True, check=True)
    return done.stdout


@pytest.fixture(scope="module")
def gateway(scratch_dir: Path) -> Iterator[Gateway]:
    home = scratch_dir / "bench-import"
    stack = Stack(
        os.environ["DATABASE_URL"],
        os.environ["REDIS_URL"],
        home,
        db_prefix=os.environ["DB_PREFIX"] + "benchimport_",
        ports={"gateway": free_port(), "program": 1, "logging": 1, "progression": 1},
        environment="test",
        log_level="WARNING",
    )
    env = {**os.environ, **stack.env()}
    _myokine(env, "migrate", "--service", "gateway")
    _myokine(env, "create-chain", CHAIN)
    _myokine(env, "create-gym", "--chain", CHAIN, "--name", "North")
    _myokine(
        env,
        *("create-trainer", "--chain", CHAIN, "--email", ADMIN, "--name", "Admin"),
        *("--role", "chain_admin", "--password", PASSWORD),
    )
    (gateway_api,) = [s for s in stack.process_specs() if s.name == "gateway-api"]
    home.mkdir(parents=True, exist_ok=True)
    log = (home / "processes.log").open("w")
    supervisor = Supervisor(os.environ, log=log, cwd=ROOT)
    supervisor.add(gateway_api)
    try:
        supervisor.start_all()
        supervisor.wait_ready(timeout=60)
        signed_in = httpx.post(
            f"{stack.url('gateway')}/v1/auth/token",
            data={"username": ADMIN, "password": PASSWORD},
        )
        signed_in.raise_for_status()
        yield Gateway(stack.url("gateway"), env, signed_in.json()["access_token"])
    finally:
        supervisor.stop_all()
        log.close()


def _post(gateway: Gateway, body: bytes) -> dict[str, Any]:
    answer = httpx.post(
        f"{gateway.url}/v1/members/import",
        content=body,
        headers={"Authorization": f"Bearer {gateway.token}", "Content-Type": "text/csv"},
        timeout=600,
    )
    answer.raise_for_status()
    document: dict[str, Any] = answer.json()
    return document


def test_import_10000_members_through_the_api(
    benchmark: Any, gateway: Gateway, tmp_path: Path
) -> None:
    body = _csv(tmp_path / "api.csv", "A").read_bytes()
    answer = benchmark.pedantic(_post, args=(gateway, body), rounds=1, iterations=1)
    assert (answer["created"], answer["errors"]) == (MEMBERS, [])


def test_import_the_same_10000_again_changes_nothing(
    benchmark: Any, gateway: Gateway, tmp_path: Path
) -> None:
    body = _csv(tmp_path / "api.csv", "A").read_bytes()
    answer = benchmark.pedantic(_post, args=(gateway, body), rounds=1, iterations=1)
    assert (answer["created"], answer["updated"], answer["unchanged"]) == (0, 0, MEMBERS)


def test_import_10000_members_with_the_cli(
    benchmark: Any, gateway: Gateway, tmp_path: Path
) -> None:
    path = _csv(tmp_path / "cli.csv", "C")
    benchmark.pedantic(
        _myokine,
        args=(gateway.env, "import-members", "--chain", CHAIN, str(path)),
        rounds=1,
        iterations=1,
    )
