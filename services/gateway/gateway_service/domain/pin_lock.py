"""The PIN lockout rule: too many wrong PINs in a row lock a member for a while."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class PinLockPolicy:
    """How many wrong PINs in a row lock a member, and for how long."""

    max_failures: int = 5
    lock_for: timedelta = timedelta(minutes=15)


@dataclass(frozen=True)
class PinState:
    """A member's run of wrong PINs and the lock it may have earned."""

    failures: int
    locked_until: datetime | None

    def is_locked(self, now: datetime) -> bool:
        """Whether PIN attempts are refused right now."""
        return self.locked_until is not None and now < self.locked_until

    def after_failure(self, now: datetime, policy: PinLockPolicy) -> PinState:
        """The state after one more wrong PIN; the last allowed failure starts the lock.

        A lock that has run out starts a fresh run of attempts.
        """
        failures = 0 if self.lock_expired(now) else self.failures
        failures += 1
        if failures >= policy.max_failures:
            return PinState(failures=failures, locked_until=now + policy.lock_for)
        return PinState(failures=failures, locked_until=None)

    def lock_expired(self, now: datetime) -> bool:
        """Whether a lock was set and has run out."""
        return self.locked_until is not None and now >= self.locked_until

    @staticmethod
    def cleared() -> PinState:
        """The state after a right PIN (or an operator's reset)."""
        return PinState(failures=0, locked_until=None)
