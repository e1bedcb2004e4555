"""A trainer's session: sign in for an access token and a refresh token, then refresh.

Access tokens are short-lived JWTs; refresh tokens are long random strings stored as their
SHA-256, each good for one refresh, which answers a new pair. A refresh token presented a
second time means it was copied: every refresh token of that trainer is ended, and they
sign in again. A deactivated trainer's refresh fails like their access tokens.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from gateway_service import credentials, queries
from gateway_service.principals import TrainerPrincipal
from gateway_service.repository import GatewayRepository, RefreshToken
from gateway_service.schemas.auth import TokenOut
from gateway_service.settings import Settings
from gateway_service.tokens import issue_token
from myokine.problems import Unauthorized
from myokine.unit_of_work import UnitOfWork

Uow = UnitOfWork[GatewayRepository]

_CHALLENGE = {"WWW-Authenticate": "Bearer"}


def _pair(
    repo: GatewayRepository, trainer: TrainerPrincipal, settings: Settings, now: datetime
) -> TokenOut:
    refresh = credentials.new_refresh_token()
    repo.add_refresh_token(
        RefreshToken(
            id=uuid.uuid4(),
            trainer_id=trainer.trainer_id,
            token_hash=credentials.kiosk_token_hash(refresh),
            expires_at=now + timedelta(seconds=settings.trainer_refresh_ttl_seconds),
            created_at=now,
        )
    )
    access = issue_token(
        "trainer",
        trainer.trainer_id,
        trainer.chain_id,
        secret=settings.jwt_secret,
        ttl_seconds=settings.trainer_token_ttl_seconds,
    )
    return TokenOut(
        access_token=access,
        token_type="bearer",
        expires_in=settings.trainer_token_ttl_seconds,
        refresh_token=refresh,
        refresh_expires_in=settings.trainer_refresh_ttl_seconds,
    )


def sign_in(uow: Uow, email: str, password: str, settings: Settings, *, now: datetime) -> TokenOut:
    """Email and password: an access token and a refresh token, or Unauthorized."""
    trainer = queries.authenticate_trainer(uow, email, password)
    with uow:
        answer = _pair(uow.repo, trainer, settings, now)
        uow.commit()
    return answer


def refresh(uow: Uow, token: str, settings: Settings, *, now: datetime) -> TokenOut:
    """A new access token and refresh token for a refresh token used once, unexpired, of an
    active trainer; Unauthorized otherwise (a reused one ends all the trainer's sessions)."""
    refused = Unauthorized("The refresh token is not valid: sign in again.", headers=_CHALLENGE)
    with uow:
        stored = uow.repo.refresh_token_by_hash(credentials.kiosk_token_hash(token))
        if stored is None or stored.expires_at <= now:
            raise refused
        if stored.used_at is not None:
            uow.repo.end_refresh_tokens(stored.trainer_id, now)
            uow.commit()
            raise refused
        row = uow.repo.trainer(stored.trainer_id)
        if row is None or not row.active:
            raise refused
        stored.used_at = now
        trainer = queries.trainer_principal(uow.repo, row)
        answer = _pair(uow.repo, trainer, settings, now)
        uow.commit()
    return answer
