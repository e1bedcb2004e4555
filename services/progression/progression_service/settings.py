"""The progression service's settings."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field

from myokine.settings import ServiceSettings


class Settings(ServiceSettings):
    """Settings of the progression service (see .env.example)."""

    service_name: str = "progression"
    http_port: int = Field(default=8003, validation_alias="PROGRESSION_HTTP_PORT")
    service_database_url: str | None = Field(
        default=None, validation_alias="PROGRESSION_DATABASE_URL"
    )


@lru_cache
def get_settings() -> Settings:
    """The settings, read from the environment once."""
    return Settings()
