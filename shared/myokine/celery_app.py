"""The Celery app factory: Redis broker, at-least-once delivery, one queue per service."""

from __future__ import annotations

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


def create_celery(settings: ServiceSettings, *, queue: str) -> Celery:
    """A Celery app for one service, consuming its own queue.

    Tasks are acknowledged after they run (`acks_late`) and handed back when a worker dies
    (`reject_on_worker_lost`), so delivery is at-least-once; the consumer's inbox turns
    that into exactly-once effects. Prefetch 1 keeps one slow task from holding others.
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
        },
        task_publish_retry_policy=PUBLISH_RETRY_POLICY,
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
        enable_utc=True,
    )
    return app
