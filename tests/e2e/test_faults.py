"""Faults: a consumer down, the broker down. Nothing is lost, nothing is applied twice."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest
from sqlalchemy import text

pytestmark = pytest.mark.e2e


def test_a_set_logged_while_the_progression_worker_is_down_is_applied_exactly_once(
    system: Any, kiosk: Any
) -> None:
    slug = kiosk.exercise_to_log()
    body, expected_e1rm = kiosk.heavier_set(slug)
    system.supervisor.stop("progression-worker")
    try:
        logged = kiosk.log_set(body, str(uuid.uuid4()))
        assert logged.status_code == 201, logged.text
        set_id = logged.json()["id"]

        # The relay publishes it; with nobody consuming, the task waits in the queue.
        event = system.eventually(
            lambda: (e := system.outbox_event_of_set(set_id)) and e.published_at and e,
            what="the SetLogged event to be published",
        )
        assert system.inbox_count("progression", event.event_id) == 0
        # And the broker hands it over twice, as it may after a lost acknowledgement.
        system.deliver_twice("progression", set_id)
        assert system.queued_tasks("progression") >= 2
    finally:
        system.supervisor.start("progression-worker")

    kiosk.wait_for_best_e1rm(slug, expected_e1rm)
    system.eventually(
        lambda: system.queued_tasks("progression") == 0, what="the progression queue to drain"
    )
    assert system.inbox_count("progression", event.event_id) == 1
    assert system.dead_letters("progression") == []
    assert system.supervisor.deaths() == []


def test_a_set_logged_while_redis_is_down_is_stored_answered_and_published_later(
    system: Any, kiosk: Any
) -> None:
    slug = kiosk.exercise_to_log()
    body, expected_e1rm = kiosk.heavier_set(slug)
    key = str(uuid.uuid4())
    system.redis.stop()
    try:
        logged = kiosk.log_set(body, key)
        assert logged.status_code == 201, logged.text
        set_id = logged.json()["id"]
        # Give the relay a few passes: the event must wait in the outbox, not vanish.
        time.sleep(2)
        event = system.outbox_event_of_set(set_id)
        assert event is not None, "the set and its event are stored together"
        assert event.published_at is None
        assert kiosk.log_set(body, key).json()["id"] == set_id, "a retry gets the same set"
    finally:
        system.redis.start()

    kiosk.wait_for_best_e1rm(slug, expected_e1rm, timeout=120)
    published = system.outbox_event_of_set(set_id)
    assert published.published_at is not None
    assert system.inbox_count("progression", published.event_id) == 1
    assert system.dead_letters("progression") == []
    system.supervisor.wait_ready(timeout=60)
    assert system.supervisor.deaths() == []


def test_a_set_whose_worker_is_killed_mid_task_is_redelivered_and_applied_once(
    system: Any, kiosk: Any
) -> None:
    slug = kiosk.exercise_to_log()
    body, expected_e1rm = kiosk.heavier_set(slug)
    holder = system.engines["progression"].connect()
    try:
        # Hold the inbox, so the worker takes the task and then waits inside it.
        holder.begin()
        holder.execute(text("LOCK TABLE inbox IN EXCLUSIVE MODE"))
        logged = kiosk.log_set(body, str(uuid.uuid4()))
        assert logged.status_code == 201, logged.text
        system.eventually(
            lambda: system.query(
                "progression",
                "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND query ILIKE 'INSERT INTO inbox%'",
            ),
            what="the progression worker to be inside the task",
        )
        system.supervisor.kill("progression-worker")
    finally:
        holder.rollback()
        holder.close()
    event = system.outbox_event_of_set(logged.json()["id"])
    assert system.inbox_count("progression", event.event_id) == 0, "the killed task left nothing"

    # The task was never acknowledged, so a worker hands it out again once its visibility
    # timeout has passed (5 minutes in the shared settings; 5 seconds here). Kombu looks
    # for such tasks about every 100 seconds (10 s sweeps, only every 10th one scans).
    system.supervisor.start("progression-worker", env={"CELERY_VISIBILITY_TIMEOUT": "5"})
    try:
        kiosk.wait_for_best_e1rm(slug, expected_e1rm, timeout=180)
    finally:
        system.supervisor.stop("progression-worker")
        system.supervisor.start("progression-worker")
    assert system.inbox_count("progression", event.event_id) == 1
    assert system.dead_letters("progression") == []
    assert system.supervisor.deaths() == []
