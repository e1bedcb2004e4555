"""Rate limits per kiosk, per trainer and per sign-in source, counted in Redis.

A sliding one-minute window per key (a sorted set of request times): shared by every
gateway process, and with no window edge where a client gets twice its budget. When
Redis does not answer, requests pass: a rate limit must not take the gym floor down
with it.
"""

from __future__ import annotations

import logging
import math
import time
import uuid

import redis

from myokine.problems import TooManyRequests

log = logging.getLogger(__name__)

WINDOW_SECONDS = 60.0


class RateLimiter:
    """Counts requests per key over the last minute in Redis."""

    def __init__(self, redis_url: str, *, prefix: str) -> None:
        self._redis = redis.Redis.from_url(
            redis_url, socket_connect_timeout=0.5, socket_timeout=0.5
        )
        self._prefix = prefix

    def hit(self, key: str, limit: int) -> None:
        """Count one request of `key`; TooManyRequests once `limit` a minute is passed.

        A refused request is not counted, so a client that waits Retry-After gets in.
        """
        now = time.time()
        name = f"{self._prefix}:{key}"
        try:
            pipe = self._redis.pipeline()
            pipe.zremrangebyscore(name, "-inf", now - WINDOW_SECONDS)
            pipe.zcard(name)
            pipe.zrange(name, 0, 0, withscores=True)
            _, count, oldest = pipe.execute()
            if int(count) >= limit:
                first = float(oldest[0][1]) if oldest else now
                retry_after = max(1, math.ceil(first + WINDOW_SECONDS - now))
                raise TooManyRequests(
                    f"Too many requests: at most {limit} a minute.",
                    headers={"Retry-After": str(retry_after)},
                )
            pipe = self._redis.pipeline()
            pipe.zadd(name, {uuid.uuid4().hex: now})
            pipe.expire(name, math.ceil(WINDOW_SECONDS) + 1)
            pipe.execute()
        except redis.RedisError as exc:
            log.warning("rate limit not checked: Redis unavailable", extra={"error": repr(exc)})

    def close(self) -> None:
        """Close the Redis connections."""
        self._redis.close()
