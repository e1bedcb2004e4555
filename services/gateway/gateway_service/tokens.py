"""The gateway's public bearer tokens: trainer access tokens and member tokens.

Both are short-lived HS256 JWTs signed with JWT_SECRET; a `typ` claim keeps one kind
from being used as the other. Kiosk device tokens are not JWTs (see credentials).
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Literal

import jwt

from myokine.problems import Unauthorized
from myokine.verified_tokens import VerifiedTokens

ISSUER = "myokine-gateway"
AUDIENCE = "myokine-public"
ALGORITHM = "HS256"

TokenKind = Literal["trainer", "member"]


@dataclass(frozen=True)
class TokenClaims:
    """What a valid public token says."""

    kind: TokenKind
    subject: uuid.UUID
    chain_id: uuid.UUID
    kiosk_id: uuid.UUID | None
    expires_at: int


def issue_token(
    kind: TokenKind,
    subject: uuid.UUID,
    chain_id: uuid.UUID,
    *,
    secret: str,
    ttl_seconds: int,
    kiosk_id: uuid.UUID | None = None,
) -> str:
    """A signed token for a trainer, or for a member bound to the kiosk they identified at."""
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + ttl_seconds,
        "jti": uuid.uuid4().hex,
        "typ": kind,
        "sub": str(subject),
        "chain": str(chain_id),
        "kiosk": str(kiosk_id) if kiosk_id else None,
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


_read: VerifiedTokens[TokenClaims] = VerifiedTokens()
"""Tokens read, until they expire: a kiosk sends a member's token with each of their calls."""


def read_token(token: str, secret: str) -> TokenClaims:
    """The claims of a valid token; Unauthorized when it is forged, malformed or expired.

    A token read before is not checked again until it expires."""
    remembered = _read.get(token, secret)
    if remembered is not None:
        return remembered
    claims = _check(token, secret)
    _read.remember(token, secret, claims, claims.expires_at)
    return claims


def _check(token: str, secret: str) -> TokenClaims:
    try:
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM], audience=AUDIENCE, issuer=ISSUER)
        kind = claims["typ"]
        if kind not in ("trainer", "member"):
            raise ValueError(kind)
        kiosk = claims.get("kiosk")
        return TokenClaims(
            kind=kind,
            subject=uuid.UUID(claims["sub"]),
            chain_id=uuid.UUID(claims["chain"]),
            kiosk_id=uuid.UUID(kiosk) if kiosk else None,
            expires_at=int(claims["exp"]),
        )
    except jwt.ExpiredSignatureError as exc:
        raise Unauthorized(
            "The token has expired.", headers={"WWW-Authenticate": "Bearer"}
        ) from exc
    except (jwt.PyJWTError, KeyError, ValueError) as exc:
        raise Unauthorized(
            "The token is not valid.", headers={"WWW-Authenticate": "Bearer"}
        ) from exc


def looks_like_jwt(token: str) -> bool:
    """JWTs have three dot-separated parts; kiosk device tokens have none."""
    return token.count(".") == 2
