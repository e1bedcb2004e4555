"""The PIN backoff: wrong PINs earn waits that double, in three scopes at once.

An attempt at a kiosk is judged by three runs of wrong PINs:

- the badge at this kiosk (`BADGE_AT_KIOSK`): a stranger guessing a member's PIN waits at
  this kiosk only, so the member still signs in at any other kiosk of the chain;
- the badge at every kiosk of the chain (`BADGE_IN_CHAIN`): a backstop against guessing
  from many kiosks, allowing more failures and only short waits, so nobody can lock a
  member out of the whole chain for long;
- every badge at this kiosk (`KIOSK`): slows a kiosk that tries many badges.

While any of the three makes the attempt wait it is refused unchecked, even with the right
PIN: otherwise guessing would go on during the wait. The badge is keyed by its digest,
whether or not a member holds it, so that no answer tells a real badge from an unknown
one, and what strangers type is not kept.

A run forgives one failure per longest wait of its scope: honest typos never add up, and
however an attacker spaces their tries, a scope lets through at most about one wrong PIN
per longest wait in the long run.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class Scope(StrEnum):
    """Where a run of wrong PINs counts (see the module's docstring)."""

    BADGE_AT_KIOSK = "badge_at_kiosk"
    BADGE_IN_CHAIN = "badge_in_chain"
    KIOSK = "kiosk"


NO_WAIT = timedelta(0)
# Beyond this many doublings every wait is the longest one anyway; stops huge powers.
_MAX_DOUBLINGS = 32


@dataclass(frozen=True)
class Backoff:
    """How a scope makes wrong PINs wait."""

    failures_before_wait: int
    """The count of failures that starts the first wait (5: the fifth wrong PIN does)."""
    first_wait: timedelta
    """The first wait; each failure after it doubles it."""
    longest_wait: timedelta
    """The cap of the waits; also how long the run takes to forgive one failure."""

    def wait_after(self, failures: int) -> timedelta:
        """The wait a run of `failures` counted failures earns."""
        if failures < self.failures_before_wait:
            return NO_WAIT
        doublings = min(failures - self.failures_before_wait, _MAX_DOUBLINGS)
        wait: timedelta = self.first_wait * (1 << doublings)
        return min(wait, self.longest_wait)


@dataclass(frozen=True)
class PinPolicy:
    """The backoff of each scope."""

    badge_at_kiosk: Backoff
    badge_in_chain: Backoff
    kiosk: Backoff

    def backoff(self, scope: Scope) -> Backoff:
        """The backoff of one scope."""
        return {
            Scope.BADGE_AT_KIOSK: self.badge_at_kiosk,
            Scope.BADGE_IN_CHAIN: self.badge_in_chain,
            Scope.KIOSK: self.kiosk,
        }[scope]


@dataclass(frozen=True)
class FailureRun:
    """The wrong PINs a scope counts, and the wait they earned."""

    failures: int = 0
    forgiving_since: datetime | None = None
    """From when failures are forgiven, one each longest wait (never during a wait)."""
    blocked_until: datetime | None = None

    def wait(self, now: datetime) -> timedelta:
        """How long attempts are still refused."""
        if self.blocked_until is None or now >= self.blocked_until:
            return NO_WAIT
        return self.blocked_until - now

    def counted(self, now: datetime, backoff: Backoff) -> FailureRun:
        """The run as of `now`, less the failures forgiven since (the wait is kept)."""
        start = self._forgiving_start()
        if self.failures == 0 or start is None:
            return FailureRun(blocked_until=self.blocked_until)
        forgiven = max(now - start, NO_WAIT) // backoff.longest_wait
        if forgiven >= self.failures:
            return FailureRun(blocked_until=self.blocked_until)
        # Forgiving moves on by whole periods: time towards the next one is kept.
        since = start + forgiven * backoff.longest_wait
        return FailureRun(self.failures - forgiven, since, self.blocked_until)

    def after_failure(self, now: datetime, backoff: Backoff) -> FailureRun:
        """The run after one more wrong PIN, with the wait it earns, if any."""
        run = self.counted(now, backoff)
        failures = run.failures + 1
        wait = backoff.wait_after(failures)
        return FailureRun(
            failures=failures,
            forgiving_since=run.forgiving_since or now,
            blocked_until=now + wait if wait else None,
        )

    def forgotten_at(self, backoff: Backoff) -> datetime | None:
        """When the run counts nothing and refuses nothing any more (None: already so)."""
        start = self._forgiving_start()
        if self.failures == 0 or start is None:
            return self.blocked_until
        return start + self.failures * backoff.longest_wait

    def _forgiving_start(self) -> datetime | None:
        # Time spent waiting forgives nothing: else the waits would shrink as they run.
        if self.forgiving_since is None or self.blocked_until is None:
            return self.forgiving_since
        return max(self.forgiving_since, self.blocked_until)


Runs = Mapping[Scope, FailureRun]
"""The runs an attempt is judged by, by scope (a scope left out has counted nothing)."""


def wait(runs: Runs, now: datetime) -> timedelta:
    """How long an attempt must still wait: the longest wait of its runs."""
    return max((run.wait(now) for run in runs.values()), default=NO_WAIT)


def after_failure(runs: Runs, now: datetime, policy: PinPolicy) -> dict[Scope, FailureRun]:
    """Every scope's run after a wrong PIN (which was not refused for a wait)."""
    return {
        scope: runs.get(scope, FailureRun()).after_failure(now, policy.backoff(scope))
        for scope in Scope
    }


def after_success(runs: Runs) -> dict[Scope, FailureRun]:
    """Every scope's run after the right PIN: the badge starts afresh at this kiosk.

    The chain's run and the kiosk's are kept: a member signing in says nothing about
    someone guessing elsewhere or other badges, and they forgive honest typos quickly.
    """
    return {**runs, Scope.BADGE_AT_KIOSK: FailureRun()}


def success_changes(runs: Runs, now: datetime, policy: PinPolicy) -> bool:
    """Whether the right PIN now changes what the runs mean: only if the badge's run at
    this kiosk still counts a wrong PIN or a wait. Otherwise `after_success` starts afresh
    a run that counts nothing already, and the runs need not be written."""
    run = runs.get(Scope.BADGE_AT_KIOSK)
    if run is None:
        return False
    counted = run.counted(now, policy.backoff(Scope.BADGE_AT_KIOSK))
    return counted.failures > 0 or counted.wait(now) > NO_WAIT


def badge_digest(badge: str) -> str:
    """What the runs of a badge are kept under: the SHA-256 of the badge as typed, hex."""
    return hashlib.sha256(badge.encode()).hexdigest()
