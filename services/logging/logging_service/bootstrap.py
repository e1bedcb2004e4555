"""The logging service, wired once: runtime, units of work, clock, Celery tasks.

Everything that runs the service (the API's app factory, the worker, the relay, the
migrations command, the tests) starts from `bootstrap()`; nothing is built at import.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from logging_service import tasks
from logging_service.repository import TABLES, LoggingRepository, SqlLoggingRepository
from logging_service.settings import Settings, get_settings
from myokine.service_runtime import ServiceRuntime
from myokine.unit_of_work import UnitOfWork

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


@dataclass(frozen=True)
class Dependencies:
    """What the logging service's entry points hand to its handlers and queries."""

    runtime: ServiceRuntime
    settings: Settings
    unit_of_work: Callable[[], UnitOfWork[LoggingRepository]]
    """A new unit of work per use case."""
    clock: Callable[[], datetime]
    """The current time (aware, UTC)."""


def _utc_now() -> datetime:
    return datetime.now(UTC)


def bootstrap(
    settings: Settings | None = None,
    *,
    unit_of_work: Callable[[], UnitOfWork[LoggingRepository]] | None = None,
    clock: Callable[[], datetime] = _utc_now,
) -> Dependencies:
    """Wire the service: the real unit of work on its database unless a test passes another.

    Nothing connects yet; the Celery tasks are registered on `runtime.celery`.
    """
    settings = settings or get_settings()
    runtime = ServiceRuntime.build("logging", settings, TABLES, MIGRATIONS)

    def sql_unit_of_work() -> UnitOfWork[LoggingRepository]:
        return runtime.unit_of_work(SqlLoggingRepository)

    deps = Dependencies(
        runtime=runtime,
        settings=settings,
        unit_of_work=unit_of_work or sql_unit_of_work,
        clock=clock,
    )
    tasks.register(deps)
    return deps
