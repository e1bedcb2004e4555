"""The gateway's public tokens: a token read once is read from memory until it expires."""

from __future__ import annotations

import time
import uuid

import pytest

from gateway_service import tokens
from myokine.problems import Unauthorized

SECRET = "a-jwt-secret-of-thirty-two-bytes-at-least!"


def test_a_token_read_before_is_still_refused_once_it_expires() -> None:
    member, chain, kiosk = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    token = tokens.issue_token(
        "member", member, chain, secret=SECRET, ttl_seconds=2, kiosk_id=kiosk
    )
    claims = tokens.read_token(token, SECRET)
    assert (claims.subject, claims.kiosk_id) == (member, kiosk)
    assert tokens.read_token(token, SECRET) == claims  # from memory
    time.sleep(2.1)
    with pytest.raises(Unauthorized, match="expired"):
        tokens.read_token(token, SECRET)


def test_a_token_read_under_one_secret_is_checked_again_under_another() -> None:
    token = tokens.issue_token("trainer", uuid.uuid4(), uuid.uuid4(), secret=SECRET, ttl_seconds=60)
    tokens.read_token(token, SECRET)
    with pytest.raises(Unauthorized, match="not valid"):
        tokens.read_token(token, "another-secret-of-thirty-two-bytes-at-least")
