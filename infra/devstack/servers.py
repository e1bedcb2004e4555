"""Finding PostgreSQL and Redis for tests and `make run`.

The order: `DATABASE_URL` / `REDIS_URL` from the environment; else testcontainers when a
Docker engine answers; else the embedded servers from the wheels.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

from devstack.embedded import EmbeddedPostgres, EmbeddedRedis, free_port

log = logging.getLogger(__name__)


class GivenServers(BaseSettings):
    """Servers the environment names, if any."""

    model_config = SettingsConfigDict(extra="ignore")

    database_url: str | None = None
    redis_url: str | None = None


def docker_engine_answers() -> bool:
    """Whether a Docker engine is reachable (testcontainers needs one)."""
    try:
        import docker

        client = docker.from_env(timeout=2)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except Exception:
        return False


@contextlib.contextmanager
def postgres_server(scratch: Path) -> Iterator[str]:
    """The URL of a PostgreSQL server to use, started here if needed."""
    given = GivenServers().database_url
    if given:
        yield given
    elif docker_engine_answers():
        from testcontainers.postgres import PostgresContainer

        with PostgresContainer("postgres:16-alpine", driver=None) as pg:
            yield pg.get_connection_url()
    else:
        server = EmbeddedPostgres(scratch / "postgres", free_port()).start()
        try:
            yield server.url
        finally:
            server.stop()


@contextlib.contextmanager
def redis_server(scratch: Path) -> Iterator[str]:
    """The URL of a Redis server to use, started here if needed."""
    given = GivenServers().redis_url
    if given:
        yield given
    elif docker_engine_answers():
        from testcontainers.redis import RedisContainer

        with RedisContainer("redis:7-alpine") as rc:
            host = rc.get_container_host_ip()
            yield f"redis://{host}:{rc.get_exposed_port(6379)}/0"
    else:
        server = EmbeddedRedis(scratch / "redis", free_port(), persistent=False).start()
        try:
            yield server.url
        finally:
            server.stop()
