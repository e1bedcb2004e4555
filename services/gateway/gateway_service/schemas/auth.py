"""Trainer sign-in (`/v1/auth`)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from myokine.request_bodies import RequestBody


class TokenOut(BaseModel):
    """An OAuth2 access token."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "access_token": "eyJhbGciOi...",
                    "token_type": "bearer",
                    "expires_in": 900,
                    "refresh_token": "mkr_3q2+7w...",
                    "refresh_expires_in": 1209600,
                }
            ]
        }
    )

    access_token: str
    token_type: str = Field(examples=["bearer"])
    expires_in: int
    refresh_token: str = Field(
        description="Trade it at POST /v1/auth/refresh for a new access token (and a new "
        "refresh token: each works once)."
    )
    refresh_expires_in: int


class RefreshIn(RequestBody):
    """A refresh token, to trade for a new access token."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"refresh_token": "mkr_3q2+7w..."}]}
    )

    refresh_token: str = Field(min_length=1, max_length=200)
