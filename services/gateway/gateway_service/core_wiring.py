"""The gateway's core wiring: its runtime, units of work on the identity database, and the
clock.

Every entry point starts from it: `bootstrap()` adds what the API, the worker and the relay
use (service clients, rate limits, the PIN policy, Celery consumers). The operator's
commands use it alone, so a command never imports those clients: Redis's, urllib3's and
httpx's are a third of a second of a `myokine` run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from gateway_service.repository import TABLES, GatewayRepository, SqlGatewayRepository
from gateway_service.settings import Settings, get_settings
from myokine.service_runtime import ServiceRuntime
from myokine.unit_of_work import UnitOfWork

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


@dataclass(frozen=True)
class CoreDependencies:
    """What every entry point hands to the gateway's handlers and queries."""

    runtime: ServiceRuntime
    settings: Settings
    unit_of_work: Callable[[], UnitOfWork[GatewayRepository]]
    """A new unit of work on the identity database, per use case."""
    clock: Callable[[], datetime]
    """The current time (aware, UTC)."""

    def close(self) -> None:
        """Let go of the database's connections."""
        self.runtime.engine.dispose()


def _utc_now() -> datetime:
    return datetime.now(UTC)


def wire_core(
    settings: Settings | None = None,
    *,
    unit_of_work: Callable[[], UnitOfWork[GatewayRepository]] | None = None,
    clock: Callable[[], datetime] | None = None,
) -> CoreDependencies:
    """The gateway's runtime, with the real unit of work and clock unless a test passes
    others. Nothing connects yet."""
    settings = settings or get_settings()
    runtime = ServiceRuntime.build("gateway", settings, TABLES, MIGRATIONS)

    def sql_unit_of_work() -> UnitOfWork[GatewayRepository]:
        return runtime.unit_of_work(SqlGatewayRepository)

    return CoreDependencies(
        runtime=runtime,
        settings=settings,
        unit_of_work=unit_of_work or sql_unit_of_work,
        clock=clock or _utc_now,
    )
