"""Settings refuse development secrets in production; the worker consumes progression's events."""

from __future__ import annotations

import secrets

import pytest
from pydantic import ValidationError

from gateway_service.bootstrap import Dependencies
from gateway_service.settings import Settings
from myokine.events import ROUTES, task_name


def test_production_refuses_a_development_or_short_jwt_secret() -> None:
    production = {"MYOKINE_ENV": "production", "internal_token_secret": secrets.token_hex(32)}
    with pytest.raises(ValidationError, match="JWT_SECRET"):
        Settings(**production)
    with pytest.raises(ValidationError, match="JWT_SECRET"):
        Settings(**production, jwt_secret="a")
    assert Settings(**production, jwt_secret=secrets.token_hex(32)).environment == "production"


def test_the_worker_consumes_every_event_routed_to_the_gateway(deps: Dependencies) -> None:
    tasks = deps.runtime.celery.tasks
    routed = {event for event, consumers in ROUTES.items() if "gateway" in consumers}
    registered = {name.removeprefix("gateway.") for name in tasks if name.startswith("gateway.")}
    assert routed <= registered
    assert all(task_name("gateway", e) in tasks for e in routed)
