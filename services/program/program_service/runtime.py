"""The program service's one `ServiceRuntime`: settings, database, broker and outbox."""

from __future__ import annotations

from pathlib import Path

from myokine.service_runtime import ServiceRuntime
from program_service.repository import TABLES
from program_service.settings import get_settings

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"

runtime = ServiceRuntime.build("program", get_settings(), TABLES, MIGRATIONS)
