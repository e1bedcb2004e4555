"""What a process remembers of the tokens it checked."""

from __future__ import annotations

import pytest

from myokine import verified_tokens
from myokine.verified_tokens import VerifiedTokens


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    now = [1000.0]
    monkeypatch.setattr(verified_tokens.time, "time", lambda: now[0])
    return now


def test_a_checked_token_is_remembered_until_it_expires(clock: list[float]) -> None:
    memo: VerifiedTokens[str] = VerifiedTokens()
    memo.remember("token", "secret", "said", expires_at=1010)
    assert memo.get("token", "secret") == "said"
    clock[0] = 1009.9
    assert memo.get("token", "secret") == "said"
    clock[0] = 1010
    assert memo.get("token", "secret") is None


def test_a_token_is_remembered_only_under_the_secret_it_was_checked_with(
    clock: list[float],
) -> None:
    memo: VerifiedTokens[str] = VerifiedTokens()
    memo.remember("token", "secret", "said", expires_at=1010)
    assert memo.get("token", "another secret") is None


def test_a_full_memo_forgets_and_keeps_the_newest(clock: list[float]) -> None:
    memo: VerifiedTokens[str] = VerifiedTokens(capacity=2)
    memo.remember("a", "s", "A", expires_at=2000)
    memo.remember("b", "s", "B", expires_at=2000)
    memo.remember("c", "s", "C", expires_at=2000)
    assert (memo.get("a", "s"), memo.get("b", "s"), memo.get("c", "s")) == (None, None, "C")
