"""Metrics across real processes: a set logged at the kiosk is counted by every process
it passes through, each serving its own figures (the APIs on /metrics, the workers and
relays on their metrics ports)."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.e2e


def scrape(url: str) -> str:
    """One scrape's text."""
    answer = httpx.get(url, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.text


def value(text: str, name: str, **labels: str) -> float:
    """The sum of a metric's samples whose labels include these."""
    wanted = [f'{key}="{label}"' for key, label in labels.items()]
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith(name + "{") and all(w in line for w in wanted)
    )


def test_a_logged_set_is_counted_by_every_process_it_passes_through(
    system: Any, kiosk: Any
) -> None:
    urls = system.stack.metrics_urls()
    gym = system.credentials["gym_id"]
    before = value(scrape(urls["logging-api"]), "myokine_sets_logged_total", gym=gym)
    slug = kiosk.exercise_to_log()
    body, expected = kiosk.heavier_set(slug)
    assert kiosk.log_set(body, str(uuid.uuid4())).status_code == 201
    kiosk.wait_for_best_e1rm(slug, expected)

    logging_api = scrape(urls["logging-api"])
    assert value(logging_api, "myokine_sets_logged_total", gym=gym) == before + 1
    assert value(logging_api, "myokine_events_produced_total", event_type="SetLogged") >= 1
    assert 'myokine_outbox_backlog{service="logging"}' in logging_api
    assert 'myokine_queue_length{queue="logging"}' in logging_api
    gateway = scrape(urls["gateway-api"])
    sets = {"route": "/v1/kiosk/sets", "method": "POST", "status": "201"}
    assert value(gateway, "myokine_http_requests_total", **sets) >= 1
    relay = scrape(urls["logging-relay"])
    assert value(relay, "myokine_events_published_total", event_type="SetLogged") >= 1
    worker = scrape(urls["progression-worker"])
    applied = {"service": "progression", "event_type": "SetLogged"}
    assert value(worker, "myokine_events_applied_total", **applied) >= 1
    assert value(worker, "myokine_event_lag_seconds_count", **applied) >= 1
