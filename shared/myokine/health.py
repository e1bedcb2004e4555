"""`/healthz` (the process is alive) and `/readyz` (its database and Redis answer)."""

from __future__ import annotations

import redis
from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import Engine, text

from myokine.problems import PROBLEM_JSON, TYPE_BASE


def check_database(engine: Engine) -> str | None:
    """None when the database answers, else why not."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:
        return repr(exc)
    return None


def check_redis(url: str) -> str | None:
    """None when Redis answers, else why not."""
    client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
    try:
        client.ping()
    except Exception as exc:
        return repr(exc)
    finally:
        client.close()
    return None


def health_router(engine: Engine, redis_url: str) -> APIRouter:
    """The two probes every service serves."""
    router = APIRouter(tags=["health"])

    @router.get("/healthz", summary="The process is alive")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/readyz", summary="The database and Redis answer")
    def readyz() -> JSONResponse:
        failures = {
            name: error
            for name, error in (
                ("database", check_database(engine)),
                ("redis", check_redis(redis_url)),
            )
            if error
        }
        if failures:
            return JSONResponse(
                {
                    "type": TYPE_BASE + "not-ready",
                    "title": "Not ready",
                    "status": 503,
                    "detail": "Not ready: " + ", ".join(failures),
                    "checks": failures,
                },
                status_code=503,
                media_type=PROBLEM_JSON,
            )
        return JSONResponse({"status": "ready", "checks": {"database": "ok", "redis": "ok"}})

    return router
