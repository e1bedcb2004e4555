"""The logging service, wired once: `app` for uvicorn, `runtime.celery` for the worker."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from logging_service import api, tasks
from logging_service.repository import TABLES
from logging_service.settings import get_settings
from myokine.service_runtime import ServiceRuntime

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"

settings = get_settings()
runtime = ServiceRuntime.build("logging", settings, TABLES, MIGRATIONS)
tasks.register(runtime, auto_finish_every=settings.auto_finish_interval_seconds)
celery = runtime.celery
app = runtime.create_app(
    title="Myokine logging service",
    description="Internal API of the logging service; called by the gateway only.",
    routers=[api.router],
)
app.state.runtime = runtime


def create_app() -> FastAPI:
    """The app, for uvicorn's factory mode."""
    return app
