"""Prometheus metrics: what every process of every service counts.

Counters and histograms are counted where things happen: requests in the HTTP middleware,
events produced when a unit of work commits, published in the relay, applied, retried and
dead-lettered in the consumers. How a process serves them, and the figures read when
Prometheus scrapes, are in `myokine.metrics_serving`: apart, so that what only counts (a
unit of work's commit, in an operator's command too) imports neither FastAPI nor Redis.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import UTC, datetime

from prometheus_client import Counter, Histogram

from myokine.events import Event, SetLogged

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
