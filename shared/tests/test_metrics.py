"""Prometheus metrics: requests by route template, events through the outbox and the
consumers, and the backlog read at scrape time from PostgreSQL and Redis."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
import redis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY

from devstack.embedded import EmbeddedRedis, free_port
from devstack.testing import service_process, wait_until
from myokine.dead_letters import record_dead_letter
from myokine.events import SetLogged, TargetsUpdated
from myokine.http_middleware import RequestIdMiddleware
from myokine.metrics import count_applied
from myokine.metrics_serving import StateCollector, metrics_router
from myokine.outbox import OutboxRelay, add_event
from myokine.unit_of_work import SqlUnitOfWork

from .conftest import Scratch

CHAIN, MEMBER, GYM = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()


def sample(name: str, **labels: str) -> float:
    """A sample of this process's registry (0 when none was counted yet)."""
    return REGISTRY.get_sample_value(name, labels) or 0.0


def scraped(text: str, name: str, **labels: str) -> float:
    """A sample's value in a scrape's text (the sum over lines that match)."""
    wanted = [f'{key}="{value}"' for key, value in labels.items()]
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name + "{") and all(label in line for label in wanted):
            total += float(line.rsplit(" ", 1)[1])
    return total


def targets(reps: int) -> TargetsUpdated:
    return TargetsUpdated(
        chain_id=CHAIN,
        member_id=MEMBER,
        exercise="bench-press",
        load_kg=Decimal(60),
        reps=reps,
        sets=3,
    )


def test_requests_are_counted_by_route_template_and_status() -> None:
    service = f"svc-{uuid.uuid4().hex[:6]}"
    app = FastAPI()
    app.add_middleware(RequestIdMiddleware, service=service)

    @app.get("/members/{member_id}")
    def member(member_id: int) -> dict[str, int]:
        return {"id": member_id}

    with TestClient(app) as client:
        for member_id in (1, 2, 3):
            assert client.get(f"/members/{member_id}").status_code == 200
        assert client.get("/members/x").status_code == 422
        assert client.get(f"/scan/{uuid.uuid4()}").status_code == 404
        assert client.request("BREW", "/members/1").status_code == 405

    route = {"service": service, "method": "GET", "route": "/members/{member_id}"}
    assert sample("myokine_http_requests_total", **route, status="200") == 3
    assert sample("myokine_http_requests_total", **route, status="422") == 1
    assert sample("myokine_http_request_duration_seconds_count", **route) == 4
    unmatched = {"service": service, "method": "GET", "route": "unmatched", "status": "404"}
    assert sample("myokine_http_requests_total", **unmatched) == 1, "one series for every scan"
    other = {"service": service, "method": "OTHER", "route": "/members/{member_id}"}
    assert sample("myokine_http_requests_total", **other, status="405") == 1


def test_events_are_counted_when_committed_published_and_applied(db: Scratch) -> None:
    service = f"svc-{uuid.uuid4().hex[:6]}"
    logged = SetLogged.model_validate(
        {
            "chain_id": str(CHAIN),
            "member_id": str(MEMBER),
            "seq": 1,
            "set": {
                "set_id": str(uuid.uuid4()),
                "session_id": str(uuid.uuid4()),
                "gym_id": str(GYM),
                "exercise": "bench-press",
                "load_kg": "60",
                "load_value": "60",
                "unit": "kg",
                "reps": 8,
                "performed_at": datetime.now(UTC).isoformat(),
                "local_date": datetime.now(UTC).date().isoformat(),
                "set_number": 1,
                "warmup": False,
            },
        }
    )
    uow: SqlUnitOfWork[None] = SqlUnitOfWork(
        db.sessions, db.tables, lambda _: None, service=service
    )
    with uow:
        uow.add_event(logged)
        uow.add_event(targets(8))
        uow.commit()
    with uow:
        uow.add_event(targets(9))  # never committed: never counted
    assert sample("myokine_events_produced_total", service=service, event_type="SetLogged") == 1
    assert (
        sample("myokine_events_produced_total", service=service, event_type="TargetsUpdated") == 1
    )
    assert sample("myokine_sets_logged_total", gym=str(GYM)) == 1

    OutboxRelay(db.sessions, db.tables.outbox, lambda *_: None, service=service).publish_pending()
    assert sample("myokine_events_published_total", service=service, event_type="SetLogged") == 1

    late = targets(10).model_copy(update={"occurred_at": datetime.now(UTC) - timedelta(seconds=3)})
    count_applied(service, late)
    lag = {"service": service, "event_type": "TargetsUpdated"}
    assert sample("myokine_events_applied_total", **lag) == 1
    assert sample("myokine_event_lag_seconds_bucket", **lag, le="2.5") == 0
    assert sample("myokine_event_lag_seconds_bucket", **lag, le="5.0") == 1


@pytest.fixture
def queue_redis(redis_up: EmbeddedRedis) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_up.url)
    try:
        yield client
    finally:
        client.close()


def _scrape(db: Scratch, redis_url: str, service: str) -> str:
    app = FastAPI()
    app.include_router(
        metrics_router(
            lambda: StateCollector(
                service, db.engine, db.tables.outbox, db.tables.dead_letters, redis_url
            )
        )
    )
    with TestClient(app) as client:
        answer = client.get("/metrics")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain")
    return answer.text


def test_a_scrape_reads_the_backlog_dead_letters_and_queue(
    db: Scratch, redis_up: EmbeddedRedis, queue_redis: redis.Redis
) -> None:
    service = f"svc-{uuid.uuid4().hex[:6]}"
    with db.sessions.begin() as session:
        add_event(session, db.tables.outbox, targets(1))
        add_event(session, db.tables.outbox, targets(2))
        session.execute(
            db.tables.outbox.update().values(created_at=datetime.now(UTC) - timedelta(minutes=2))
        )
    record_dead_letter(db.sessions, db.tables.dead_letters, "t", targets(3).to_message(), "boom")
    queue_redis.lpush(service, "a", "b", "c")

    text = _scrape(db, redis_up.url, service)
    assert scraped(text, "myokine_outbox_backlog", service=service) == 2
    assert scraped(text, "myokine_outbox_oldest_unsent_age_seconds", service=service) >= 120
    assert scraped(text, "myokine_dead_letters_stored", service=service) == 1
    assert scraped(text, "myokine_queue_length", queue=service) == 3


def test_a_scrape_answers_while_the_database_and_redis_are_down(db: Scratch) -> None:
    from sqlalchemy import create_engine

    down = Scratch(
        db.url,
        create_engine("postgresql+psycopg://postgres@127.0.0.1:1/x", pool_size=1),
        db.sessions,
        db.tables,
        db.things,
        db.metadata,
    )
    text = _scrape(down, f"redis://127.0.0.1:{free_port()}/0", "svc-down")
    assert "myokine_outbox_backlog" not in text
    assert "myokine_queue_length" not in text


def test_an_api_of_several_processes_counts_every_request_once(tmp_path: Path) -> None:
    # Two uvicorn processes answer in turn; either one's /metrics adds up both.
    port = free_port()
    env = {
        "LOGGING_HTTP_PORT": str(port),
        "API_PROCESSES": "2",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
    }
    url = f"http://127.0.0.1:{port}"
    with service_process("logging", ["api"], env, log=tmp_path / "api.log"):

        def healthy() -> bool:
            try:
                return httpx.get(f"{url}/healthz", timeout=1).status_code == 200
            except httpx.HTTPError:
                return False

        wait_until(healthy, 60, "the API to answer")
        before = scraped(
            httpx.get(f"{url}/metrics").text, "myokine_http_requests_total", route="/healthz"
        )
        for _ in range(40):
            with httpx.Client() as fresh:  # a new connection, so both processes take some
                assert fresh.get(f"{url}/healthz").status_code == 200
        pids = {p.stem.rsplit("_", 1)[1] for p in (tmp_path / "metrics").glob("counter_*.db")}
        for _ in range(3):  # whichever process answers the scrape says the same
            text = httpx.get(f"{url}/metrics").text
            after = scraped(text, "myokine_http_requests_total", route="/healthz")
            assert after - before == 40
    assert len(pids) >= 2, "both processes answered and wrote their counts"
