"""The progression service, wired once: `app` for uvicorn, `celery` for the worker."""

from __future__ import annotations

from fastapi import FastAPI

from progression_service import api, tasks
from progression_service.runtime import runtime

# `python -m progression_service` and migrations/env.py start from this module, so that
# the worker has its consumers registered.
__all__ = ["app", "celery", "runtime"]

tasks.register(runtime)
celery = runtime.celery
app = runtime.create_app(
    title="Myokine progression service",
    description="Internal API of the progression service; called by the gateway only.",
    routers=[api.router],
)


def create_app() -> FastAPI:
    """The app, for uvicorn's factory mode."""
    return app
