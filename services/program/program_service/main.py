"""The program service, wired once: `app` for uvicorn, `runtime.celery` for the worker."""

from __future__ import annotations

from pathlib import Path

from myokine.service_runtime import ServiceRuntime
from program_service import api
from program_service.repository import Base
from program_service.settings import get_settings

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"

settings = get_settings()
runtime = ServiceRuntime.build("program", settings, Base.metadata, MIGRATIONS)
celery = runtime.celery
app = runtime.create_app(
    title="Myokine program service",
    description="Internal API of the program service; called by the gateway only.",
    routers=[api.router],
)
