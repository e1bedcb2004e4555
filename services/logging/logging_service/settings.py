"""The logging service's settings."""

from __future__ import annotations

from myokine.settings import ServiceSettings
from pydantic import Field


class Settings(ServiceSettings):
    """Settings of the logging service (see .env.example)."""

    service_name: str = "logging"
    http_port: int = Field(default=8002, validation_alias="LOGGING_HTTP_PORT")
    service_database_url: str | None = Field(default=None, validation_alias="LOGGING_DATABASE_URL")
