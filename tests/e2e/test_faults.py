"""Faults during a steady stream of kiosk sets: nothing lost, nothing doubled.

Each test starts a stream (three members at one kiosk, sets one after another, each
retried under its own Idempotency-Key until answered, as a kiosk does), breaks one part
of the system while it flows, mends it, lets the stream go on, and then counts in every
service's own tables: sets answered 201 = sets stored = events published = sets applied
by progression, each once, and progression at logging's last event for every member.
The counts are printed (`pytest -s tests/e2e/test_faults.py`).
"""

from __future__ import annotations

import dataclasses
import json
import random
import time
import uuid
from typing import Any

import pytest
import redis
from sqlalchemy import text

pytestmark = pytest.mark.e2e


def assert_nothing_lost_or_doubled(system: Any, stream: Any, fault: str) -> None:
    """Count the stream's sets in every service; print the count; it must hold."""
    count = system.count(stream)
    print(f"\n{fault}: {count}")
    assert count.holds(), f"{fault}: {count}"
    assert "500" not in count.retries, "an outage is a 503 to retry, never a 500"
    assert system.dead_letters("progression") == []
    system.supervisor.wait_ready(timeout=60)
    assert system.supervisor.deaths() == []


def _process_waiting_on(system: Any, service: str, statement: str) -> Any:
    """A backend of the service's database waiting for a lock while running `statement`."""
    return system.query(
        service,
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
        "AND wait_event_type = 'Lock' AND query ILIKE :q",
        q=f"{statement}%",
    )


def test_a_progression_worker_killed_inside_a_task_loses_nothing(system: Any, stream: Any) -> None:
    holder = system.engines["progression"].connect()
    with stream:
        stream.wait_for(10)
        try:
            # Hold the inbox, so the worker takes a task and then waits inside it.
            holder.begin()
            holder.execute(text("LOCK TABLE inbox IN EXCLUSIVE MODE"))
            system.eventually(
                lambda: _process_waiting_on(system, "progression", "INSERT INTO inbox"),
                what="the progression worker to be inside a task",
            )
            system.supervisor.kill("progression-worker")
        finally:
            holder.rollback()
            holder.close()
        # Restarted at once, as compose and Kubernetes do; the killed task was never
        # acknowledged and comes back after the visibility timeout (30 s by default).
        system.supervisor.start("progression-worker")
        stream.wait_for(len(stream.set_ids) + 20)
    assert_nothing_lost_or_doubled(system, stream, "progression worker SIGKILLed in a task")


def test_redis_down_for_thirty_seconds_loses_nothing(system: Any, stream: Any) -> None:
    with stream:
        stream.wait_for(10)
        system.redis.stop()
        try:
            answered = len(stream.set_ids)
            time.sleep(30)
            assert len(stream.set_ids) > answered, "sets are answered while Redis is down"
        finally:
            system.redis.start()
        stream.wait_for(len(stream.set_ids) + 20, timeout=120)
    assert_nothing_lost_or_doubled(system, stream, "Redis down for 30 s")


def test_postgresql_restarted_loses_nothing(system: Any, stream: Any) -> None:
    with stream:
        stream.wait_for(10)
        system.postgres.stop()
        try:
            time.sleep(5)
        finally:
            system.postgres.start()
        stream.wait_for(len(stream.set_ids) + 20, timeout=120)
    assert_nothing_lost_or_doubled(system, stream, "PostgreSQL stopped for 5 s and restarted")


def test_the_gateway_killed_and_restarted_loses_nothing(system: Any, stream: Any) -> None:
    with stream:
        stream.wait_for(10)
        # SIGKILL: a set in flight may be stored without its answer reaching the kiosk;
        # the kiosk's retry under the same key must get that set, not a second one.
        system.supervisor.kill("gateway-api")
        time.sleep(2)
        system.supervisor.start("gateway-api")
        system.supervisor.wait_ready(["gateway-api"], timeout=60)
        stream.wait_for(len(stream.set_ids) + 20)
    assert_nothing_lost_or_doubled(system, stream, "gateway SIGKILLed and restarted")


def test_a_relay_killed_between_publishing_a_batch_and_marking_it_loses_nothing(
    system: Any, stream: Any
) -> None:
    with stream:
        stream.wait_for(5)
        system.supervisor.stop("logging-relay")
        stream.wait_for(len(stream.set_ids) + 10)
        holder = system.engines["logging"].connect()
        try:
            # SHARE lets the relay select and lock its batch but not mark it sent: it
            # publishes the batch, then waits. (Sets wait too while this is held.)
            holder.begin()
            holder.execute(text("LOCK TABLE outbox IN SHARE MODE"))
            system.supervisor.start("logging-relay")
            system.eventually(
                lambda: _process_waiting_on(system, "logging", "UPDATE outbox"),
                what="the relay to have published its batch",
            )
            system.supervisor.kill("logging-relay")
        finally:
            holder.rollback()
            holder.close()
        # The batch is still unsent in the outbox; the next relay sends it again.
        system.supervisor.start("logging-relay")
        stream.wait_for(len(stream.set_ids) + 10)
    assert_nothing_lost_or_doubled(system, stream, "relay SIGKILLed after publishing a batch")


def test_every_task_delivered_twice_and_out_of_order_is_applied_once(
    system: Any, stream: Any
) -> None:
    with stream:
        stream.wait_for(5)
        system.supervisor.stop("progression-worker")
        stream.wait_for(len(stream.set_ids) + 30)
        copied = _duplicate_and_shuffle(system.redis.url, "progression")
        assert copied > 0, "tasks waited in the queue"
        system.supervisor.start("progression-worker")
        stream.wait_for(len(stream.set_ids) + 10)
    assert_nothing_lost_or_doubled(system, stream, "every task delivered twice, shuffled")


def test_two_progression_workers_on_one_queue_apply_each_set_once(system: Any, stream: Any) -> None:
    (spec,) = [s for s in system.stack.process_specs() if s.name == "progression-worker"]
    second = dataclasses.replace(spec, name=f"progression-worker-{uuid.uuid4().hex[:6]}")
    system.supervisor.add(second)
    system.supervisor.start(second.name)
    try:
        with stream:
            stream.wait_for(60)
    finally:
        system.supervisor.stop(second.name)
    assert_nothing_lost_or_doubled(system, stream, "two progression workers on one queue")


def _duplicate_and_shuffle(redis_url: str, queue: str) -> int:
    """Put every waiting task in the queue twice, in a random order; how many there were.

    The queue is renamed away first (one atomic step), so a task the relay publishes
    meanwhile lands in a fresh queue and is never lost. Each copy gets a delivery tag of
    its own, as a real redelivery would.
    """
    client = redis.Redis.from_url(redis_url)
    aside = f"{queue}.aside"
    try:
        client.rename(queue, aside)
        messages: list[bytes] = client.lrange(aside, 0, -1)  # type: ignore[assignment]
        copies = []
        for raw in messages:
            message = json.loads(raw)
            message["properties"]["delivery_tag"] = str(uuid.uuid4())
            copies.append(json.dumps(message).encode())
        shuffled = messages + copies
        random.shuffle(shuffled)
        pipe = client.pipeline(transaction=True)
        pipe.rpush(queue, *shuffled)
        pipe.delete(aside)
        pipe.execute()
        return len(messages)
    finally:
        client.close()
