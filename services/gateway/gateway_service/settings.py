"""The gateway service's settings."""

from __future__ import annotations

from myokine.settings import ServiceSettings
from pydantic import Field


class Settings(ServiceSettings):
    """Settings of the gateway service (see .env.example)."""

    service_name: str = "gateway"
    http_port: int = Field(default=8000, validation_alias="GATEWAY_HTTP_PORT")
    service_database_url: str | None = Field(default=None, validation_alias="GATEWAY_DATABASE_URL")
