"""Trainer sign-in: the OAuth2 password flow, so the Authorize button of /docs works."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.security import OAuth2PasswordRequestForm

from gateway_service.api.deps import DepsDep, NowDep, UowDep
from gateway_service.api.errors import problems
from gateway_service.handlers import sessions
from gateway_service.schemas.auth import RefreshIn, TokenOut

router = APIRouter(prefix="/v1/auth", tags=["auth"])


@router.post(
    "/token",
    summary="Sign in: email and password for an access token",
    description="Form fields `username` (the trainer's email) and `password`.",
    responses=problems(401, 422),
)
def token(
    deps: DepsDep,
    uow: UowDep,
    request: Request,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    now: NowDep,
) -> TokenOut:
    """A short-lived access token and a refresh token for a trainer or chain admin."""
    # Per source and account: slows guessing one trainer's password without letting one
    # busy address (a gym's NAT, a test suite) lock every trainer out.
    source = request.client.host if request.client else "unknown"
    deps.limiter.hit(
        f"login:{source}:{form.username.lower()}", deps.settings.login_rate_limit_per_minute
    )
    return sessions.sign_in(uow, form.username, form.password, deps.settings, now=now)


@router.post(
    "/refresh",
    summary="A new access token for a refresh token",
    description="Each refresh token works once and the answer carries a new one; a refresh "
    "token presented twice ends every session of its trainer. A deactivated trainer's "
    "refresh answers 401.",
    responses=problems(401, 422, 429),
)
def refresh(deps: DepsDep, uow: UowDep, request: Request, body: RefreshIn, now: NowDep) -> TokenOut:
    """Trade a refresh token for a new access token and refresh token."""
    source = request.client.host if request.client else "unknown"
    deps.limiter.hit(f"refresh:{source}", deps.settings.trainer_rate_limit_per_minute)
    return sessions.refresh(uow, body.refresh_token, deps.settings, now=now)
