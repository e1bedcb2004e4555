"""Trainer sign-in (`/v1/auth`)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class TokenOut(BaseModel):
    """An OAuth2 access token."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"access_token": "eyJhbGciOi...", "token_type": "bearer", "expires_in": 900}
            ]
        }
    )

    access_token: str
    token_type: str = Field(examples=["bearer"])
    expires_in: int
