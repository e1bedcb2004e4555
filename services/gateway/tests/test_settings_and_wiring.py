"""Settings refuse development secrets in production; the PIN backoff is wired from them; the
worker consumes progression's events."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest
from pydantic import ValidationError

from gateway_service.bootstrap import Dependencies, pin_policy
from gateway_service.domain.pin_lock import Backoff
from gateway_service.settings import Settings
from myokine.events import ROUTES, task_name


def test_production_refuses_a_development_or_short_jwt_secret() -> None:
    production = {"MYOKINE_ENV": "production", "internal_token_secret": secrets.token_hex(32)}
    with pytest.raises(ValidationError, match="JWT_SECRET"):
        Settings(**production)
    with pytest.raises(ValidationError, match="JWT_SECRET"):
        Settings(**production, jwt_secret="a")
    assert Settings(**production, jwt_secret=secrets.token_hex(32)).environment == "production"


def test_the_pin_backoff_of_each_scope_comes_from_the_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PIN_BACKOFF_FIRST_SECONDS", "10")
    monkeypatch.setenv("PIN_CHAIN_BACKOFF_MAX_SECONDS", "120")
    policy = pin_policy(Settings())
    second = timedelta(seconds=1)
    assert policy.badge_at_kiosk == Backoff(5, 10 * second, 900 * second)
    assert policy.badge_in_chain == Backoff(20, 10 * second, 120 * second)
    assert policy.kiosk == Backoff(20, 10 * second, 300 * second)
    with pytest.raises(ValidationError, match="pin_backoff_max_seconds"):
        Settings(pin_backoff_max_seconds=0)


def test_the_worker_consumes_every_event_routed_to_the_gateway(deps: Dependencies) -> None:
    tasks = deps.runtime.celery.tasks
    routed = {event for event, consumers in ROUTES.items() if "gateway" in consumers}
    registered = {name.removeprefix("gateway.") for name in tasks if name.startswith("gateway.")}
    assert routed <= registered
    assert all(task_name("gateway", e) in tasks for e in routed)
