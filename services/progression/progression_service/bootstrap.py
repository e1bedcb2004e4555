"""The progression service, wired once: its runtime, its units of work, its consumers.

`bootstrap()` is the only place that builds anything; the app (`main.create_app`), the
worker and the command line (`python -m progression_service`) all start from it, and a
test passes its own unit-of-work factory to run the handlers without a database.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from myokine.service_runtime import ServiceRuntime
from myokine.unit_of_work import UnitOfWork
from progression_service import tasks
from progression_service.repository import TABLES, ProgressionRepository, SqlProgressionRepository
from progression_service.settings import Settings, get_settings

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


@dataclass(frozen=True)
class Dependencies:
    """What the progression service's entry points are given."""

    runtime: ServiceRuntime
    unit_of_work: Callable[[], UnitOfWork[ProgressionRepository]]
    """A new unit of work per use case."""


def bootstrap(
    settings: Settings | None = None,
    *,
    unit_of_work: Callable[[], UnitOfWork[ProgressionRepository]] | None = None,
) -> Dependencies:
    """Build the service from `settings` (the environment's by default), with the real
    units of work unless a test passes another factory; register its consumers."""
    runtime = ServiceRuntime.build("progression", settings or get_settings(), TABLES, MIGRATIONS)

    def sql_unit_of_work() -> UnitOfWork[ProgressionRepository]:
        return runtime.unit_of_work(SqlProgressionRepository)

    deps = Dependencies(runtime=runtime, unit_of_work=unit_of_work or sql_unit_of_work)
    tasks.register(deps)
    return deps
