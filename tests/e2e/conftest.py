"""The whole system as real processes, for end-to-end tests.

One system per test run: every service's API, worker and outbox relay, started by the
devstack supervisor against a PostgreSQL server and a Redis server of its own (from the
same wheels `make run` uses), so the fault tests can stop and restart them without
touching the servers the other tests share. The demo chain is seeded with the operator
CLI, exactly as `make run` does.
"""

from __future__ import annotations

import base64
import json
import os
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
import redis
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from devstack.embedded import EmbeddedPostgres, EmbeddedRedis, free_port
from devstack.stack import BACKGROUND_PROCESSES, ROOT, SERVICES, Stack
from devstack.supervisor import Supervisor
from devstack.testing import midday_zone

T = TypeVar("T")
LOG_TAIL_LINES = 150


def eventually(
    check: Callable[[], T | None], *, timeout: float = 60.0, what: str, every: float = 0.3
) -> T:
    """Poll `check` every `every` seconds until it returns something truthy; return that."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(every)


def e1rm(load_kg: Decimal, reps: int) -> Decimal:
    """Epley, as docs/protocol.md §3 has it (no RPE logged, so RIR 0)."""
    if reps == 1:
        return load_kg
    return (load_kg * (1 + Decimal(reps) / 30)).quantize(Decimal("0.01"))


# Loaded lifts whose e1RM every implementation records; the kiosk's plan decides among them.
PREFERRED_EXERCISES = (
    "barbell-back-squat",
    "deadlift",
    "bench-press",
    "barbell-row",
    "overhead-press",
    "goblet-squat",
)


@dataclass
class RunningSystem:
    """The processes, the Redis they share, the seeded demo and the service databases."""

    stack: Stack
    supervisor: Supervisor
    postgres: EmbeddedPostgres
    redis: EmbeddedRedis
    credentials: dict[str, Any]
    log_path: Path
    engines: dict[str, Engine]

    @property
    def gateway_url(self) -> str:
        """The public entry."""
        return self.stack.url("gateway")

    def query(self, service: str, sql: str, **params: Any) -> list[Any]:
        """Rows of a service's own database (to observe what an API does not show)."""
        with self.engines[service].connect() as conn:
            return list(conn.execute(text(sql), params).all())

    def outbox_event_of_set(self, set_id: str) -> Any:
        """The logging outbox row of the `SetLogged` event of a set, or None."""
        rows = self.query(
            "logging",
            "SELECT event_id, published_at, attempts FROM outbox "
            "WHERE event_type = 'SetLogged' AND body->'set'->>'set_id' = :set_id",
            set_id=set_id,
        )
        assert len(rows) <= 1, f"set {set_id} has {len(rows)} SetLogged events"
        return rows[0] if rows else None

    def inbox_count(self, service: str, event_id: uuid.UUID) -> int:
        """How many times a consumer recorded an event (exactly once means 1)."""
        rows = self.query(service, "SELECT count(*) FROM inbox WHERE event_id = :e", e=event_id)
        return int(rows[0][0])

    def dead_letters(self, service: str) -> list[Any]:
        """A consumer's dead letters."""
        return self.query(service, "SELECT task_name, error FROM dead_letters")

    @staticmethod
    def eventually(check: Callable[[], T | None], *, timeout: float = 60.0, what: str) -> T:
        """Poll `check` until it returns something truthy, then return that."""
        return eventually(check, timeout=timeout, what=what)

    def queued_tasks(self, queue: str) -> int:
        """How many tasks wait in a consumer's queue."""
        client = redis.Redis.from_url(self.redis.url)
        try:
            return int(client.llen(queue))
        finally:
            client.close()

    def deliver_twice(self, queue: str, marker: str) -> None:
        """Push a second copy of the queued task whose body mentions `marker`.

        A broker may deliver a task twice (a worker lost before its ack, a visibility
        timeout passed); this makes it happen for sure. The copy gets a delivery tag of its
        own, as a real redelivery would.
        """
        client = redis.Redis.from_url(self.redis.url)
        try:
            for raw in client.lrange(queue, 0, -1):
                message = json.loads(raw)
                body = message["body"]
                if message["properties"].get("body_encoding") == "base64":
                    body = base64.b64decode(body).decode()
                if marker in body:
                    message["properties"]["delivery_tag"] = str(uuid.uuid4())
                    client.lpush(queue, json.dumps(message))
                    return
        finally:
            client.close()
        raise AssertionError(f"no task mentioning {marker} waits in the {queue} queue")

    def count(self, stream: SetStream) -> StreamCount:
        """Count what became of a stream's sets in every service, once they had time to."""
        ids = sorted(stream.set_ids)
        members = stream.member_ids()

        def applied() -> int:
            rows = self.query(
                "progression", "SELECT count(*) FROM sets WHERE set_id::text = ANY(:ids)", ids=ids
            )
            return int(rows[0][0])

        eventually(
            lambda: applied() >= len(ids), timeout=120, what="progression to apply every set"
        )
        stored = self.query(
            "logging",
            "SELECT count(*) FROM sets WHERE member_id::text = ANY(:m) AND logged_at >= :since",
            m=members,
            since=stream.started_at,
        )
        events = self.query(
            "logging",
            "SELECT event_id FROM outbox WHERE event_type = 'SetLogged' "
            "AND body->'set'->>'set_id' = ANY(:ids)",
            ids=ids,
        )
        inbox = self.query(
            "progression",
            "SELECT count(*) FROM inbox WHERE event_id = ANY(:e)",
            e=[row.event_id for row in events],
        )
        logged_seq = dict(
            self.query(
                "logging",
                "SELECT member_id::text, last_seq FROM member_sequences "
                "WHERE member_id::text = ANY(:m)",
                m=members,
            )
        )
        applied_seq = dict(
            self.query(
                "progression",
                "SELECT member_id::text, last_seq FROM streams "
                "WHERE producer = 'logging' AND member_id::text = ANY(:m)",
                m=members,
            )
        )
        return StreamCount(
            requested=stream.keys,
            answered=len(ids),
            stored=int(stored[0][0]),
            events=len(events),
            applied=applied(),
            inbox=int(inbox[0][0]),
            behind=sum(1 for m in members if logged_seq.get(m) != applied_seq.get(m)),
            retries=dict(stream.retries),
        )

    def log_tail(self, lines: int = LOG_TAIL_LINES) -> str:
        """The last lines the processes logged."""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


class Kiosk:
    """What a kiosk does over HTTP (docs/api.md), and nothing else."""

    def __init__(self, base_url: str, kiosk_token: str) -> None:
        self.http = httpx.Client(base_url=base_url, timeout=15.0)
        self.kiosk_token = kiosk_token
        self.member_token: str | None = None
        self.member: dict[str, Any] = {}

    def close(self) -> None:
        """Close the connection pool."""
        self.http.close()

    def _member(self) -> dict[str, str]:
        assert self.member_token, "identify first"
        return {"Authorization": f"Bearer {self.member_token}"}

    def identify(self, badge: str, pin: str) -> httpx.Response:
        """Badge + PIN; keeps the member token."""
        response = self.http.post(
            "/v1/kiosk/identify",
            json={"badge": badge, "pin": pin},
            headers={"Authorization": f"Bearer {self.kiosk_token}"},
        )
        if response.status_code == 200:
            self.member_token = response.json()["member_token"]
            self.member = response.json()["member"]
        return response

    def today(self) -> httpx.Response:
        """Today's plan."""
        return self.http.get("/v1/kiosk/today", headers=self._member())

    def log_set(self, body: dict[str, Any], key: str) -> httpx.Response:
        """Log a set under an idempotency key."""
        return self.http.post(
            "/v1/kiosk/sets", json=body, headers={**self._member(), "Idempotency-Key": key}
        )

    def progress(self) -> httpx.Response:
        """The member's progress."""
        return self.http.get("/v1/kiosk/progress", headers=self._member())

    def exercise_to_log(self) -> str:
        """A loaded lift of today's plan (the squat when there is no plan today)."""
        response = self.today()
        assert response.status_code == 200, response.text
        planned = [e["exercise"] for e in response.json()["exercises"]]
        for slug in PREFERRED_EXERCISES:
            if slug in planned:
                return slug
        return planned[0] if planned else PREFERRED_EXERCISES[0]

    def heavier_set(self, exercise: str) -> tuple[dict[str, Any], Decimal]:
        """A set whose e1RM beats the member's best so far, and that e1RM.

        Each test logs one, so each can see its own set arrive in the progress.
        """
        response = self.progress()
        assert response.status_code == 200, response.text
        progress = response.json()["exercises"].get(exercise) or {}
        best = Decimal(str(progress.get("best_e1rm_kg") or 0))
        load = (best // 10 + 2) * 10
        body = {"exercise": exercise, "load": int(load), "unit": "kg", "reps": 10}
        return body, e1rm(load, 10)

    def best_e1rm(self, exercise: str) -> Decimal | None:
        """The best e1RM progression shows for an exercise, if any."""
        response = self.progress()
        assert response.status_code == 200, response.text
        best = (response.json()["exercises"].get(exercise) or {}).get("best_e1rm_kg")
        return None if best is None else Decimal(str(best))

    def wait_for_best_e1rm(self, exercise: str, expected: Decimal, timeout: float = 60) -> None:
        """Wait until progression shows `expected` as the exercise's best e1RM."""

        def shown() -> bool:
            best = self.best_e1rm(exercise)
            return best is not None and abs(best - expected) <= Decimal("0.01")

        # Once a second: the gateway allows a kiosk 120 requests a minute.
        eventually(shown, timeout=timeout, what=f"best e1RM {expected} of {exercise}", every=1.0)


@dataclass
class StreamCount:
    """What became of a stream's sets, from each service's own tables."""

    requested: int
    """Sets the stream logged, each under an Idempotency-Key of its own."""
    answered: int
    """Distinct sets answered 201 (a retry of a key gets its first set back)."""
    stored: int
    """Sets of the stream's members that logging holds (since the stream began)."""
    events: int
    """`SetLogged` events of those sets in logging's outbox."""
    applied: int
    """Those sets as progression holds them."""
    inbox: int
    """Progression's inbox records of those events."""
    behind: int
    """Members whose last event progression applied is not logging's last one."""
    retries: dict[str, int]
    """What made the kiosk try a set again (status code or transport error), and how often."""

    def holds(self) -> bool:
        """Every set answered once, stored once, published once and applied once."""
        return (
            self.requested
            == self.answered
            == self.stored
            == self.events
            == self.applied
            == self.inbox
            and self.behind == 0
        )

    def __str__(self) -> str:
        retried = ", ".join(f"{why} x{n}" for why, n in sorted(self.retries.items())) or "none"
        return (
            f"{self.requested} sets logged, {self.answered} answered 201, {self.stored} stored, "
            f"{self.events} events, {self.applied} applied by progression ({self.inbox} in its "
            f"inbox), {self.behind} members behind; kiosk retries: {retried}"
        )


class SetStream:
    """Kiosk members logging sets one after another in a background thread.

    Each set has an Idempotency-Key of its own and is tried again with that key, as a
    kiosk does, until it is answered 201: a connection refused, a timeout, a 5xx or a 429
    are all worth another try; any other answer stops the stream (a refused set is a bug
    here). Use it as a context manager; it stops after the set in hand is answered.
    """

    GIVE_UP_AFTER = 150.0

    def __init__(self, kiosks: list[Kiosk], *, pause: float = 0.05) -> None:
        self.kiosks = kiosks
        self.pause = pause
        self.started_at = datetime.now(UTC)
        self.keys = 0
        self.set_ids: set[str] = set()
        self.retries: Counter[str] = Counter()
        self.failure: str | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="set-stream", daemon=True)

    def __enter__(self) -> SetStream:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(self.GIVE_UP_AFTER + 30)
        assert not self._thread.is_alive(), "the stream never stopped"
        assert self.failure is None, self.failure

    def wait_for(self, sets: int, timeout: float = 60.0) -> None:
        """Wait until this many sets were answered (the stream is flowing)."""
        eventually(
            lambda: len(self.set_ids) >= sets or self.failure,
            timeout=timeout,
            what=f"{sets} sets answered",
        )
        assert self.failure is None, self.failure

    def member_ids(self) -> list[str]:
        """The members logging."""
        return [kiosk.member["id"] for kiosk in self.kiosks]

    def _run(self) -> None:
        turn = 0
        while not self._stop.is_set() and self.failure is None:
            kiosk = self.kiosks[turn % len(self.kiosks)]
            body = {"exercise": "goblet-squat", "load": 20 + turn % 10, "unit": "kg", "reps": 10}
            self._log_until_answered(kiosk, body, str(uuid.uuid4()))
            turn += 1
            time.sleep(self.pause)

    def _log_until_answered(self, kiosk: Kiosk, body: dict[str, Any], key: str) -> None:
        self.keys += 1
        deadline = time.monotonic() + self.GIVE_UP_AFTER
        while time.monotonic() < deadline:
            try:
                response = kiosk.log_set(body, key)
            except httpx.TransportError as error:
                self.retries[type(error).__name__] += 1
            else:
                if response.status_code == 201:
                    self.set_ids.add(response.json()["id"])
                    return
                if response.status_code < 500 and response.status_code != 429:
                    self.failure = f"a set was refused: {response.status_code} {response.text}"
                    return
                self.retries[str(response.status_code)] += 1
            time.sleep(0.2)
        self.failure = f"a set was not answered in {self.GIVE_UP_AFTER:.0f}s"


def _free_ports(count: int) -> list[int]:
    ports: list[int] = []
    while len(ports) < count:
        port = free_port()
        if port not in ports:
            ports.append(port)
    return ports


@pytest.fixture(scope="session")
def system(scratch_dir: Path) -> Iterator[RunningSystem]:
    """The whole system, running; stopped (every process) at the end of the run."""
    # The root conftest put this run's servers and database prefix in the environment.
    prefix = os.environ["DB_PREFIX"] + "e2e_"
    home = scratch_dir / "e2e"
    postgres = EmbeddedPostgres(home / "postgres", free_port()).start()
    database_url = postgres.url
    redis = EmbeddedRedis(home / "redis", free_port(), persistent=True).start()
    stack = Stack(
        database_url,
        redis.url,
        home,
        db_prefix=prefix,
        ports=dict(zip(SERVICES, _free_ports(len(SERVICES)), strict=True)),
        metrics_ports=dict(
            zip(BACKGROUND_PROCESSES, _free_ports(len(BACKGROUND_PROCESSES)), strict=True)
        ),
        environment="test",
    )
    log_path = home / "processes.log"
    engines: dict[str, Engine] = {}
    with log_path.open("w") as log:
        # The fault tests stream sets far faster than a member logs them (one kiosk, many
        # members), and the schema test sends a trainer's requests and sign-ins by the
        # thousand: the budgets are not what they test (the gateway's tests do).
        budget = "100000"
        base_env = {
            **os.environ,
            "KIOSK_RATE_LIMIT_PER_MINUTE": budget,
            "TRAINER_RATE_LIMIT_PER_MINUTE": budget,
            "LOGIN_RATE_LIMIT_PER_MINUTE": budget,
            # A receiver that is down for seconds sees its deliveries tried again within
            # seconds, not minutes.
            "WEBHOOK_RETRY_FIRST_SECONDS": "0.5",
            "WEBHOOK_RETRY_MAX_SECONDS": "2",
        }
        supervisor = Supervisor(base_env, log=log, cwd=ROOT)
        try:
            stack.migrate(base_env)
            for spec in stack.process_specs():
                supervisor.add(spec)
            supervisor.start_all()
            supervisor.wait_ready(timeout=120)
            credentials = stack.seed_demo(
                base_env, home / "demo-credentials.json", timezone=midday_zone()
            )
            for service in SERVICES:
                url = make_url(database_url).set(
                    drivername="postgresql+psycopg", database=f"{prefix}{service}"
                )
                # Pre-ping: a fault test restarts PostgreSQL under these pools.
                engines[service] = create_engine(url, pool_size=2, pool_pre_ping=True)
            yield RunningSystem(stack, supervisor, postgres, redis, credentials, log_path, engines)
        finally:
            for engine in engines.values():
                engine.dispose()
            supervisor.stop_all()
            redis.stop()
            postgres.stop()


@pytest.fixture
def kiosk(system: RunningSystem) -> Iterator[Kiosk]:
    """A kiosk of the demo gym with the first demo member identified."""
    client = Kiosk(system.gateway_url, system.credentials["kiosk_token"])
    member = system.credentials["members"][0]
    response = client.identify(member["badge"], member["pin"])
    assert response.status_code == 200, response.text
    try:
        yield client
    finally:
        client.close()


@pytest.fixture
def admin(system: Any) -> Iterator[httpx.Client]:
    """The demo chain admin, signed in."""
    http = httpx.Client(base_url=system.gateway_url, timeout=15.0)
    token = http.post(
        "/v1/auth/token",
        data={
            "username": system.credentials["trainer_email"],
            "password": system.credentials["trainer_password"],
        },
    )
    assert token.status_code == 200, token.text
    http.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
    try:
        yield http
    finally:
        http.close()


@pytest.fixture
def stream_kiosks(system: RunningSystem, admin: httpx.Client) -> Iterator[list[Kiosk]]:
    """Three new members, each identified at the demo kiosk: a stream's members.

    New ones for each test, so a test counts only its own sets.
    """
    kiosks = []
    try:
        for _ in range(3):
            tag = uuid.uuid4().hex[:10]
            made = admin.post(
                "/v1/members",
                json={
                    "name": f"Stream {tag}",
                    "badge": f"stream-{tag}",
                    "home_gym_id": system.credentials["gym_id"],
                },
            )
            assert made.status_code == 201, made.text
            kiosk = Kiosk(system.gateway_url, system.credentials["kiosk_token"])
            kiosks.append(kiosk)
            identified = kiosk.identify(f"stream-{tag}", made.json()["pin"])
            assert identified.status_code == 200, identified.text
        yield kiosks
    finally:
        for kiosk in kiosks:
            kiosk.close()


@pytest.fixture
def stream(stream_kiosks: list[Kiosk]) -> SetStream:
    """A stream of the test's own members, not yet started (`with stream:` starts it)."""
    return SetStream(stream_kiosks)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """On a failure, show what the processes logged last."""
    report = yield
    running = getattr(item, "funcargs", {}).get("system")
    if report.failed and isinstance(running, RunningSystem):
        report.sections.append(("processes (last lines)", running.log_tail()))
    return report
