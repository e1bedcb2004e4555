"""Rate limits per kiosk, per trainer and per sign-in source, counted in Redis.

A fixed one-minute window per key: cheap, shared by every gateway process, and good
enough to stop a stuck kiosk or a script from flooding the services. When Redis does
not answer, requests pass: a rate limit must not take the gym floor down with it.
"""

from __future__ import annotations

import logging
import time

import redis

from myokine.problems import TooManyRequests

log = logging.getLogger(__name__)

WINDOW_SECONDS = 60


class RateLimiter:
    """Counts requests per key and minute in Redis."""

    def __init__(self, redis_url: str, *, prefix: str = "myokine:gateway:rate") -> None:
        self._redis = redis.Redis.from_url(
            redis_url, socket_connect_timeout=0.5, socket_timeout=0.5
        )
        self._prefix = prefix

    def hit(self, key: str, limit: int) -> None:
        """Count one request of `key`; TooManyRequests once `limit` a minute is passed."""
        now = time.time()
        window = int(now // WINDOW_SECONDS)
        name = f"{self._prefix}:{key}:{window}"
        try:
            pipe = self._redis.pipeline()
            pipe.incr(name)
            pipe.expire(name, WINDOW_SECONDS * 2)
            count = int(pipe.execute()[0])
        except redis.RedisError as exc:
            log.warning("rate limit not checked: Redis unavailable", extra={"error": repr(exc)})
            return
        if count > limit:
            retry_after = max(1, int((window + 1) * WINDOW_SECONDS - now) + 1)
            raise TooManyRequests(
                f"Too many requests: at most {limit} a minute.",
                headers={"Retry-After": str(retry_after)},
            )

    def close(self) -> None:
        """Close the Redis connections."""
        self._redis.close()
