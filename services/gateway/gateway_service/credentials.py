"""Secrets at rest: argon2 for what people type, SHA-256 for long random device tokens."""

from __future__ import annotations

import functools
import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()

KIOSK_TOKEN_PREFIX = "mkk_"


@functools.cache
def _dummy_hash(hasher: PasswordHasher) -> str:
    # A hash to check against when the account does not exist, so a wrong email or badge
    # takes as long as a wrong password and timing does not tell which accounts exist.
    # Made on first use: an argon2 hash costs every process that imports this module.
    return hasher.hash("not-a-real-secret")


def hash_secret(secret: str) -> str:
    """The argon2 hash of a password or PIN."""
    return _hasher.hash(secret)


def verify_secret(stored_hash: str | None, secret: str) -> bool:
    """Whether `secret` matches `stored_hash`; with no hash, spend the same time and say no."""
    try:
        matches = _hasher.verify(stored_hash or _dummy_hash(_hasher), secret)
    except (VerificationError, InvalidHashError):
        return False
    return matches and stored_hash is not None


def new_kiosk_token() -> str:
    """A fresh kiosk device token (shown once, stored only as its hash)."""
    return KIOSK_TOKEN_PREFIX + secrets.token_urlsafe(32)


REFRESH_TOKEN_PREFIX = "mkr_"


def new_refresh_token() -> str:
    """A fresh trainer refresh token (answered once, stored only as its hash)."""
    return REFRESH_TOKEN_PREFIX + secrets.token_urlsafe(32)


def kiosk_token_hash(token: str) -> str:
    """How a kiosk (or refresh) token is stored and looked up: its SHA-256, hex.

    The token is 256 random bits, so a fast hash is enough; argon2 would make every
    kiosk request pay for a slow hash and could not be looked up by value.
    """
    return hashlib.sha256(token.encode()).hexdigest()


def new_password() -> str:
    """A random password for an account created without one."""
    return secrets.token_urlsafe(12)


def new_pin(digits: int = 4) -> str:
    """A random numeric PIN."""
    return "".join(secrets.choice("0123456789") for _ in range(digits))
