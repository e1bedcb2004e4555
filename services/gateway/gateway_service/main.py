"""The gateway's web app, for uvicorn's factory mode: the public API and the pages."""

from __future__ import annotations

from fastapi import FastAPI

from gateway_service import api, web
from gateway_service.api.errors import problem_json_openapi
from gateway_service.bootstrap import Dependencies, bootstrap

DESCRIPTION = """\
The one public entry of Myokine, for kiosks and trainers.

**Kiosk**: `POST /v1/kiosk/identify` with the kiosk's device token as the bearer token;
then every kiosk call with the member token it answers. Kiosk writes require
`Idempotency-Key`.

**Trainer**: `POST /v1/auth/token` (OAuth2 password flow; the *Authorize* button above
works) and the access token as the bearer token.

Errors are `application/problem+json` (RFC 9457) with a stable `type` per kind.
"""


def create_app(deps: Dependencies | None = None) -> FastAPI:
    """The public app, on `deps` (a fresh `bootstrap()` when none is given)."""
    deps = deps or bootstrap()
    app = deps.runtime.create_app(
        title="Myokine gateway",
        description=DESCRIPTION,
        routers=[api.router, web.router],
        unit_of_work=deps.unit_of_work,
        upload_paths=[api.members.IMPORT_PATH],
    )
    problem_json_openapi(app)
    # `api.deps` reads it: the settings, service clients, rate limiter, PIN policy, clock.
    app.state.deps = deps
    return app
