"""Trainer sign-in: the OAuth2 password flow, so the Authorize button of /docs works."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.security import OAuth2PasswordRequestForm

from gateway_service import queries
from gateway_service.api.deps import DepsDep, UowDep
from gateway_service.api.errors import problems
from gateway_service.schemas.auth import TokenOut
from gateway_service.tokens import issue_token

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
) -> TokenOut:
    """A short-lived access token for a trainer or chain admin."""
    # Per source and account: slows guessing one trainer's password without letting one
    # busy address (a gym's NAT, a test suite) lock every trainer out.
    source = request.client.host if request.client else "unknown"
    deps.limiter.hit(
        f"login:{source}:{form.username.lower()}", deps.settings.login_rate_limit_per_minute
    )
    trainer = queries.authenticate_trainer(uow, form.username, form.password)
    ttl = deps.settings.trainer_token_ttl_seconds
    access = issue_token(
        "trainer",
        trainer.trainer_id,
        trainer.chain_id,
        secret=deps.settings.jwt_secret,
        ttl_seconds=ttl,
    )
    return TokenOut(access_token=access, token_type="bearer", expires_in=ttl)
