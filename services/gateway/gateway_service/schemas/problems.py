"""The error document every route may answer (application/problem+json, RFC 9457)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from gateway_service.schemas.base import Open


class FieldError(BaseModel):
    """One invalid field."""

    field: str
    message: str


class ProblemOut(Open):
    """An error, as application/problem+json (RFC 9457)."""

    type: str = Field(examples=["https://myokine.dev/problems/unauthorized"])
    title: str = Field(examples=["Not authenticated"])
    status: int = Field(examples=[401])
    detail: str = Field(examples=["A bearer token is required."])
    instance: str | None = None
    errors: list[FieldError] | None = None
