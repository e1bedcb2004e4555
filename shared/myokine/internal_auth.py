"""The signed internal token the gateway sends and the services require.

The gateway authenticates the outside world; the services trust only this token, which
says who is calling (subject, role), in which chain, and at which gym.
"""

from __future__ import annotations

import time
import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict

from myokine.problems import Forbidden, Unauthorized
from myokine.verified_tokens import VerifiedTokens

ISSUER = "myokine-gateway"
AUDIENCE = "myokine-services"
ALGORITHM = "HS256"

Role = Literal["member", "kiosk", "trainer", "chain_admin", "system"]


class Caller(BaseModel):
    """Who is calling a service, as the gateway vouched."""

    model_config = ConfigDict(frozen=True)

    sub: str
    role: Role
    chain_id: uuid.UUID
    gym_id: uuid.UUID | None = None
    gym_timezone: str | None = None
    """The IANA time zone of `gym_id`, so services can tell the gym's local date."""
    kiosk_id: uuid.UUID | None = None

    @property
    def is_staff(self) -> bool:
        """Trainers, chain admins and the system itself."""
        return self.role in ("trainer", "chain_admin", "system")


def sign_internal_token(caller: Caller, secret: str, *, ttl_seconds: int) -> str:
    """A short-lived token for one call from the gateway to a service."""
    # Imported by the calls that sign or verify: a process that only names callers (the
    # operator's commands, through the gateway's principals) never loads PyJWT.
    import jwt

    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + ttl_seconds,
        "sub": caller.sub,
        "role": caller.role,
        "chain": str(caller.chain_id),
        "gym": str(caller.gym_id) if caller.gym_id else None,
        "tz": caller.gym_timezone,
        "kiosk": str(caller.kiosk_id) if caller.kiosk_id else None,
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


_REMEMBERED = 4096
"""How many tokens a process remembers, signed or checked (a token a caller, reused)."""
_verified: VerifiedTokens[Caller] = VerifiedTokens(_REMEMBERED)
"""Tokens checked, until they expire (see `TokenSigner`)."""


def verify_internal_token(token: str, secret: str) -> Caller:
    """The caller a token vouches for; raises Unauthorized if it is not valid.

    A token verified before is not checked again until it expires: the gateway sends the
    same one for a caller's calls of a minute (`TokenSigner`), and checking the HMAC and
    the claims of each was a twentieth of a service's CPU.
    """
    remembered = _verified.get(token, secret)
    if remembered is not None:
        return remembered
    import jwt  # as in sign_internal_token

    try:
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM], audience=AUDIENCE, issuer=ISSUER)
        caller = Caller(
            sub=claims["sub"],
            role=claims["role"],
            chain_id=uuid.UUID(claims["chain"]),
            gym_id=uuid.UUID(claims["gym"]) if claims.get("gym") else None,
            gym_timezone=claims.get("tz"),
            kiosk_id=uuid.UUID(claims["kiosk"]) if claims.get("kiosk") else None,
        )
    except (jwt.PyJWTError, KeyError, ValueError) as exc:
        raise Unauthorized("A valid internal token is required.") from exc
    _verified.remember(token, secret, caller, float(claims["exp"]))
    return caller


class TokenSigner:
    """The gateway's internal tokens: one a caller, signed again once half of its lifetime
    has gone, so every token sent still has half of it ahead (far longer than any call's
    timeout)."""

    def __init__(self, secret: str, *, ttl_seconds: int) -> None:
        self._secret = secret
        self._ttl = ttl_seconds
        self._signed: dict[Caller, tuple[str, float]] = {}

    def token_for(self, caller: Caller) -> str:
        """A valid token for `caller`."""
        now = time.time()
        signed = self._signed.get(caller)
        if signed is not None and now < signed[1]:
            return signed[0]
        token = sign_internal_token(caller, self._secret, ttl_seconds=self._ttl)
        if len(self._signed) >= _REMEMBERED:
            self._signed.clear()
        self._signed[caller] = (token, now + self._ttl / 2)
        return token


def caller_from_header(authorization: str | None, secret: str) -> Caller:
    """The caller of a service call, from its `Authorization: Bearer <internal token>`."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("A valid internal token is required.")
    return verify_internal_token(token, secret)


def require_staff(caller: Caller) -> Caller:
    """Refuse callers that are not trainers, admins or the system."""
    if not caller.is_staff:
        raise Forbidden("This call is for trainers.")
    return caller
