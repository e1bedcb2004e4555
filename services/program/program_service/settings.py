"""The program service's settings."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field

from myokine.settings import ServiceSettings


class Settings(ServiceSettings):
    """Settings of the program service (see .env.example)."""

    service_name: str = "program"
    http_port: int = Field(default=8001, validation_alias="PROGRAM_HTTP_PORT")
    service_database_url: str | None = Field(default=None, validation_alias="PROGRAM_DATABASE_URL")


@lru_cache
def get_settings() -> Settings:
    """The settings, read from the environment once."""
    return Settings()
