"""An API runs no more blocking calls at once than its database pool holds connections."""

from __future__ import annotations

from pathlib import Path

import anyio.to_thread
from fastapi import APIRouter
from fastapi.testclient import TestClient
from sqlalchemy import MetaData

from myokine.messaging_tables import define_messaging_tables
from myokine.service_runtime import ServiceRuntime
from myokine.settings import ServiceSettings

router = APIRouter()


@router.get("/threads")
async def threads() -> dict[str, float]:
    """How many blocking calls this app's event loop runs at once."""
    return {"threads": anyio.to_thread.current_default_thread_limiter().total_tokens}


def test_an_api_runs_as_many_blocking_calls_at_once_as_it_pools_connections() -> None:
    settings = ServiceSettings(service_name="logging", database_pool_size=3)
    runtime = ServiceRuntime.build(
        "logging", settings, define_messaging_tables(MetaData()), Path("unused")
    )
    app = runtime.create_app(title="t", description="d", routers=[router])

    with TestClient(app) as client:
        assert client.get("/threads").json() == {"threads": 3}
    assert runtime.engine.pool.size() == 3  # type: ignore[attr-defined]
