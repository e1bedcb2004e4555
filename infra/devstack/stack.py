"""The whole system as processes: what runs, with which environment, in which order.

`make run` (`devstack.run`) and the end-to-end tests both build a `Stack` and hand its
process specs to a `Supervisor`; they differ only in where the servers are and which
ports they use.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from devstack.supervisor import ProcessSpec

SERVICES = ("gateway", "program", "logging", "progression")
DEFAULT_PORTS: Mapping[str, int] = {
    "gateway": 8000,
    "program": 8001,
    "logging": 8002,
    "progression": 8003,
}
STACK_FILE = "stack.env"
"""Where `make run` says where its servers are, in its data folder (see the CLI)."""
BACKGROUND_PROCESSES = tuple(f"{s}-{role}" for s in SERVICES for role in ("worker", "relay"))
"""The processes that serve their metrics on a port of their own."""
# Services whose worker also runs the periodic tasks (Celery beat); exactly one may.
BEAT_SERVICES = frozenset({"logging"})
ROOT = Path(__file__).resolve().parents[2]


class SeedError(RuntimeError):
    """`myokine seed-demo` failed."""


@dataclass(frozen=True)
class Stack:
    """Where the servers are, which ports the four services listen on, where state goes."""

    database_url: str
    redis_url: str
    state_dir: Path
    """Files the processes keep (the Celery beat schedule)."""
    db_prefix: str = "myokine_"
    ports: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_PORTS))
    metrics_ports: Mapping[str, int] = field(default_factory=dict)
    """The port each worker and relay serves its metrics on, by process name
    (`logging-worker`); one left out serves none. APIs serve /metrics on their own port."""
    flower_port: int | None = None
    """Where Flower, the Celery monitor, serves its pages (None: no Flower)."""
    environment: str = "local"
    log_level: str = "INFO"
    python: Path = field(default_factory=lambda: Path(sys.executable))

    def url(self, service: str) -> str:
        """The base URL of a service's HTTP API."""
        return f"http://127.0.0.1:{self.ports[service]}"

    def env(self) -> dict[str, str]:
        """The environment every process of the system gets (their only configuration)."""
        env = {
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_url,
            "DB_PREFIX": self.db_prefix,
            "MYOKINE_ENV": self.environment,
            "LOG_FORMAT": "console",
            "LOG_LEVEL": self.log_level,
            # Children's logs reach the supervisor line by line, not in 8 KiB lumps.
            "PYTHONUNBUFFERED": "1",
            "BEAT_SCHEDULE_FILE": str(self.state_dir / "celerybeat-schedule"),
            # Everything runs on this machine, so a CRM receiver to try webhooks with
            # does too (a deployment refuses private addresses by default).
            "WEBHOOK_ALLOW_PRIVATE_URLS": "true",
        }
        for service in SERVICES:
            upper = service.upper()
            env[f"{upper}_HTTP_PORT"] = str(self.ports[service])
            env[f"{upper}_URL"] = self.url(service)
        return env

    def process_specs(self) -> list[ProcessSpec]:
        """For each service its API, its worker and its outbox relay."""
        env = self.env()
        specs = []
        for service in SERVICES:
            module = [str(self.python), "-m", f"{service}_service"]
            specs.append(
                ProcessSpec(
                    f"{service}-api",
                    [*module, "api"],
                    env=env,
                    ready_url=f"{self.url(service)}/readyz",
                )
            )
            worker = [*module, "worker"]
            if service in BEAT_SERVICES:
                worker.append("--beat")
            for name, argv in (
                (f"{service}-worker", worker),
                (f"{service}-relay", [*module, "relay"]),
            ):
                own = {**env}
                if name in self.metrics_ports:
                    own["METRICS_PORT"] = str(self.metrics_ports[name])
                specs.append(ProcessSpec(name, argv, env=own))
        if self.flower_port is not None:
            specs.append(
                ProcessSpec(
                    "flower",
                    [
                        *(str(self.python), "-m", "celery", f"--broker={self.redis_url}"),
                        *("flower", "--address=127.0.0.1", f"--port={self.flower_port}"),
                    ],
                    env=env,
                    ready_url=f"{self.flower_url()}/healthcheck",
                )
            )
        return specs

    def flower_url(self) -> str:
        """Flower's pages."""
        return f"http://127.0.0.1:{self.flower_port}"

    def write_stack_file(self) -> Path:
        """Tell the operator CLI where this stack's servers are (`<state_dir>/stack.env`).

        `myokine` reads it when neither the environment nor `.env` names a database, so it
        talks to the stack `make run` started; `make run` removes it when it stops.
        """
        env = self.env()
        keys = ["DATABASE_URL", "REDIS_URL", "DB_PREFIX", *(f"{s.upper()}_URL" for s in SERVICES)]
        path = self.state_dir / STACK_FILE
        path.write_text("".join(f"{key}={env[key]}\n" for key in keys))
        return path

    def metrics_urls(self) -> dict[str, str]:
        """Where each process serves its Prometheus metrics, by process name."""
        urls = {f"{s}-api": f"{self.url(s)}/metrics" for s in SERVICES}
        urls.update(
            {name: f"http://127.0.0.1:{port}/metrics" for name, port in self.metrics_ports.items()}
        )
        return urls

    def migrate(self, base_env: Mapping[str, str]) -> None:
        """Create and migrate every service's database, one after the other."""
        for service in SERVICES:
            done = subprocess.run(
                [str(self.python), "-m", f"{service}_service", "migrate"],
                env={**base_env, **self.env()},
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=False,
            )
            if done.returncode != 0:
                raise RuntimeError(
                    f"migrating {service} failed (exit code {done.returncode}):\n"
                    f"{done.stdout}{done.stderr}"
                )

    def seed_demo(
        self, base_env: Mapping[str, str], output: Path, *, timezone: str | None = None
    ) -> dict[str, Any]:
        """Seed the demo chain with `myokine seed-demo` (idempotent), its gym made in
        `timezone` if given; its credentials."""
        script = self.python.parent / "myokine"
        command = (
            [str(script)]
            if script.exists()
            else [str(self.python), "-c", "from gateway_service.cli import app; app()"]
        )
        output.parent.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(
            [
                *command,
                "seed-demo",
                "--output",
                str(output),
                "--gateway-url",
                self.url("gateway"),
                *(["--timezone", timezone] if timezone else []),
            ],
            env={**base_env, **self.env()},
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise SeedError(
                f"myokine seed-demo failed (exit code {done.returncode}):\n"
                f"{done.stdout}{done.stderr}"
            )
        credentials: dict[str, Any] = json.loads(output.read_text())
        return credentials
