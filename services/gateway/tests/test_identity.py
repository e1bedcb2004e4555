"""Identifying members at kiosks, signing trainers in, PIN lockout and token expiry."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from gateway_service.bootstrap import Dependencies
from gateway_service.repository import Member
from gateway_service.tokens import issue_token
from myokine.db import transaction


def _identify(client: TestClient, token: str, badge: str, pin: str) -> tuple[int, Any]:
    answer = client.post(
        "/v1/kiosk/identify",
        json={"badge": badge, "pin": pin},
        headers={"Authorization": f"Bearer {token}"},
    )
    return answer.status_code, answer.json()


def test_identify_answers_a_member_token_and_the_member(gate, world) -> None:
    status, body = _identify(gate.client, world.a.kiosk_tokens[0], "A1", world.a.pins[0])
    assert status == 200
    assert body["member"] == {"id": world.a.member_ids[0], "name": "Member A1", "unit": "kg"}
    assert body["member_token"].count(".") == 2


def test_a_member_token_outlives_the_visit_and_the_kiosk_is_told_when_to_sign_out(
    gate, world
) -> None:
    status, body = _identify(gate.client, world.a.kiosk_tokens[0], "A1", world.a.pins[0])
    assert status == 200
    # Rests of up to 5 minutes between sets: the token lasts hours, the kiosk's idle
    # limit covers the longest rest with a margin.
    assert body["expires_in"] == 4 * 3600
    assert body["session"] == {"idle_seconds": 600, "warning_seconds": 20, "open_members": 3}


def test_a_member_identifies_at_any_gym_of_their_chain(gate, world) -> None:
    status, _ = _identify(gate.client, world.a.kiosk_tokens[1], "A1", world.a.pins[0])
    assert status == 200


def test_a_kiosk_of_another_chain_does_not_know_the_badge(gate, world) -> None:
    status, body = _identify(gate.client, world.b.kiosk_tokens[0], "A1", world.a.pins[0])
    assert status == 401
    assert body["type"] == "https://myokine.dev/problems/unauthorized"


def test_wrong_pin_is_401_problem_json(gate, world) -> None:
    answer = gate.client.post(
        "/v1/kiosk/identify",
        json={"badge": "A1", "pin": "0000"},
        headers={"Authorization": f"Bearer {world.a.kiosk_tokens[0]}"},
    )
    assert answer.status_code == 401
    assert answer.headers["content-type"].startswith("application/problem+json")


def test_five_wrong_pins_lock_the_badge_for_15_minutes(gate, world) -> None:
    kiosk = world.a.kiosk_tokens[0]
    answers = [_identify(gate.client, kiosk, "A1", "9999") for _ in range(5)]
    assert [status for status, _ in answers] == [401] * 5
    assert all("locked_until" not in body for _, body in answers[:4])
    assert "locked_until" in answers[4][1]
    answer = gate.client.post(
        "/v1/kiosk/identify",
        json={"badge": "A1", "pin": world.a.pins[0]},
        headers={"Authorization": f"Bearer {kiosk}"},
    )
    assert answer.status_code == 423
    assert answer.json()["type"] == "https://myokine.dev/problems/locked"
    assert 890 <= int(answer.headers["Retry-After"]) <= 900
    # The other member of the chain is not affected.
    assert _identify(gate.client, kiosk, "A2", world.a.pins[1])[0] == 200


def test_the_lock_ends_after_15_minutes(deps: Dependencies, gate, world) -> None:
    kiosk = world.a.kiosk_tokens[0]
    for _ in range(5):
        _identify(gate.client, kiosk, "A1", "9999")
    with transaction(deps.runtime.sessions) as session:
        session.execute(
            update(Member)
            .where(Member.badge == "A1")
            .values(locked_until=datetime.now(UTC) - timedelta(seconds=1))
        )
    assert _identify(gate.client, kiosk, "A1", world.a.pins[0])[0] == 200


def test_a_right_pin_resets_the_run_of_wrong_ones(gate, world) -> None:
    kiosk = world.a.kiosk_tokens[0]
    for _ in range(4):
        _identify(gate.client, kiosk, "A1", "9999")
    assert _identify(gate.client, kiosk, "A1", world.a.pins[0])[0] == 200
    for _ in range(4):
        assert _identify(gate.client, kiosk, "A1", "9999")[0] == 401
    assert _identify(gate.client, kiosk, "A1", world.a.pins[0])[0] == 200


def test_trainer_signs_in_with_the_password_flow(gate, world) -> None:
    answer = gate.client.post(
        "/v1/auth/token",
        data={"username": world.a.trainer_email.upper(), "password": "correct horse battery"},
    )
    assert answer.status_code == 200
    body = answer.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 900


@pytest.mark.parametrize("email", ["trainer@a.example", "nobody@a.example"])
def test_wrong_password_or_email_is_401(gate, world, email: str) -> None:
    answer = gate.client.post("/v1/auth/token", data={"username": email, "password": "nope nope"})
    assert answer.status_code == 401
    assert answer.headers["WWW-Authenticate"] == "Bearer"


def test_an_expired_trainer_token_is_401(gate, world) -> None:
    settings = gate.client.app.state.deps.settings
    token = gate.sign_in(world.a.trainer_email)
    claims = jwt.decode(token, options={"verify_signature": False})
    expired = issue_token(
        "trainer",
        uuid.UUID(claims["sub"]),
        uuid.UUID(claims["chain"]),
        secret=settings.jwt_secret,
        ttl_seconds=-1,
    )
    answer = gate.client.get("/v1/members", headers={"Authorization": f"Bearer {expired}"})
    assert answer.status_code == 401
    assert answer.json()["detail"] == "The token has expired."


def test_an_expired_member_token_is_401(gate, world) -> None:
    settings = gate.client.app.state.deps.settings
    token = gate.identify(world.a.kiosk_tokens[0], "A1", world.a.pins[0])
    claims = jwt.decode(token, options={"verify_signature": False})
    expired = issue_token(
        "member",
        uuid.UUID(claims["sub"]),
        uuid.UUID(claims["chain"]),
        secret=settings.jwt_secret,
        ttl_seconds=-1,
        kiosk_id=uuid.UUID(claims["kiosk"]),
    )
    answer = gate.client.get("/v1/kiosk/today", headers={"Authorization": f"Bearer {expired}"})
    assert answer.status_code == 401


def test_a_token_signed_with_another_secret_is_401(gate, world) -> None:
    forged = issue_token(
        "trainer",
        uuid.uuid4(),
        uuid.UUID(world.a.chain_id),
        secret="x" * 40,
        ttl_seconds=60,
    )
    answer = gate.client.get("/v1/members", headers={"Authorization": f"Bearer {forged}"})
    assert answer.status_code == 401
