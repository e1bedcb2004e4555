"""The gateway service, wired once: `app` for uvicorn, `runtime.celery` for the worker."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from gateway_service import api, tasks, web
from gateway_service.api.deps import Gateway
from gateway_service.api.errors import problem_json_openapi
from gateway_service.ratelimits import RateLimiter
from gateway_service.repository import TABLES
from gateway_service.service_clients import ServiceClient, Services, Timeouts
from gateway_service.settings import Settings, get_settings
from myokine.service_runtime import ServiceRuntime

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"

DESCRIPTION = """\
The one public entry of Myokine, for kiosks and trainers.

**Kiosk**: `POST /v1/kiosk/identify` with the kiosk's device token as the bearer token;
then every kiosk call with the member token it answers. Kiosk writes require
`Idempotency-Key`.

**Trainer**: `POST /v1/auth/token` (OAuth2 password flow; the *Authorize* button above
works) and the access token as the bearer token.

Errors are `application/problem+json` (RFC 9457) with a stable `type` per kind.
"""


def build_services(settings: Settings) -> Services:
    """HTTP clients for the program, logging and progression services."""
    timeouts = Timeouts(
        connect=settings.service_connect_timeout,
        read=settings.service_read_timeout,
        write=settings.service_write_timeout,
        retry_after=settings.retry_after_seconds,
    )

    def client(name: str, url: str) -> ServiceClient:
        return ServiceClient(
            name,
            url,
            secret=settings.internal_token_secret,
            token_ttl=settings.internal_token_ttl_seconds,
            timeouts=timeouts,
        )

    return Services(
        program=client("program", settings.program_url),
        logging=client("logging", settings.logging_url),
        progression=client("progression", settings.progression_url),
    )


def build_app(runtime: ServiceRuntime, settings: Settings, services: Services) -> FastAPI:
    """The public app on a runtime, calling these services."""
    public = runtime.create_app(
        title="Myokine gateway", description=DESCRIPTION, routers=[api.router, web.router]
    )
    problem_json_openapi(public)
    public.state.gateway = Gateway(
        settings=settings,
        sessions=runtime.sessions,
        services=services,
        limiter=RateLimiter(settings.redis_url, prefix=settings.rate_limit_namespace),
    )
    return public


settings = get_settings()
runtime = ServiceRuntime.build("gateway", settings, TABLES, MIGRATIONS)
celery = runtime.celery
tasks.register(runtime)
services = build_services(settings)
app = build_app(runtime, settings, services)


def create_app() -> FastAPI:
    """The app, for uvicorn's factory mode."""
    return app
