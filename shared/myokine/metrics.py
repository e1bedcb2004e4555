"""Prometheus metrics: what every process of every service counts, and how it serves them.

Counters and histograms are counted where things happen: requests in the HTTP middleware,
events produced when a unit of work commits, published in the relay, applied, retried and
dead-lettered in the consumers. Figures that live in the database or the broker (the
outbox backlog and the age of its oldest unsent row, stored dead letters, the length of
the service's queue) are read when Prometheus scrapes the API (`StateCollector`).

A service may run several processes of one role (uvicorn processes, Celery's pool): with
`PROMETHEUS_MULTIPROC_DIR` set (see `myokine.metrics_dir`) each writes its figures there
and whoever serves them adds them up. The API serves `GET /metrics` on its own port; a
worker and a relay serve theirs on `METRICS_PORT` when it is set.
"""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime

import redis
from fastapi import APIRouter, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
    start_http_server,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import Engine, Table, func, select, text

from myokine.events import Event, SetLogged
from myokine.metrics_dir import MULTIPROCESS_DIR

log = logging.getLogger(__name__)

# Latency buckets from a fast read (5 ms) to a request that waited on a timeout (10 s).
_SECONDS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# Event lag: from a set applied at once (10 ms) to one that waited out an outage (10 min).
_LAG_SECONDS = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 600.0)

HTTP_REQUESTS = Counter(
    "myokine_http_requests",
    "HTTP requests answered, by route template and status.",
    ["service", "method", "route", "status"],
)
HTTP_SECONDS = Histogram(
    "myokine_http_request_duration_seconds",
    "Time to answer an HTTP request, by route template.",
    ["service", "method", "route"],
    buckets=_SECONDS,
)
EVENTS_PRODUCED = Counter(
    "myokine_events_produced",
    "Events written to the outbox with the change they announce.",
    ["service", "event_type"],
)
EVENTS_PUBLISHED = Counter(
    "myokine_events_published",
    "Events the outbox relay handed to the broker.",
    ["service", "event_type"],
)
PUBLISH_FAILURES = Counter(
    "myokine_outbox_publish_failures",
    "Relay passes whose publish the broker refused (the batch goes again).",
    ["service"],
)
EVENTS_APPLIED = Counter(
    "myokine_events_applied",
    "Events a consumer applied (or found in its inbox, already applied).",
    ["service", "event_type"],
)
EVENTS_RETRIED = Counter(
    "myokine_events_retried",
    "Events left for a retry: `waiting` for an earlier event, or `failed`.",
    ["service", "event_type", "reason"],
)
EVENTS_DEAD_LETTERED = Counter(
    "myokine_events_dead_lettered",
    "Events stored as dead letters (failed for good, or unreadable).",
    ["service", "event_type"],
)
EVENT_LAG_SECONDS = Histogram(
    "myokine_event_lag_seconds",
    "From an event's change (occurred_at) to a consumer applying it.",
    ["service", "event_type"],
    buckets=_LAG_SECONDS,
)
SETS_LOGGED = Counter(
    "myokine_sets_logged",
    "Sets logged, by gym.",
    ["gym"],
)
WEBHOOK_ATTEMPTS = Counter(
    "myokine_webhook_attempts",
    "Tries of webhook deliveries, by outcome: delivered, pending (tried again later) or "
    "failed (every try failed: a dead letter to replay).",
    ["event_type", "outcome"],
)


def count_request(service: str, method: str, route: str, status: int, seconds: float) -> None:
    """Count an answered request and its time (the request middleware's, per request)."""
    requests, latency = _request_series(service, method, route, status)
    requests.inc()
    latency.observe(seconds)


@functools.cache
def _request_series(
    service: str, method: str, route: str, status: int
) -> tuple[Counter, Histogram]:
    # `labels()` checks, converts and looks up its values under a lock on every call: each
    # series a request counts in is resolved once per process. The label sets are few
    # (route templates, known methods, statuses). The children keep their multiprocess
    # values: those notice a fork themselves and move to the new process's file.
    return (
        HTTP_REQUESTS.labels(service, method, route, str(status)),
        HTTP_SECONDS.labels(service, method, route),
    )


def count_produced(service: str, events: Iterable[Event]) -> None:
    """Count events a unit of work committed (and the sets among them, by gym)."""
    for event in events:
        EVENTS_PRODUCED.labels(service, event.event_type).inc()
        if isinstance(event, SetLogged):
            SETS_LOGGED.labels(str(event.set.gym_id)).inc()


def count_applied(service: str, event: Event) -> None:
    """Count an event a consumer applied, and how long after its change that was."""
    EVENTS_APPLIED.labels(service, event.event_type).inc()
    lag = (datetime.now(UTC) - event.occurred_at).total_seconds()
    EVENT_LAG_SECONDS.labels(service, event.event_type).observe(max(lag, 0.0))


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
