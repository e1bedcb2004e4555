"""What routes depend on, declared once: the gateway's wiring, a unit of work, who is calling.

Three kinds of bearer token reach the gateway: a kiosk's device token, a member token
(after identify, bound to that kiosk) and a trainer's access token. A missing or invalid
token answers 401; a valid token of the wrong kind answers 403.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Depends, Header, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer, OAuth2PasswordBearer

from gateway_service import queries
from gateway_service.bootstrap import Dependencies
from gateway_service.principals import KioskPrincipal, MemberPrincipal, TrainerPrincipal
from gateway_service.repository import GatewayRepository
from gateway_service.schemas.catalog import SLUG_PATTERN
from gateway_service.tokens import looks_like_jwt, read_token
from myokine.internal_api import unit_of_work
from myokine.problems import Forbidden, Unauthorized
from myokine.unit_of_work import UnitOfWork


# The dependencies that do not wait on anything are async: a plain function costs a trip to
# the thread pool on every request.
async def _deps(request: Request) -> Dependencies:
    deps: Dependencies = request.app.state.deps
    return deps


DepsDep = Annotated[Dependencies, Depends(_deps)]
"""The gateway's wiring: settings, service clients, rate limiter, PIN policy."""

UowDep = Annotated[UnitOfWork[GatewayRepository], Depends(unit_of_work)]


async def _now(deps: DepsDep) -> datetime:
    return deps.clock()


NowDep = Annotated[datetime, Depends(_now)]
"""Now, from the clock the gateway was wired with."""

_kiosk_scheme = HTTPBearer(
    scheme_name="KioskToken",
    description="The kiosk's device token for identify; the member token for the rest.",
    auto_error=False,
)
_trainer_scheme = OAuth2PasswordBearer(
    tokenUrl="/v1/auth/token",
    scheme_name="TrainerToken",
    description="A trainer's access token from POST /v1/auth/token.",
    auto_error=False,
)

_CHALLENGE = {"WWW-Authenticate": "Bearer"}


def _missing() -> Unauthorized:
    return Unauthorized("A bearer token is required.", headers=_CHALLENGE)


def _token(credentials: HTTPAuthorizationCredentials | None) -> str:
    if credentials is None or not credentials.credentials:
        raise _missing()
    return credentials.credentials


def _kiosk(deps: Dependencies, uow: UnitOfWork[GatewayRepository], token: str) -> KioskPrincipal:
    """The kiosk of a device token; 403 for a valid token of another kind, else 401."""
    if looks_like_jwt(token):
        read_token(token, deps.settings.jwt_secret)
        raise Forbidden("This call needs the kiosk's device token.")
    kiosk = queries.authenticate_kiosk(uow, token)
    if kiosk is None:
        raise Unauthorized("Unknown kiosk token.", headers=_CHALLENGE)
    return kiosk


def current_kiosk(
    deps: DepsDep,
    uow: UowDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_kiosk_scheme)],
) -> KioskPrincipal:
    """The kiosk calling, by its device token; counted against the kiosk's rate limit."""
    kiosk = _kiosk(deps, uow, _token(credentials))
    deps.limiter.hit(f"kiosk:{kiosk.kiosk_id}", deps.settings.kiosk_rate_limit_per_minute)
    return kiosk


def current_member(
    deps: DepsDep,
    uow: UowDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_kiosk_scheme)],
) -> MemberPrincipal:
    """The member identified at a kiosk, by their member token (bound to that kiosk)."""
    token = _token(credentials)
    if not looks_like_jwt(token):
        _kiosk(deps, uow, token)
        raise Forbidden("Identify the member first: this call needs a member token.")
    claims = read_token(token, deps.settings.jwt_secret)
    if claims.kind != "member" or claims.kiosk_id is None:
        raise Forbidden("This call needs a member token from a kiosk.")
    member = queries.member_at_kiosk(uow, claims.subject, claims.kiosk_id, claims.chain_id)
    if member is None:
        raise Unauthorized("The member or the kiosk of this token is gone.", headers=_CHALLENGE)
    deps.limiter.hit(f"kiosk:{member.kiosk.kiosk_id}", deps.settings.kiosk_rate_limit_per_minute)
    return member


def current_trainer(
    deps: DepsDep, uow: UowDep, token: Annotated[str | None, Depends(_trainer_scheme)]
) -> TrainerPrincipal:
    """The trainer (or chain admin) of an access token; counted against their rate limit."""
    if not token:
        raise _missing()
    if not looks_like_jwt(token):
        _kiosk(deps, uow, token)
        raise Forbidden("This call is for trainers.")
    claims = read_token(token, deps.settings.jwt_secret)
    if claims.kind != "trainer":
        raise Forbidden("This call is for trainers.")
    trainer = queries.trainer_exists(uow, claims.subject, claims.chain_id)
    if trainer is None:
        raise Unauthorized("The trainer of this token is gone.", headers=_CHALLENGE)
    deps.limiter.hit(f"trainer:{trainer.trainer_id}", deps.settings.trainer_rate_limit_per_minute)
    return trainer


KioskDep = Annotated[KioskPrincipal, Depends(current_kiosk)]
MemberDep = Annotated[MemberPrincipal, Depends(current_member)]
TrainerDep = Annotated[TrainerPrincipal, Depends(current_trainer)]

RequiredIdempotencyKey = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        description="Required on kiosk writes: the same key again answers the first answer.",
    ),
]
OptionalIdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=200,
        description="Optional: the same key again answers the first answer.",
    ),
]


SlugPath = Annotated[str, Path(pattern=SLUG_PATTERN, max_length=100)]
"""An exercise's slug in a path: checked before it becomes part of a service's URL."""
