"""The program service wired once: runtime, units of work, clock, Celery consumers.

Every entry point (`python -m program_service`, `main.create_app`, the tests) starts
here; nothing is built when a module is imported.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from myokine.service_runtime import ServiceRuntime
from myokine.unit_of_work import UnitOfWork
from program_service import tasks
from program_service.repository import TABLES, ProgramRepository, SqlProgramRepository
from program_service.settings import Settings, get_settings

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


@dataclass(frozen=True)
class Dependencies:
    """What the program service's entry points hand to its handlers and queries."""

    runtime: ServiceRuntime
    unit_of_work: Callable[[], UnitOfWork[ProgramRepository]]
    """A new unit of work: one per request, per consumed event."""
    clock: Callable[[], datetime]
    """The current time (aware, UTC)."""


def _utc_now() -> datetime:
    return datetime.now(UTC)


def bootstrap(
    settings: Settings | None = None,
    *,
    unit_of_work: Callable[[], UnitOfWork[ProgramRepository]] | None = None,
    clock: Callable[[], datetime] = _utc_now,
) -> Dependencies:
    """Wire the service (nothing connects yet) and register its consumers on its worker.

    `unit_of_work` replaces the one on the service's database, for a test.
    """
    runtime = ServiceRuntime.build("program", settings or get_settings(), TABLES, MIGRATIONS)

    def on_database() -> UnitOfWork[ProgramRepository]:
        return runtime.unit_of_work(SqlProgramRepository)

    deps = Dependencies(runtime=runtime, unit_of_work=unit_of_work or on_database, clock=clock)
    tasks.register(deps)
    return deps
