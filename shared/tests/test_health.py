"""/healthz and /readyz against real PostgreSQL and Redis servers."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url

from devstack.embedded import EmbeddedRedis, free_port
from myokine.db import make_engine
from myokine.health import health_router
from myokine.problems import PROBLEM_JSON


def client_for(engine: Any, redis_url: str) -> TestClient:
    app = FastAPI()
    app.include_router(health_router(engine, redis_url))
    return TestClient(app)


def test_ready_when_the_database_and_redis_answer(db: Any, redis_up: EmbeddedRedis) -> None:
    client = client_for(db.engine, redis_up.url)

    assert client.get("/healthz").json() == {"status": "ok"}
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "checks": {"database": "ok", "redis": "ok"}}


def test_not_ready_while_redis_is_down_and_ready_again_after(
    db: Any, redis_up: EmbeddedRedis
) -> None:
    client = client_for(db.engine, redis_up.url)
    redis_up.stop()
    try:
        down = client.get("/readyz")
        alive = client.get("/healthz")
    finally:
        redis_up.start()

    assert down.status_code == 503
    assert down.headers["content-type"] == PROBLEM_JSON
    body = down.json()
    assert body["status"] == 503 and body["type"].endswith("/not-ready")
    assert set(body["checks"]) == {"redis"}
    assert alive.status_code == 200, "the process itself is fine"
    assert client.get("/readyz").status_code == 200


def test_not_ready_when_the_database_does_not_answer(redis_up: EmbeddedRedis, db: Any) -> None:
    nowhere = make_url(db.url).set(port=free_port()).render_as_string(hide_password=False)
    engine = make_engine(nowhere)
    try:
        response = client_for(engine, redis_up.url).get("/readyz")
    finally:
        engine.dispose()

    assert response.status_code == 503
    assert set(response.json()["checks"]) == {"database"}
