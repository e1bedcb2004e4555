"""Signed tokens a process has checked, remembered until they expire.

A token's claims cannot change once signed, so checking its signature again on each of its
uses tells nothing new; what it vouches for (a member still there, a kiosk still active) is
looked up on every use by whoever reads it.
"""

from __future__ import annotations

import time
from typing import Generic, TypeVar

T = TypeVar("T")


class VerifiedTokens(Generic[T]):
    """What each checked token said, by token and secret, until the token's expiry: a
    token checked under one secret is checked anew under another."""

    def __init__(self, capacity: int = 4096) -> None:
        self._capacity = capacity
        self._said: dict[tuple[str, str], tuple[T, float]] = {}

    def get(self, token: str, secret: str) -> T | None:
        """What the token said, if it was checked and has not expired since."""
        remembered = self._said.get((token, secret))
        if remembered is None or time.time() >= remembered[1]:
            return None
        return remembered[0]

    def remember(self, token: str, secret: str, said: T, expires_at: float) -> None:
        """Keep what a token just checked says until `expires_at` (epoch seconds). When full,
        all are forgotten at once: a token forgotten is only checked again."""
        if len(self._said) >= self._capacity:
            self._said.clear()
        self._said[(token, secret)] = (said, expires_at)
