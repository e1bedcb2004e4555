"""The gateway service, wired once: `app` for uvicorn, `runtime.celery` for the worker."""

from __future__ import annotations

from pathlib import Path

from gateway_service import api
from gateway_service.repository import Base
from gateway_service.settings import get_settings
from myokine.service_runtime import ServiceRuntime

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"

settings = get_settings()
runtime = ServiceRuntime.build("gateway", settings, Base.metadata, MIGRATIONS)
celery = runtime.celery
app = runtime.create_app(
    title="Myokine gateway service",
    description="Internal API of the gateway service; called by the gateway only.",
    routers=[api.router],
)
