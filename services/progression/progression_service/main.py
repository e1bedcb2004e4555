"""The progression service's web app, for uvicorn's factory mode."""

from __future__ import annotations

from fastapi import FastAPI

from progression_service import api
from progression_service.bootstrap import Dependencies, bootstrap


def create_app(deps: Dependencies | None = None) -> FastAPI:
    """The service's app, on `deps` (built from the environment when none are given)."""
    deps = deps or bootstrap()
    return deps.runtime.create_app(
        title="Myokine progression service",
        description="Internal API of the progression service; called by the gateway only.",
        routers=[api.router],
        unit_of_work=deps.unit_of_work,
    )
