"""The compose health checks, run against the real processes they probe.

docker-compose.yml's checks are run here as Docker would run them inside a container,
against one service's real API, worker and relay on this machine: a Redis of this test's
own (so no other test's worker takes our tasks) and the run's PostgreSQL. A check must pass
while the process is fine and fail once Redis is gone.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import sysconfig
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from devstack.embedded import EmbeddedRedis, free_port
from tests.infra.deployment import REPO, compose, services

SERVICE = "program"
pytestmark = pytest.mark.timeout(240)


@dataclass
class Container:
    """What a container of the service has: its environment and a working folder."""

    env: dict[str, str]
    workdir: Path

    def start(self, role: str) -> subprocess.Popen[bytes]:
        """One role of the service, as a process group of its own, logging to a file."""
        with (self.workdir / f"{role}.log").open("wb") as log:
            return subprocess.Popen(
                [sys.executable, "-m", f"{SERVICE}_service", role],
                env=self.env,
                cwd=self.workdir,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def log(self, role: str) -> str:
        """What a role has logged so far."""
        return (self.workdir / f"{role}.log").read_text(errors="replace")

    def healthcheck(self, name: str) -> list[str]:
        """A compose service's health check, as the argv Docker would run in here."""
        test = compose()["services"][name]["healthcheck"]["test"]
        if test[0] == "CMD-SHELL":
            # `$$` is compose's escape for a `$` the container's shell expands.
            return ["sh", "-c", test[1].replace("$$", "$")]
        own_port = f":{services()[SERVICE].http_port}/"
        port = f":{self.env[f'{SERVICE.upper()}_HTTP_PORT']}/"
        return [word.replace(own_port, port) for word in test[1:]]

    def probe(self, argv: list[str]) -> int:
        """Run a health check once; its exit status."""
        return subprocess.run(
            argv, env=self.env, cwd=self.workdir, capture_output=True, timeout=60
        ).returncode

    def wait_healthy(self, argv: list[str], within: float) -> None:
        """Probe until the check passes."""
        deadline = time.monotonic() + within
        while self.probe(argv) != 0:
            assert time.monotonic() < deadline, f"never healthy: {argv}"
            time.sleep(1)


@pytest.fixture(scope="module")
def migrated() -> None:
    """The service's database exists and is migrated (the migrate container's work)."""
    subprocess.run(
        [sys.executable, "-m", f"{SERVICE}_service", "migrate"],
        env={**os.environ, "MYOKINE_ENV": "test"},
        cwd=REPO,
        check=True,
        capture_output=True,
        timeout=120,
    )


@pytest.fixture
def redis(scratch_dir: Path) -> Iterator[EmbeddedRedis]:
    """A Redis of this test's own."""
    server = EmbeddedRedis(scratch_dir / f"probe-redis-{free_port()}", free_port()).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def container(migrated: None, redis: EmbeddedRedis, tmp_path: Path) -> Container:
    """A container's view on this machine: our Redis, the run's databases, a free port."""
    env = {
        **os.environ,
        "REDIS_URL": redis.url,
        "MYOKINE_ENV": "test",
        f"{SERVICE.upper()}_HTTP_PORT": str(free_port()),
        "HOSTNAME": socket.gethostname(),
        # `python` and `celery` resolve to the project's, as in the image.
        "PATH": f"{sysconfig.get_path('scripts')}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    return Container(env, tmp_path)


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop a process started by `Container.start`, with its children (a worker's pool)."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def test_api_check_follows_readyz(container: Container, redis: EmbeddedRedis) -> None:
    check = container.healthcheck(SERVICE)
    assert container.probe(check) != 0, "healthy before the API started"
    api = container.start("api")
    try:
        container.wait_healthy(check, within=60)
        redis.stop()
        assert container.probe(check) != 0, "still healthy with Redis gone"
    finally:
        stop(api)


def test_worker_check_pings_the_worker(container: Container) -> None:
    check = container.healthcheck(f"{SERVICE}-worker")
    worker = container.start("worker")
    try:
        # Probing a worker that is still starting waits out the ping's whole timeout.
        deadline = time.monotonic() + 90
        while " ready." not in container.log("worker"):
            assert worker.poll() is None, container.log("worker")
            assert time.monotonic() < deadline, "the worker never got ready"
            time.sleep(0.5)
        container.wait_healthy(check, within=60)
    finally:
        stop(worker)


def test_relay_check_follows_its_database_and_redis(
    container: Container, redis: EmbeddedRedis
) -> None:
    check = container.healthcheck(f"{SERVICE}-relay")
    relay = container.start("relay")
    try:
        container.wait_healthy(check, within=60)
        redis.stop()
        assert container.probe(check) != 0, "still healthy with Redis gone"
    finally:
        stop(relay)
