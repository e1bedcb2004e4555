"""The program service's web app, for uvicorn's factory mode (`main:create_app`)."""

from __future__ import annotations

from fastapi import FastAPI

from program_service import api
from program_service.bootstrap import Dependencies, bootstrap


def create_app(deps: Dependencies | None = None) -> FastAPI:
    """The app on `deps` (the service wired by `bootstrap()` when none are given)."""
    deps = deps or bootstrap()
    app = deps.runtime.create_app(
        title="Myokine program service",
        description="Internal API of the program service; called by the gateway only.",
        routers=[api.router],
        unit_of_work=deps.unit_of_work,
    )
    # `api.current_time` reads it: the routes stamp their changes with the service's clock.
    app.state.clock = deps.clock
    return app
