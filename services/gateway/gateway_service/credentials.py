"""Secrets at rest: argon2 for what people type, SHA-256 for long random device tokens."""

from __future__ import annotations

import functools
import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from gateway_service.domain.accounts import pin_problem

_hasher = PasswordHasher()
# PINs are 4-8 digits: at most 10^8 guesses, so no affordable hash cost keeps a leaked PIN
# hash from being guessed; what protects a PIN is that its hashes stay in the database and
# that guessing at a kiosk is throttled. So PINs get a light argon2id (about 5 ms, not the
# 200 ms of passwords): a kiosk sign-in stays cheap and 10,000 members import in a minute.
_pin_hasher = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)

KIOSK_TOKEN_PREFIX = "mkk_"


@functools.cache
def _dummy_hash(hasher: PasswordHasher) -> str:
    # A hash to check against when the account does not exist, so a wrong email or badge
    # takes as long as a wrong password and timing does not tell which accounts exist.
    # Made on first use: an argon2 hash costs every process that imports this module.
    return hasher.hash("not-a-real-secret")


def hash_secret(secret: str) -> str:
    """The argon2 hash of a password."""
    return _hasher.hash(secret)


def verify_secret(stored_hash: str | None, secret: str) -> bool:
    """Whether a password matches `stored_hash`; with no hash, spend the same time and say no."""
    return _verify(_hasher, stored_hash, secret)


def hash_pin(pin: str) -> str:
    """The (light) argon2 hash of a PIN."""
    return _pin_hasher.hash(pin)


def verify_pin(stored_hash: str | None, pin: str) -> bool:
    """Whether a PIN matches `stored_hash` (made with any argon2 parameters: they are part
    of the hash); with no hash, spend a PIN check's time and say no."""
    return _verify(_pin_hasher, stored_hash, pin)


def pin_needs_rehash(stored_hash: str) -> bool:
    """Whether a PIN hash was made with other parameters than PINs now get."""
    return _pin_hasher.check_needs_rehash(stored_hash)


def _verify(hasher: PasswordHasher, stored_hash: str | None, secret: str) -> bool:
    try:
        matches = hasher.verify(stored_hash or _dummy_hash(hasher), secret)
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
    """A random numeric PIN, never one too easy to guess (about one draw in 80 is: it is
    drawn again)."""
    while True:
        pin = "".join(secrets.choice("0123456789") for _ in range(digits))
        if pin_problem(pin) is None:
            return pin
