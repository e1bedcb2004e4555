"""Settings: from the environment only; production refuses the development secrets."""

from __future__ import annotations

import secrets

import pytest
from pydantic import Field, ValidationError

from myokine.settings import DEV_SECRET, ServiceSettings, settings_of


class LoggingSettings(ServiceSettings):
    """As a service declares its own (see services/*/settings.py)."""

    service_name: str = "logging"
    service_database_url: str | None = Field(default=None, validation_alias="LOGGING_DATABASE_URL")


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only what each test sets (the run's own variables would leak in otherwise)."""
    for name in ("DATABASE_URL", "DB_PREFIX", "MYOKINE_ENV", "INTERNAL_TOKEN_SECRET", "REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir("/")  # no .env file


def test_production_refuses_the_development_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MYOKINE_ENV", "production")
    with pytest.raises(ValidationError, match="INTERNAL_TOKEN_SECRET"):
        LoggingSettings()


def test_production_starts_with_real_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    real = secrets.token_hex(32)
    monkeypatch.setenv("MYOKINE_ENV", "production")
    monkeypatch.setenv("INTERNAL_TOKEN_SECRET", real)
    settings = LoggingSettings()
    assert settings.environment == "production"
    assert settings.internal_token_secret == real


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("short-secret-value-1", "shorter than 32 bytes"),
        ("a-real-secret-but-short", "shorter than 32 bytes"),
        ("ab" * 32, "too few distinct characters"),
    ],
)
def test_production_refuses_a_short_or_repetitive_secret_without_echoing_it(
    monkeypatch: pytest.MonkeyPatch, value: str, why: str
) -> None:
    monkeypatch.setenv("MYOKINE_ENV", "production")
    monkeypatch.setenv("INTERNAL_TOKEN_SECRET", value)
    with pytest.raises(ValidationError, match=why) as refused:
        LoggingSettings()
    assert "INTERNAL_TOKEN_SECRET" in str(refused.value)
    assert value not in str(refused.value)


@pytest.mark.parametrize("environment", ["local", "test"])
def test_local_and_test_modes_accept_the_development_secret(
    monkeypatch: pytest.MonkeyPatch, environment: str
) -> None:
    monkeypatch.setenv("MYOKINE_ENV", environment)
    assert LoggingSettings().internal_token_secret == DEV_SECRET


def test_an_unknown_mode_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MYOKINE_ENV", "staging")
    with pytest.raises(ValidationError):
        LoggingSettings()


def test_each_service_has_its_own_database_on_the_server(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://app:s3cret@db.internal:5433/postgres")
    monkeypatch.setenv("DB_PREFIX", "myokine_")
    settings = LoggingSettings()
    assert settings.database_name == "myokine_logging"
    assert settings.sqlalchemy_url == (
        "postgresql+psycopg://app:s3cret@db.internal:5433/myokine_logging"
    )


def test_a_service_database_url_overrides_the_shared_server(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    monkeypatch.setenv("LOGGING_DATABASE_URL", "postgresql://logs@logs.internal/sets_db")
    settings = LoggingSettings()
    assert settings.database_name == "sets_db"
    assert settings.sqlalchemy_url == "postgresql+psycopg://logs@logs.internal/sets_db"


def test_defaults_are_the_local_development_ones() -> None:
    settings = LoggingSettings()
    assert settings.environment == "local"
    assert settings.redis_url == "redis://127.0.0.1:6379/0"
    assert settings.database_name == "myokine_logging"
    assert settings.celery_visibility_timeout <= 60, "a killed worker's task back in seconds"


def test_settings_of_a_service_find_its_database_as_it_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://app:s3cret@db.internal:5433/postgres")
    monkeypatch.setenv("DB_PREFIX", "run_")
    monkeypatch.setenv("REDIS_URL", "redis://broker.internal:6379/2")
    assert settings_of("logging").sqlalchemy_url == LoggingSettings().sqlalchemy_url
    assert settings_of("program").database_name == "run_program"
    assert settings_of("program").redis_url == "redis://broker.internal:6379/2"

    monkeypatch.setenv("LOGGING_DATABASE_URL", "postgresql://logs@logs.internal/sets_db")
    assert settings_of("logging").sqlalchemy_url == LoggingSettings().sqlalchemy_url
    assert settings_of("logging").database_name == "sets_db"
    assert settings_of("program").database_name == "run_program", "another service's own"
