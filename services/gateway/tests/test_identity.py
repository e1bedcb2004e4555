"""Identifying members at kiosks, signing trainers in, the PIN backoff and token expiry."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from gateway_service import queries, tasks
from gateway_service.bootstrap import Dependencies
from gateway_service.domain.pin_lock import Scope, badge_digest
from gateway_service.handlers import identity
from gateway_service.principals import KioskPrincipal
from gateway_service.tokens import issue_token
from myokine.problems import Problem


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


class Clock:
    """The gateway's clock in a test: time moves when the test says."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 25, 18, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Clock:
    """A clock that stands still until moved."""
    return Clock()


@pytest.fixture
def timed(gateway_client, clock: Clock) -> Iterator[TestClient]:
    """A gateway on `clock`, whose per-minute limits stay out of the way of the backoff's."""
    with gateway_client(clock=clock, login_rate_limit_per_minute=1000) as c:
        yield c


def _waits(answer: tuple[int, Any, Any]) -> int:
    """The seconds a 429 says to wait, after checking its body and header agree."""
    status, body, headers = answer
    assert status == 429, body
    assert body["type"] == "https://myokine.dev/problems/rate-limited"
    assert int(headers["Retry-After"]) == body["retry_after"]
    return int(body["retry_after"])


def _try(client: TestClient, token: str, badge: str, pin: str) -> tuple[int, Any, Any]:
    answer = client.post(
        "/v1/kiosk/identify",
        json={"badge": badge, "pin": pin},
        headers={"Authorization": f"Bearer {token}"},
    )
    return answer.status_code, answer.json(), answer.headers


def test_five_wrong_pins_make_the_badge_wait_at_this_kiosk_only(timed, world, clock) -> None:
    here, there = world.a.kiosk_tokens
    assert [_try(timed, here, "A1", "9138")[0] for _ in range(4)] == [401] * 4
    assert _waits(_try(timed, here, "A1", "9138")) == 30
    # Even the right PIN waits here...
    clock.advance(10)
    assert _waits(_try(timed, here, "A1", world.a.pins[0])) == 20
    # ...but not at the chain's other kiosk, nor does the other member here.
    assert _try(timed, there, "A1", world.a.pins[0])[0] == 200
    assert _try(timed, here, "A2", world.a.pins[1])[0] == 200
    clock.advance(20)
    assert _try(timed, here, "A1", world.a.pins[0])[0] == 200


def test_the_wait_doubles_with_each_wrong_pin_up_to_15_minutes(timed, world, clock) -> None:
    kiosk = world.a.kiosk_tokens[0]
    for _ in range(4):
        _try(timed, kiosk, "A1", "9138")
    waits = []
    for _ in range(8):
        waits.append(_waits(_try(timed, kiosk, "A1", "9138")))
        clock.advance(waits[-1] - 1)
        assert _waits(_try(timed, kiosk, "A1", "9138")) == 1  # refused, not counted
        clock.advance(1)
    assert waits == [30, 60, 120, 240, 480, 900, 900, 900]
    # The wait is over: the right PIN lets the member in and starts this kiosk's run afresh.
    assert _try(timed, kiosk, "A1", world.a.pins[0])[0] == 200
    assert [_try(timed, kiosk, "A1", "9138")[0] for _ in range(4)] == [401] * 4


def test_a_right_pin_resets_the_run_of_wrong_ones(timed, world) -> None:
    kiosk = world.a.kiosk_tokens[0]
    for _ in range(2):
        assert [_try(timed, kiosk, "A1", "9138")[0] for _ in range(4)] == [401] * 4
        assert _try(timed, kiosk, "A1", world.a.pins[0])[0] == 200


def test_the_chains_backstop_makes_the_badge_wait_everywhere_briefly(
    gateway_client, world, clock
) -> None:
    settings = {"pin_chain_failures_before_backoff": 6, "pin_chain_backoff_max_seconds": 60}
    with gateway_client(clock=clock, login_rate_limit_per_minute=1000, **settings) as client:
        here, there = world.a.kiosk_tokens
        assert [_try(client, here, "A1", "9138")[0] for _ in range(4)] == [401] * 4
        assert _try(client, there, "A1", "9138")[0] == 401
        assert _waits(_try(client, there, "A1", "9138")) == 30
        assert _waits(_try(client, here, "A1", world.a.pins[0])) == 30
        clock.advance(30)
        assert _waits(_try(client, here, "A1", "9138")) == 60
        clock.advance(60)
        assert _waits(_try(client, there, "A1", "9138")) == 60  # at most its longest wait
        clock.advance(60)
        assert _try(client, here, "A1", world.a.pins[0])[0] == 200


def test_a_kiosk_trying_many_badges_waits_for_all_of_them(gateway_client, world, clock) -> None:
    settings = {"pin_kiosk_failures_before_backoff": 6}
    with gateway_client(clock=clock, login_rate_limit_per_minute=1000, **settings) as client:
        here, there = world.a.kiosk_tokens
        assert [_try(client, here, f"X{n}", "9138")[0] for n in range(5)] == [401] * 5
        assert _waits(_try(client, here, "X5", "9138")) == 30
        assert _waits(_try(client, here, "A1", world.a.pins[0])) == 30
        assert _try(client, there, "A1", world.a.pins[0])[0] == 200


@pytest.mark.parametrize("badge", ["A1", "A-nobody"])
def test_attempts_at_once_count_one_after_the_other(deps: Dependencies, world, badge) -> None:
    kiosk = queries.authenticate_kiosk(deps.unit_of_work(), world.a.kiosk_tokens[0])
    assert kiosk is not None
    now = datetime.now(UTC)

    def attempt(_: int) -> int:
        try:
            identity.identify_member(
                deps.unit_of_work(), kiosk, badge, "9138", deps.pin_policy, now=now
            )
        except Problem as refused:
            return refused.status
        return 200

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = sorted(pool.map(attempt, range(8)))
    # Four wrong PINs, the fifth starts the wait, the rest meet it: none slips through.
    assert statuses == [401] * 4 + [429] * 4


def _kiosk(deps: Dependencies, token: str) -> KioskPrincipal:
    kiosk = queries.authenticate_kiosk(deps.unit_of_work(), token)
    assert kiosk is not None
    return kiosk


def _stored_runs(deps: Dependencies) -> list[tuple[str, str, int]]:
    """The rows of pin_failure_runs: scope, badge digest, failures."""
    with deps.runtime.engine.connect() as conn:
        rows = conn.execute(
            text("SELECT scope, badge_digest, failures FROM pin_failure_runs ORDER BY 1, 2")
        )
        return [tuple(row) for row in rows]


def test_the_right_pin_writes_no_run_where_the_badge_has_none_to_start_afresh(
    deps: Dependencies, world
) -> None:
    kiosk = _kiosk(deps, world.a.kiosk_tokens[0])
    now = datetime.now(UTC)

    def identify(_: int) -> uuid.UUID:
        return identity.identify_member(
            deps.unit_of_work(), kiosk, "A1", world.a.pins[0], deps.pin_policy, now=now
        ).member_id

    with ThreadPoolExecutor(max_workers=4) as pool:
        assert set(pool.map(identify, range(8))) == {uuid.UUID(world.a.member_ids[0])}
    assert _stored_runs(deps) == []
    # Another badge's wrong PIN counts at the kiosk; the member's right PIN leaves it so.
    with pytest.raises(Problem):
        identity.identify_member(deps.unit_of_work(), kiosk, "A2", "9138", deps.pin_policy, now=now)
    counted = _stored_runs(deps)
    assert sorted(scope for scope, _, _ in counted) == sorted(Scope)
    identify(0)
    assert _stored_runs(deps) == counted


def test_a_right_pin_waits_for_a_wrong_one_counting_at_the_kiosk_and_meets_its_wait(
    deps: Dependencies, world
) -> None:
    """Attempts at once never jump the queue: the right PIN that arrives while another
    attempt counts at the kiosk is judged after it, on the wait it starts."""
    kiosk = _kiosk(deps, world.a.kiosk_tokens[0])
    now = datetime.now(UTC)
    counting = deps.unit_of_work()
    with counting:
        rows = counting.repo.pin_failure_runs(
            kiosk.chain_id, kiosk.kiosk_id, badge_digest("A-nobody"), at=now
        )
        rows[Scope.KIOSK].failures, rows[Scope.KIOSK].forgiving_since = 20, now
        rows[Scope.KIOSK].blocked_until = now + timedelta(seconds=30)
        answers: list[int] = []

        def attempt() -> None:
            try:
                identity.identify_member(
                    deps.unit_of_work(), kiosk, "A1", world.a.pins[0], deps.pin_policy, now=now
                )
            except Problem as refused:
                answers.append(refused.status)
            else:
                answers.append(200)

        right = threading.Thread(target=attempt)
        right.start()
        right.join(1.0)
        assert right.is_alive() and answers == [], "the right PIN waits for the count"
        counting.commit()
    right.join(10)
    assert answers == [429]


def test_the_relay_purges_the_runs_forgotten_by_now_and_keeps_the_others(
    deps: Dependencies, world
) -> None:
    kiosk = _kiosk(deps, world.a.kiosk_tokens[0])
    now = datetime.now(UTC)
    # Wrong PINs two hours ago are forgotten by now (15 minutes at most); one now is not.
    for badge, at in (("A-old", now - timedelta(hours=2)), ("A-new", now)):
        with pytest.raises(Problem):
            identity.identify_member(
                deps.unit_of_work(), kiosk, badge, "9138", deps.pin_policy, now=at
            )
    assert len(_stored_runs(deps)) == 5  # each badge's two, and the kiosk's
    stop = threading.Event()
    purging = threading.Thread(
        target=tasks.purge_pin_runs_forever,
        args=(deps,),
        kwargs={"poll_interval": 0.05, "should_stop": stop.is_set},
    )
    purging.start()
    try:
        deadline = datetime.now(UTC) + timedelta(seconds=10)
        while len(_stored_runs(deps)) > 3 and datetime.now(UTC) < deadline:
            stop.wait(0.05)
    finally:
        stop.set()
        purging.join(10)
    assert not purging.is_alive()
    new = badge_digest("A-new")
    assert _stored_runs(deps) == [
        ("badge_at_kiosk", new, 1),
        ("badge_in_chain", new, 1),
        ("kiosk", "", 1),  # the old wrong PIN was forgiven before the new one counted
    ]


def _answer(client: TestClient, token: str, badge: str, pin: str) -> tuple[int, Any, Any]:
    """An answer as a client sees it, less what differs between any two answers."""
    status, body, headers = _try(client, token, badge, pin)
    kept = {k: v for k, v in headers.items() if k.lower() not in ("date", "x-request-id")}
    return status, body, kept


def test_an_unknown_badge_is_answered_exactly_as_a_real_one_with_a_wrong_pin(
    timed, world, clock
) -> None:
    """The same attempts, at the same times, at two kiosks of the chain: a real badge with
    wrong PINs (and once its right PIN during a wait), and a badge nobody holds."""
    steps = [(0, "9138")] * 4 + [(0, "9138"), (10, "right"), (20, "9138"), (59, "9138")]
    steps += [(1, "9138"), (0, "right")]
    start = clock.now
    seen = []
    for kiosk, badge, right in (
        (world.a.kiosk_tokens[0], "A1", world.a.pins[0]),
        (world.a.kiosk_tokens[1], "A-nobody", world.a.pins[0]),
    ):
        clock.now = start
        answers = []
        for seconds, pin in steps:
            clock.advance(seconds)
            answers.append(_answer(timed, kiosk, badge, right if pin == "right" else pin))
        seen.append(answers)
    real, unknown = seen
    assert [status for status, _, _ in real] == [401] * 4 + [429] * 6
    assert [body.get("retry_after") for _, body, _ in real][4:] == [30, 20, 60, 1, 120, 120]
    assert real[4][2]["retry-after"] == "30" and "content-type" in real[4][2]
    for step, (a, b) in enumerate(zip(real, unknown, strict=True)):
        assert a == b, f"step {step}: {a} != {b}"


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
