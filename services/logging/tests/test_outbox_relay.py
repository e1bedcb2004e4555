"""The outbox proof: with Redis down logging still answers and stores; once Redis is back
the real relay process publishes every event, in the member's order, once.

The test starts its own Redis (other tests share the machine's) and the real
`python -m logging_service relay` process pointed at it.
"""

from __future__ import annotations

import base64
import json
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from devstack.embedded import EmbeddedRedis, port_open
from devstack.testing import service_process, wait_until
from myokine.service_runtime import ServiceRuntime

from .conftest import Headers, Member

pytestmark = pytest.mark.e2e

BENCH = {"exercise": "bench-press", "load": 100, "unit": "kg", "reps": 8}


@pytest.fixture
def relay(broker: EmbeddedRedis, tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    """The real relay process, publishing to the test's Redis."""
    env = {"REDIS_URL": broker.url, "RELAY_POLL_INTERVAL": "0.1"}
    with service_process("logging", ["relay"], env, tmp_path / "relay.log") as process:
        yield process


def outbox_state(rt: ServiceRuntime) -> tuple[int, int, int]:
    """(rows, published rows, failed publish attempts)."""
    o = rt.tables.outbox
    with rt.sessions() as s:
        row = s.execute(
            select(
                func.count(),
                func.count(o.c.published_at),
                func.coalesce(func.sum(o.c.attempts), 0),
            )
        ).one()
        return int(row[0]), int(row[1]), int(row[2])


def queued_events(url: str, queue: str) -> list[dict[str, Any]]:
    """The event bodies waiting on a Celery queue in Redis, oldest first, batches unpacked:
    each with its own task name (`task`) and the task of the message it came in (`via`)."""
    client = redis.Redis.from_url(url)
    try:
        # Kombu pushes on the left and workers pop on the right: oldest is last.
        raw = list(reversed(client.lrange(queue, 0, -1)))
    finally:
        client.close()
    events = []
    for message in raw:
        envelope = json.loads(message)
        args, _kwargs, _embed = json.loads(base64.b64decode(envelope["body"]))
        via = envelope["headers"]["task"]
        for event in args[0].get("events", [args[0]]):
            events.append({"task": f"{queue}.{event['event_type']}", "via": via, **event})
    return events


def test_sets_logged_while_redis_is_down_are_published_in_order_once(
    client: TestClient,
    rt: ServiceRuntime,
    member: Member,
    headers: Headers,
    broker: EmbeddedRedis,
    relay: subprocess.Popen[bytes],
) -> None:
    broker.stop()
    assert not port_open(broker.port)

    answers = [
        client.post(member.sets_path, json={**BENCH, "reps": 6 + i}, headers=headers(key=str(i)))
        for i in range(3)
    ]
    assert [a.status_code for a in answers] == [201, 201, 201]
    assert client.post(member.path("sessions/finish"), headers=headers()).status_code == 200

    # The relay keeps trying and failing; the events wait in the outbox.
    wait_until(lambda: outbox_state(rt)[2] > 0, 30, "the relay to try the dead broker")
    assert outbox_state(rt)[:2] == (4, 0)
    assert relay.poll() is None

    broker.start()
    wait_until(lambda: outbox_state(rt)[1] == 4, 60, "the relay to publish the outbox")

    progression = queued_events(broker.url, "progression")
    assert [e["seq"] for e in progression] == [1, 2, 3, 4]
    assert [e["task"] for e in progression] == [
        "progression.SetLogged",
        "progression.SetLogged",
        "progression.SetLogged",
        "progression.SessionFinished",
    ]
    assert {e["via"] for e in progression} == {"progression.events"}, "one batch"
    assert [e["set"]["set_id"] for e in progression[:3]] == [a.json()["id"] for a in answers]
    assert len({e["event_id"] for e in progression}) == 4
    program = queued_events(broker.url, "program")
    assert [(e["task"], e["seq"]) for e in program] == [("program.SessionFinished", 4)]

    # Nothing more goes out on later passes.
    time.sleep(1.0)
    assert len(queued_events(broker.url, "progression")) == 4
