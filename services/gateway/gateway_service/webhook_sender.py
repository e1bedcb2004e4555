"""The webhooks' sender: claims due deliveries, POSTs them signed, records each outcome.

It runs in the gateway's relay process, beside the outbox relay (both send out what the
gateway's database committed), on threads of its own: a receiver that hangs costs one of
`WEBHOOK_CONCURRENCY` threads for `WEBHOOK_TIMEOUT_SECONDS`, never the event path. Each
delivery is claimed with a lease, so a sender killed mid-POST leaves it due again when the
lease ends: deliveries are at least once, and a receiver drops repeats by `id`.
"""

from __future__ import annotations

import ipaddress
import logging
import random
import socket
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import httpx

from gateway_service.domain import webhooks as rules
from gateway_service.handlers import webhooks
from gateway_service.repository import DueDelivery, GatewayRepository
from gateway_service.settings import Settings
from myokine.metrics import WEBHOOK_ATTEMPTS
from myokine.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

USER_AGENT = "Myokine-Webhooks/1"
_BACKOFF_LONGEST = 30.0

Resolve = Callable[[str, int], list[str]]


def _resolve(host: str, port: int) -> list[str]:
    return [str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


def retry_policy(settings: Settings) -> rules.RetryPolicy:
    """The webhooks' retry policy, from the settings."""
    return rules.RetryPolicy(
        first=timedelta(seconds=settings.webhook_retry_first_seconds),
        longest=timedelta(seconds=settings.webhook_retry_max_seconds),
        attempts=settings.webhook_max_attempts,
    )


class WebhookSender:
    """Sends the gateway's due webhook deliveries, a batch at a time."""

    def __init__(
        self,
        unit_of_work: Callable[[], UnitOfWork[GatewayRepository]],
        settings: Settings,
        clock: Callable[[], datetime],
        *,
        jitter: Callable[[], float] = random.random,
        resolve: Resolve = _resolve,
    ) -> None:
        self._unit_of_work = unit_of_work
        self._settings = settings
        self._clock = clock
        self._jitter = jitter
        self._resolve = resolve
        self._policy = retry_policy(settings)
        timeout = settings.webhook_timeout_seconds
        # The lease outlasts a POST that runs to its timeout, so no second sender takes
        # a delivery that is still being sent.
        self._lease = timedelta(seconds=2 * timeout + 30)
        self._client = httpx.Client(
            timeout=httpx.Timeout(timeout, connect=min(timeout, 3.0)),
            follow_redirects=False,
            headers={"User-Agent": USER_AGENT, "Content-Type": "application/json"},
            trust_env=False,
        )
        self._pool = ThreadPoolExecutor(
            max_workers=settings.webhook_concurrency, thread_name_prefix="webhook"
        )

    def close(self) -> None:
        """Let go of the HTTP connections and the threads."""
        self._pool.shutdown(wait=True)
        self._client.close()

    def send_due(self) -> int:
        """One pass: claim a batch of due deliveries, send them at once, record each; how
        many were claimed."""
        due = webhooks.claim_due(
            self._unit_of_work(),
            now=self._clock(),
            lease=self._lease,
            limit=self._settings.webhook_batch_size,
        )
        for _ in self._pool.map(self._send_and_record, due):
            pass
        return len(due)

    def _send_and_record(self, delivery: DueDelivery) -> None:
        outcome = self._send(delivery)
        state = webhooks.record_outcome(
            self._unit_of_work(),
            delivery.id,
            outcome,
            now=self._clock(),
            policy=self._policy,
            jitter=self._jitter,
        )
        if state is None:
            return
        WEBHOOK_ATTEMPTS.labels(delivery.event_type, state).inc()
        log.info(
            "webhook delivery %s: %s",
            delivery.id,
            state,
            extra={
                "delivery_id": str(delivery.id),
                "event_type": delivery.event_type,
                "status": outcome.status,
                "error": outcome.error,
                "duration_ms": outcome.duration_ms,
            },
        )

    def _send(self, delivery: DueDelivery) -> webhooks.Outcome:
        started = time.perf_counter()

        def took() -> int:
            return round((time.perf_counter() - started) * 1000)

        target = self._target(delivery.url)
        if isinstance(target, str):
            return webhooks.Outcome(status=None, error=target, duration_ms=took())
        body = delivery.body.encode()
        headers = {
            rules.SIGNATURE_HEADER: rules.signature(
                delivery.secret, int(self._clock().timestamp()), body
            ),
            "Myokine-Delivery": str(delivery.id),
            "Myokine-Event": delivery.event_type,
        }
        extensions: dict[str, str] = {}
        url = delivery.url
        if target is not None:
            url, headers["Host"] = target.url, target.host_header
            if target.sni_hostname:
                extensions["sni_hostname"] = target.sni_hostname
        try:
            answer = self._client.post(url, content=body, headers=headers, extensions=extensions)
        except httpx.HTTPError as exc:
            return webhooks.Outcome(
                status=None, error=f"{type(exc).__name__}: {exc}", duration_ms=took()
            )
        return webhooks.Outcome(status=answer.status_code, error=None, duration_ms=took())

    def _target(self, url: str) -> rules.PinnedRequest | str | None:
        """Where to send: the URL pinned to a public address its name resolves to, None to
        send it as it is (private addresses allowed), or why it may not be sent now."""
        if self._settings.webhook_allow_private_urls:
            return None
        parts = urlsplit(url)
        host = parts.hostname or ""
        try:
            addresses = self._resolve(host, parts.port or (443 if parts.scheme == "https" else 80))
        except OSError as exc:
            return f"cannot resolve {host}: {exc}"
        if not addresses:
            return f"{host} resolves to no address"
        private = [a for a in addresses if not rules.address_is_public(ipaddress.ip_address(a))]
        if private:
            return f"{host} resolves to a private address ({private[0]})"
        return rules.pinned(url, addresses[0])

    def run_forever(self, *, poll_interval: float, should_stop: Callable[[], bool]) -> None:
        """Send until `should_stop()`; back off while the database is down."""
        backoff = poll_interval
        try:
            while not should_stop():
                try:
                    claimed = self.send_due()
                except Exception:  # the database is down: keep the sender alive and retry
                    log.exception("webhook pass failed")
                    backoff = min(backoff * 2, _BACKOFF_LONGEST)
                    time.sleep(backoff)
                    continue
                backoff = poll_interval
                if claimed < self._settings.webhook_batch_size:
                    time.sleep(poll_interval)
        finally:
            self.close()
