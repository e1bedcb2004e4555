"""The rate limiter on a real Redis: a budget a minute per key, Retry-After when it is
spent, and every request let through when Redis does not answer."""

from __future__ import annotations

import os
import time
import uuid

import pytest

from devstack.embedded import free_port
from gateway_service.ratelimits import RateLimiter
from myokine.problems import TooManyRequests


def test_a_key_gets_its_budget_then_a_retry_after() -> None:
    limiter = RateLimiter(os.environ["REDIS_URL"], prefix=f"test-{uuid.uuid4().hex}")
    try:
        for _ in range(3):
            limiter.hit("kiosk:a", 3)
        with pytest.raises(TooManyRequests) as refused:
            limiter.hit("kiosk:a", 3)
        assert 1 <= int(refused.value.headers["Retry-After"]) <= 60
        limiter.hit("kiosk:b", 3)  # another key has its own budget
    finally:
        limiter.close()


def test_without_redis_every_request_passes_quickly() -> None:
    limiter = RateLimiter(f"redis://127.0.0.1:{free_port()}/0", prefix="test-down")
    try:
        started = time.monotonic()
        for _ in range(5):
            limiter.hit("kiosk:a", 1)
        assert time.monotonic() - started < 5
    finally:
        limiter.close()
