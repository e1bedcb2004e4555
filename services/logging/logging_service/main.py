"""The logging service's web app, for uvicorn's factory mode."""

from __future__ import annotations

from fastapi import FastAPI

from logging_service import api
from logging_service.bootstrap import Dependencies, bootstrap


def create_app(deps: Dependencies | None = None) -> FastAPI:
    """The internal API app, on `deps` (a fresh `bootstrap()` when none is given)."""
    deps = deps or bootstrap()
    app = deps.runtime.create_app(
        title="Myokine logging service",
        description="Internal API of the logging service; called by the gateway only.",
        routers=[api.router],
        unit_of_work=deps.unit_of_work,
    )
    # `api.current_time` reads it: one clock for the routes, the tasks and the tests.
    app.state.clock = deps.clock
    return app
