"""The progression service's one `ServiceRuntime`: settings, database, broker and outbox."""

from __future__ import annotations

from pathlib import Path

from myokine.service_runtime import ServiceRuntime
from progression_service.repository import TABLES
from progression_service.settings import get_settings

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"

runtime = ServiceRuntime.build("progression", get_settings(), TABLES, MIGRATIONS)
