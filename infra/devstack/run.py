"""`python -m devstack.run` (what `make run` calls): the whole system on one machine.

Unless `DATABASE_URL` / `REDIS_URL` name servers, PostgreSQL and Redis are started from
the wheels with their data under `.data/` (a second run reuses it). Every service is
migrated, then its API, worker and outbox relay start; once every API is ready the demo
chain is seeded and the URLs and demo credentials are printed. Ctrl-C (or SIGTERM) stops
every process this started, the servers last.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
import time
from pathlib import Path
from types import FrameType
from typing import Any

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from devstack.embedded import EmbeddedPostgres, EmbeddedRedis, free_port, port_open
from devstack.stack import BACKGROUND_PROCESSES, ROOT, SERVICES, Stack
from devstack.supervisor import Supervisor


class RunSettings(BaseSettings):
    """What `make run` can be told through the environment (or `.env`)."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str | None = Field(
        default=None, description="A PostgreSQL server to use instead of the embedded one."
    )
    redis_url: str | None = Field(
        default=None, description="A Redis server to use instead of the embedded one."
    )
    db_prefix: str = "myokine_"
    data_dir: Path = Field(default=ROOT / ".data", validation_alias="DEVSTACK_DATA_DIR")
    postgres_port: int = Field(default=55432, validation_alias="DEVSTACK_POSTGRES_PORT")
    redis_port: int = Field(default=56379, validation_alias="DEVSTACK_REDIS_PORT")
    gateway_http_port: int = Field(default=8000, validation_alias="GATEWAY_HTTP_PORT")
    program_http_port: int = Field(default=8001, validation_alias="PROGRAM_HTTP_PORT")
    logging_http_port: int = Field(default=8002, validation_alias="LOGGING_HTTP_PORT")
    progression_http_port: int = Field(default=8003, validation_alias="PROGRESSION_HTTP_PORT")
    flower_port: int = Field(
        default=5555,
        validation_alias="DEVSTACK_FLOWER_PORT",
        description="Where Flower, the Celery monitor, serves its pages.",
    )
    metrics_base_port: int = Field(
        default=9100,
        validation_alias="DEVSTACK_METRICS_BASE_PORT",
        description="Workers and relays serve their metrics from this port on, one each.",
    )

    def metrics_ports(self) -> dict[str, int]:
        """The metrics port of each worker and relay."""
        return {name: self.metrics_base_port + i for i, name in enumerate(BACKGROUND_PROCESSES)}

    def ports(self) -> dict[str, int]:
        """The HTTP port of each service."""
        return {
            "gateway": self.gateway_http_port,
            "program": self.program_http_port,
            "logging": self.logging_http_port,
            "progression": self.progression_http_port,
        }


class _Stop(Exception):  # noqa: N818 - a signal, not an error
    """SIGINT or SIGTERM arrived."""


def _raise_stop(signum: int, frame: FrameType | None) -> None:
    raise _Stop(signal.Signals(signum).name)


def _port_or_free(preferred: int) -> int:
    return preferred if not port_open(preferred) else free_port()


def _banner(stack: Stack, credentials: dict[str, Any], output: Path) -> str:
    gateway = stack.url("gateway")
    lines = [
        "",
        "Myokine is running.",
        f"  kiosk       {gateway}/kiosk#kiosk_token={credentials.get('kiosk_token', '')}",
        f"  dashboard   {gateway}/dashboard",
        f"  API docs    {gateway}/docs",
    ]
    for service in SERVICES[1:]:
        lines.append(f"  {service:<11} {stack.url(service)}/docs (internal)")
    if stack.flower_port is not None:
        lines.append(f"  monitor     {stack.flower_url()} (Flower: queues, tasks, workers)")
    ports = sorted(stack.metrics_ports.values())
    if ports:
        lines.append(
            f"  metrics     /metrics on each API, workers and relays on {ports[0]}-{ports[-1]}"
        )
    lines.append(f"  demo credentials (also in {output}):")
    lines.extend("    " + line for line in json.dumps(credentials, indent=2).splitlines())
    lines.append("Ctrl-C stops everything.")
    return "\n".join(lines)


def main() -> int:
    """Run the system until Ctrl-C or SIGTERM; returns the exit code."""
    settings = RunSettings()
    data = settings.data_dir
    data.mkdir(parents=True, exist_ok=True)
    supervisor = Supervisor(os.environ, cwd=ROOT)
    signal.signal(signal.SIGTERM, _raise_stop)
    signal.signal(signal.SIGINT, _raise_stop)
    with contextlib.ExitStack() as servers:
        try:
            database_url = settings.database_url
            if database_url is None:
                postgres = EmbeddedPostgres(data / "postgres", settings.postgres_port)
                if postgres.running():
                    supervisor.say("stopping the PostgreSQL an earlier, killed run left behind")
                    postgres.stop()
                postgres.port = _port_or_free(settings.postgres_port)
                supervisor.say(f"starting embedded PostgreSQL on {postgres.port}, data in {data}")
                servers.callback(postgres.stop)
                database_url = postgres.start().url
            redis_url = settings.redis_url
            if redis_url is None:
                redis = EmbeddedRedis(data / "redis", settings.redis_port, persistent=True)
                if redis.stop_leftover():
                    supervisor.say("stopped the Redis an earlier, killed run left behind")
                redis.port = _port_or_free(settings.redis_port)
                supervisor.say(f"starting embedded Redis on {redis.port}, data in {data}")
                servers.callback(redis.stop)
                redis_url = redis.start().url

            stack = Stack(
                database_url,
                redis_url,
                data,
                settings.db_prefix,
                settings.ports(),
                metrics_ports={
                    name: _port_or_free(port) for name, port in settings.metrics_ports().items()
                },
                flower_port=_port_or_free(settings.flower_port),
            )
            busy = [s for s in SERVICES if port_open(stack.ports[s])]
            if busy:
                supervisor.say(
                    "ports already in use: "
                    + ", ".join(f"{s} {stack.ports[s]}" for s in busy)
                    + " (another `make run`?)"
                )
                return 1
            supervisor.say("migrating " + ", ".join(SERVICES))
            stack.migrate(os.environ)

            servers.callback(supervisor.stop_all)
            for spec in stack.process_specs():
                supervisor.add(spec)
            supervisor.start_all()
            supervisor.wait_ready(timeout=120)

            servers.callback(stack.write_stack_file().unlink, missing_ok=True)
            output = data / "demo-credentials.json"
            credentials = stack.seed_demo(os.environ, output)
            supervisor.say(_banner(stack, credentials, output))
            while True:
                for name, code in supervisor.deaths():
                    supervisor.say(f"{name} exited with code {code}; it is NOT restarted")
                time.sleep(0.5)
        except _Stop as stop:
            supervisor.say(f"{stop}: stopping everything")
            return 0
        except (TimeoutError, RuntimeError) as exc:  # ProcessDiedError, SeedError, migrations
            supervisor.say(f"failed: {exc}")
            return 1
        finally:
            # A second Ctrl-C must not cut the shutdown short and leave processes behind.
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)


if __name__ == "__main__":
    sys.exit(main())
