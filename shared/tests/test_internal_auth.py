"""The internal token: signed by the gateway, verified by services, short-lived, untamperable."""

from __future__ import annotations

import base64
import json
import time
import uuid

import jwt
import pytest

from myokine.internal_auth import (
    ALGORITHM,
    AUDIENCE,
    ISSUER,
    Caller,
    TokenSigner,
    caller_from_header,
    require_staff,
    sign_internal_token,
    verify_internal_token,
)
from myokine.problems import Forbidden, Unauthorized

SECRET = "a-test-secret-of-enough-length-for-hs256"

KIOSK_CALLER = Caller(
    sub=str(uuid.uuid4()),
    role="member",
    chain_id=uuid.uuid4(),
    gym_id=uuid.uuid4(),
    gym_timezone="Europe/Berlin",
    kiosk_id=uuid.uuid4(),
)


def test_a_signed_token_verifies_to_the_same_caller() -> None:
    token = sign_internal_token(KIOSK_CALLER, SECRET, ttl_seconds=60)
    assert verify_internal_token(token, SECRET) == KIOSK_CALLER


def test_a_caller_without_gym_or_kiosk_round_trips() -> None:
    trainer = Caller(sub="t1", role="trainer", chain_id=uuid.uuid4())
    token = sign_internal_token(trainer, SECRET, ttl_seconds=60)
    assert verify_internal_token(token, SECRET) == trainer


def test_an_expired_token_is_refused() -> None:
    token = sign_internal_token(KIOSK_CALLER, SECRET, ttl_seconds=-1)
    with pytest.raises(Unauthorized):
        verify_internal_token(token, SECRET)


def test_a_token_signed_with_another_secret_is_refused() -> None:
    token = sign_internal_token(
        KIOSK_CALLER, "another-secret-of-enough-length-too!", ttl_seconds=60
    )
    with pytest.raises(Unauthorized):
        verify_internal_token(token, SECRET)


def test_a_tampered_token_is_refused() -> None:
    header, payload, signature = sign_internal_token(KIOSK_CALLER, SECRET, ttl_seconds=60).split(
        "."
    )
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["role"] = "chain_admin"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    with pytest.raises(Unauthorized):
        verify_internal_token(f"{header}.{forged}.{signature}", SECRET)


@pytest.mark.parametrize(
    "claims",
    [
        {"iss": "someone-else", "aud": AUDIENCE},
        {"iss": ISSUER, "aud": "another-audience"},
        {"iss": ISSUER, "aud": AUDIENCE, "chain": None},
        {"iss": ISSUER, "aud": AUDIENCE, "chain": "not-a-uuid", "role": "member"},
    ],
    ids=["issuer", "audience", "missing-chain", "bad-chain"],
)
def test_a_token_with_wrong_claims_is_refused(claims: dict[str, str | None]) -> None:
    base = {"sub": "x", "exp": int(time.time()) + 60, "role": "trainer", "chain": str(uuid.uuid4())}
    merged = {k: v for k, v in {**base, **claims}.items() if v is not None}
    token = jwt.encode(merged, SECRET, algorithm=ALGORITHM)
    with pytest.raises(Unauthorized):
        verify_internal_token(token, SECRET)


def test_an_unsigned_token_is_refused() -> None:
    token = jwt.encode(
        {"sub": "x", "iss": ISSUER, "aud": AUDIENCE, "role": "system", "chain": str(uuid.uuid4())},
        key=None,
        algorithm="none",
    )
    with pytest.raises(Unauthorized):
        verify_internal_token(token, SECRET)


@pytest.mark.parametrize("header", [None, "", "Bearer", "Basic abc", "Bearer not-a-jwt"])
def test_the_authorization_header_must_carry_a_valid_bearer_token(header: str | None) -> None:
    with pytest.raises(Unauthorized):
        caller_from_header(header, SECRET)


def test_the_authorization_header_yields_the_caller() -> None:
    token = sign_internal_token(KIOSK_CALLER, SECRET, ttl_seconds=60)
    assert caller_from_header(f"Bearer {token}", SECRET) == KIOSK_CALLER
    assert caller_from_header(f"bearer {token}", SECRET) == KIOSK_CALLER


def test_only_staff_pass_require_staff() -> None:
    chain = uuid.uuid4()
    for role in ("trainer", "chain_admin", "system"):
        caller = Caller(sub="s", role=role, chain_id=chain)
        assert require_staff(caller) is caller
    for role in ("member", "kiosk"):
        with pytest.raises(Forbidden):
            require_staff(Caller(sub="s", role=role, chain_id=chain))


def test_a_remembered_token_still_expires() -> None:
    token = sign_internal_token(KIOSK_CALLER, SECRET, ttl_seconds=1)
    assert verify_internal_token(token, SECRET) == KIOSK_CALLER
    assert verify_internal_token(token, SECRET) == KIOSK_CALLER  # from memory
    time.sleep(1.1)
    with pytest.raises(Unauthorized):
        verify_internal_token(token, SECRET)


def test_a_remembered_token_is_checked_again_under_another_secret() -> None:
    token = sign_internal_token(KIOSK_CALLER, SECRET, ttl_seconds=60)
    assert verify_internal_token(token, SECRET) == KIOSK_CALLER
    with pytest.raises(Unauthorized):
        verify_internal_token(token, "another-secret-of-enough-length-too!")


def test_the_signer_keeps_a_callers_token_for_half_its_lifetime() -> None:
    signer = TokenSigner(SECRET, ttl_seconds=2)
    trainer = Caller(sub="t1", role="trainer", chain_id=uuid.uuid4())
    first = signer.token_for(KIOSK_CALLER)
    assert signer.token_for(KIOSK_CALLER) == first
    assert verify_internal_token(signer.token_for(trainer), SECRET) == trainer
    time.sleep(1.1)
    renewed = signer.token_for(KIOSK_CALLER)
    assert renewed != first
    assert verify_internal_token(renewed, SECRET) == KIOSK_CALLER
