"""The program service, wired once: `app` for uvicorn, `celery` for the worker."""

from __future__ import annotations

from fastapi import FastAPI

from program_service import api, tasks
from program_service.runtime import runtime

# `python -m program_service` and migrations/env.py start from this module, so that the
# worker has its consumers registered.
__all__ = ["app", "celery", "runtime"]

tasks.register(runtime)
celery = runtime.celery
app = runtime.create_app(
    title="Myokine program service",
    description="Internal API of the program service; called by the gateway only.",
    routers=[api.router],
)


def create_app() -> FastAPI:
    """The app, for uvicorn's factory mode."""
    return app
