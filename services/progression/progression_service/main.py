"""The progression service, wired once: `app` for uvicorn, `runtime.celery` for the worker."""

from __future__ import annotations

from pathlib import Path

from myokine.service_runtime import ServiceRuntime
from progression_service import api
from progression_service.repository import Base
from progression_service.settings import get_settings

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"

settings = get_settings()
runtime = ServiceRuntime.build("progression", settings, Base.metadata, MIGRATIONS)
celery = runtime.celery
app = runtime.create_app(
    title="Myokine progression service",
    description="Internal API of the progression service; called by the gateway only.",
    routers=[api.router],
)
