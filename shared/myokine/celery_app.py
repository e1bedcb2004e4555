"""The Celery app factory: Redis broker, at-least-once delivery, one queue per service."""

from __future__ import annotations

from typing import Any

from celery import Celery

from myokine.settings import ServiceSettings

# How long a publish may keep retrying a dead broker before it gives up and lets the
# caller (the outbox relay) try again on its next pass.
PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0.0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}

RESTORE_INTERVAL_SECONDS = 5
"""How often a worker hands back tasks whose worker died (past the visibility timeout)."""


def create_celery(settings: ServiceSettings, *, queue: str) -> Celery:
    """A Celery app for one service, consuming its own queue.

    Tasks are acknowledged after they run (`acks_late`) and handed back when a worker dies
    (`reject_on_worker_lost`), so delivery is at-least-once; the consumer's inbox turns
    that into exactly-once effects. Prefetch 1 keeps one slow task from holding others.
    A task whose worker was killed comes back within the visibility timeout plus
    `RESTORE_INTERVAL_SECONDS`: about 35 s with the defaults.
    """
    app = Celery(settings.service_name, broker=settings.redis_url)
    app.conf.update(
        task_default_queue=queue,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_ignore_result=True,
        task_serializer="json",
        accept_content=["json"],
        broker_connection_retry_on_startup=True,
        broker_connection_max_retries=None,
        broker_transport_options={
            "visibility_timeout": settings.celery_visibility_timeout,
            # Kombu looks for tasks past their visibility timeout every interval x
            # throttle seconds (10 x 10 by default): a task whose worker was killed would
            # wait minutes more. Look every few seconds; the look is one ZRANGE.
            "unacked_restore_interval": RESTORE_INTERVAL_SECONDS,
            "unacked_restore_throttle": 1,
            # The look holds a Redis lock; a worker killed while holding it must not stop
            # every other worker's looks for the default five minutes.
            "unacked_mutex_expire": RESTORE_INTERVAL_SECONDS * 2,
        },
        task_publish_retry_policy=PUBLISH_RETRY_POLICY,
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
        enable_utc=True,
    )
    return app


def send_task(celery: Celery, task: str, queue: str, body: dict[str, Any]) -> None:
    """Send one task (by its name) with `body` to a queue; raises if the broker cannot take
    it after `PUBLISH_RETRY_POLICY`'s retries."""
    celery.send_task(task, args=[body], queue=queue, retry=True, retry_policy=PUBLISH_RETRY_POLICY)
