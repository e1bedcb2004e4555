"""The progression service's settings."""

from __future__ import annotations

from myokine.settings import ServiceSettings
from pydantic import Field


class Settings(ServiceSettings):
    """Settings of the progression service (see .env.example)."""

    service_name: str = "progression"
    http_port: int = Field(default=8003, validation_alias="PROGRESSION_HTTP_PORT")
    service_database_url: str | None = Field(
        default=None, validation_alias="PROGRESSION_DATABASE_URL"
    )
