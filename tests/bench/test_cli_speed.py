"""How long the operator waits for `myokine`: `--help`, creating a member (the
performance issue asks for under a second each), and listing and replaying every service's
dead letters. Run with `make bench`."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import make_url

from devstack.testing import own_redis
from gateway_service.cli import SERVICES
from myokine.db import make_engine, make_session_factory
from myokine.dead_letters import DEAD_LETTERS, record_dead_letter

pytestmark = pytest.mark.bench

MYOKINE = str(Path(sys.executable).parent / "myokine")
CHAIN = "Bench CLI"


def _run(*args: str, env: dict[str, str] | None = None) -> None:
    subprocess.run([MYOKINE, *args], env=env, check=True, capture_output=True)


@pytest.fixture(scope="module")
def stack_env() -> Iterator[dict[str, str]]:
    """The environment of a gateway database of its own, with a chain and a gym."""
    env = {**os.environ, "DB_PREFIX": os.environ["DB_PREFIX"] + "benchcli_"}
    _run("migrate", "--service", "gateway", env=env)
    _run("create-chain", CHAIN, env=env)
    _run("create-gym", "--chain", CHAIN, "--name", "G", env=env)
    yield env


def test_help(benchmark: Any) -> None:
    benchmark.pedantic(_run, args=("--help",), rounds=5, iterations=1)


def test_create_member(benchmark: Any, stack_env: dict[str, str]) -> None:
    badges = (f"B{n}" for n in itertools.count())

    def create() -> None:
        _run(
            "create-member",
            *("--chain", CHAIN, "--gym", "G", "--name", "M", "--badge", next(badges)),
            *("--pin", "2468"),
            env=stack_env,
        )

    benchmark.pedantic(create, rounds=3, iterations=1)


LETTERS = 5
"""Dead letters of each service, listed; replayed ones are recorded again before each round."""


@pytest.fixture(scope="module")
def every_service_env(stack_env: dict[str, str], scratch_dir: Path) -> Iterator[dict[str, str]]:
    """Every service's database migrated, some dead letters in each, and a Redis of its own
    (a replayed task must land where no other run's worker takes it)."""
    _run("migrate", env=stack_env)
    with own_redis(scratch_dir) as server:
        yield {**stack_env, "REDIS_URL": server.url}


def _record_dead_letters(env: dict[str, str]) -> None:
    for service in SERVICES:
        url = make_url(env["DATABASE_URL"]).set(
            drivername="postgresql+psycopg", database=f"{env['DB_PREFIX']}{service}"
        )
        engine = make_engine(url.render_as_string(hide_password=False))
        try:
            for n in range(LETTERS):
                body = {"event_id": str(uuid.uuid4()), "event_type": "SetLogged", "n": n}
                record_dead_letter(
                    make_session_factory(engine), DEAD_LETTERS, f"{service}.SetLogged.v1", body, "e"
                )
        finally:
            engine.dispose()


def test_dead_letters(benchmark: Any, every_service_env: dict[str, str]) -> None:
    """Every service's dead letters listed (one process; it was a process per service)."""
    _record_dead_letters(every_service_env)
    benchmark.pedantic(_run, args=("dead-letters",), kwargs={"env": every_service_env}, rounds=3)


def test_dead_letters_replay(benchmark: Any, every_service_env: dict[str, str]) -> None:
    """Every service's dead letters sent to their tasks again."""
    benchmark.pedantic(
        _run,
        args=("dead-letters", "--replay"),
        kwargs={"env": every_service_env},
        setup=lambda: _record_dead_letters(every_service_env),
        rounds=3,
    )
