"""The logging service's settings."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field

from myokine.settings import ServiceSettings


class Settings(ServiceSettings):
    """Settings of the logging service (see .env.example)."""

    service_name: str = "logging"
    http_port: int = Field(default=8002, validation_alias="LOGGING_HTTP_PORT")
    service_database_url: str | None = Field(default=None, validation_alias="LOGGING_DATABASE_URL")
    auto_finish_interval_seconds: float = Field(
        default=300.0,
        gt=0,
        validation_alias="LOGGING_AUTO_FINISH_INTERVAL",
        description="How often `worker --beat` finishes sessions idle for 3 hours.",
    )


@lru_cache
def get_settings() -> Settings:
    """The settings, read from the environment once."""
    return Settings()
