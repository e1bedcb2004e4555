"""`myokine.settings.settings_of(name)` finds each service's database and Redis as that
service's own Settings do, so the operator's `myokine dead-letters` (which may not import
another service) reads and replays in the right database."""

from __future__ import annotations

import pytest

from myokine.settings import settings_of
from tests.infra.deployment import services


@pytest.mark.parametrize("name", sorted(services()))
def test_settings_of_agrees_with_the_services_own(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir("/")  # no .env file
    monkeypatch.setenv("DATABASE_URL", "postgresql://app@db.internal:5433/postgres")
    monkeypatch.setenv("DB_PREFIX", "ops_")
    monkeypatch.setenv("REDIS_URL", "redis://broker.internal:6379/3")
    own = services()[name].settings
    assert (settings_of(name).sqlalchemy_url, settings_of(name).redis_url) == (
        own().sqlalchemy_url,
        own().redis_url,
    )
    monkeypatch.setenv(f"{name.upper()}_DATABASE_URL", "postgresql://x@elsewhere/its_own")
    assert settings_of(name).sqlalchemy_url == own().sqlalchemy_url
    assert settings_of(name).database_name == "its_own"
