"""How long the operator waits for `myokine`: `--help`, and creating a member (the
performance issue asks for under a second each). Run with `make bench`."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

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
