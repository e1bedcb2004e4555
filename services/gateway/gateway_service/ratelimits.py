"""Rate limits per kiosk, per trainer and per sign-in source, counted in Redis.

A moving one-minute window per key (the `limits` library's moving-window strategy: one
Lua script, so one round trip, checks and counts a request atomically): shared by every
gateway process, and with no window edge where a client gets twice its budget. When
Redis does not answer, requests pass: a rate limit must not take the gym floor down
with it.

These count requests, right or wrong. Wrong PINs have budgets of their own, with backoff,
per badge and per kiosk (domain/pin_lock.py): they are kept in PostgreSQL, and hold when
Redis is down.
"""

from __future__ import annotations

import logging
import math
import time

import redis
from limits import RateLimitItemPerMinute
from limits.errors import StorageError
from limits.storage import RedisStorage
from limits.strategies import MovingWindowRateLimiter

from myokine.problems import TooManyRequests

log = logging.getLogger(__name__)


class RateLimiter:
    """Counts requests per key over the last minute in Redis."""

    def __init__(self, redis_url: str, *, prefix: str) -> None:
        self._storage = RedisStorage(
            redis_url,
            key_prefix=prefix,
            wrap_exceptions=True,
            socket_connect_timeout=0.5,
            socket_timeout=0.5,
        )
        self._window = MovingWindowRateLimiter(self._storage)

    def hit(self, key: str, limit: int) -> None:
        """Count one request of `key`; TooManyRequests once `limit` a minute is passed.

        A refused request is not counted, so a client that waits Retry-After gets in.
        """
        item = RateLimitItemPerMinute(limit)
        try:
            if self._window.hit(item, key):
                return
            stats = self._window.get_window_stats(item, key)
        except (StorageError, redis.RedisError) as exc:
            log.warning("rate limit not checked: Redis unavailable", extra={"error": repr(exc)})
            return
        retry_after = max(1, math.ceil(stats.reset_time - time.time()))
        raise TooManyRequests(
            f"Too many requests: at most {limit} a minute.",
            headers={"Retry-After": str(retry_after)},
        )

    def close(self) -> None:
        """Close the Redis connections."""
        self._storage.storage.close()
