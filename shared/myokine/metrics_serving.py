"""How a process serves its Prometheus metrics (those `myokine.metrics` counts), and the
figures read when Prometheus scrapes.

Figures that live in the database or the broker (the outbox backlog and the age of its
oldest unsent row, stored dead letters, the length of the service's queue) are read when
Prometheus scrapes the API (`StateCollector`).

A service may run several processes of one role (uvicorn processes, Celery's pool): with
`PROMETHEUS_MULTIPROC_DIR` set (see `myokine.metrics_dir`) each writes its figures there
and whoever serves them adds them up. The API serves `GET /metrics` on its own port; a
worker and a relay serve theirs on `METRICS_PORT` when it is set.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import redis
from fastapi import APIRouter, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    generate_latest,
    multiprocess,
    start_http_server,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import Engine, Table, func, select, text

from myokine.metrics_dir import MULTIPROCESS_DIR

log = logging.getLogger(__name__)


class StateCollector(Collector):
    """Figures read at scrape time from the service's database and its Redis queue.

    A scrape must answer even when the database or Redis does not: what cannot be read is
    left out (and logged), the rest is served.
    """

    def __init__(
        self, service: str, engine: Engine, outbox: Table, dead_letters: Table, redis_url: str
    ) -> None:
        self._service = service
        self._engine = engine
        self._outbox = outbox
        self._dead_letters = dead_letters
        self._redis_url = redis_url

    def collect(self) -> Iterator[Metric]:
        """The outbox backlog and its oldest row's age, dead letters, the queue's length."""
        yield from self._database()
        yield from self._queue()

    def _database(self) -> Iterator[Metric]:
        o = self._outbox
        try:
            with self._engine.connect() as conn:
                conn.execute(text("SET LOCAL statement_timeout = 2000"))
                backlog, oldest = conn.execute(
                    select(func.count(), func.min(o.c.created_at)).where(o.c.published_at.is_(None))
                ).one()
                letters = conn.execute(select(func.count()).select_from(self._dead_letters))
                dead = letters.scalar_one()
        except Exception as exc:  # the database is down: serve the rest
            log.warning("metrics could not read the database", extra={"error": repr(exc)})
            return
        labels = ["service"]
        age = (datetime.now(UTC) - oldest).total_seconds() if oldest is not None else 0.0
        for name, doc, value in (
            ("myokine_outbox_backlog", "Events in the outbox not yet published.", backlog),
            (
                "myokine_outbox_oldest_unsent_age_seconds",
                "Age of the oldest unpublished outbox row (0 when none waits).",
                max(age, 0.0),
            ),
            ("myokine_dead_letters_stored", "Dead letters waiting for an operator.", dead),
        ):
            gauge = GaugeMetricFamily(name, doc, labels=labels)
            gauge.add_metric([self._service], float(value))
            yield gauge

    def _queue(self) -> Iterator[Metric]:
        client = redis.Redis.from_url(
            self._redis_url, socket_connect_timeout=0.5, socket_timeout=0.5
        )
        try:
            length = int(client.llen(self._service))
        except redis.RedisError as exc:
            log.warning("metrics could not read the queue", extra={"error": repr(exc)})
            return
        finally:
            client.close()
        gauge = GaugeMetricFamily(
            "myokine_queue_length", "Tasks waiting in the service's queue.", labels=["queue"]
        )
        gauge.add_metric([self._service], float(length))
        yield gauge


class _ThisProcess(Collector):
    """The default registry's metrics, for a registry of its own (one per scrape)."""

    def collect(self) -> Iterator[Metric]:
        yield from REGISTRY.collect()


def _registry(extra: Collector | None = None) -> CollectorRegistry:
    # No auto-describe: it would collect every collector once more on registering, and the
    # state collector's reads are database and Redis round trips.
    registry = CollectorRegistry(auto_describe=False)
    if os.environ.get(MULTIPROCESS_DIR):
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry.register(_ThisProcess())
    if extra is not None:
        registry.register(extra)
    return registry


def metrics_router(state: Callable[[], Collector] | None = None) -> APIRouter:
    """`GET /metrics` in Prometheus' text format (left out of the OpenAPI document)."""
    router = APIRouter()

    @router.get("/metrics", include_in_schema=False)
    def metrics() -> Response:
        registry = _registry(state() if state is not None else None)
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    return router


def serve_metrics(port: int) -> None:
    """Serve this process's metrics (and its pool's) on `port`, in a thread of their own."""
    start_http_server(port, registry=_registry())
    log.info("metrics served", extra={"port": port})
