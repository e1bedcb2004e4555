"""The gateway, wired once: runtime, units of work, service clients, rate limits, clock.

Everything that runs the gateway (the API's app factory, the worker, the relay, the demo
seed, the tests) starts from `bootstrap()`; nothing is built at import. It builds on
`core_wiring`, which the operator's command line uses alone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from gateway_service import tasks
from gateway_service.core_wiring import CoreDependencies, wire_core
from gateway_service.domain.pin_lock import Backoff, PinPolicy
from gateway_service.ratelimits import RateLimiter
from gateway_service.repository import GatewayRepository
from gateway_service.service_clients import ServiceClient, Services, Timeouts
from gateway_service.settings import Settings
from gateway_service.webhook_sender import WebhookSender
from myokine.internal_auth import TokenSigner
from myokine.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class Dependencies(CoreDependencies):
    """What the gateway's entry points hand to its handlers and queries."""

    services: Services
    """The program, logging and progression services."""
    limiter: RateLimiter
    pin_policy: PinPolicy

    def close(self) -> None:
        """Let go of the connections: database, services, Redis."""
        self.services.close()
        self.limiter.close()
        super().close()


def _service_clients(settings: Settings) -> Services:
    """HTTP clients for the program, logging and progression services."""
    timeouts = Timeouts(
        connect=settings.service_connect_timeout,
        read=settings.service_read_timeout,
        write=settings.service_write_timeout,
        retry_after=settings.retry_after_seconds,
    )

    tokens = TokenSigner(
        settings.internal_token_secret, ttl_seconds=settings.internal_token_ttl_seconds
    )

    def client(name: str, url: str) -> ServiceClient:
        return ServiceClient(name, url, tokens=tokens, timeouts=timeouts)

    return Services(
        program=client("program", settings.program_url),
        logging=client("logging", settings.logging_url),
        progression=client("progression", settings.progression_url),
    )


def pin_policy(settings: Settings) -> PinPolicy:
    """The PIN backoff of each scope, from the settings."""
    first = timedelta(seconds=settings.pin_backoff_first_seconds)

    def backoff(failures_before_wait: int, longest_seconds: int) -> Backoff:
        return Backoff(failures_before_wait, first, timedelta(seconds=longest_seconds))

    return PinPolicy(
        badge_at_kiosk=backoff(
            settings.pin_failures_before_backoff, settings.pin_backoff_max_seconds
        ),
        badge_in_chain=backoff(
            settings.pin_chain_failures_before_backoff, settings.pin_chain_backoff_max_seconds
        ),
        kiosk=backoff(
            settings.pin_kiosk_failures_before_backoff, settings.pin_kiosk_backoff_max_seconds
        ),
    )


def bootstrap(
    settings: Settings | None = None,
    *,
    unit_of_work: Callable[[], UnitOfWork[GatewayRepository]] | None = None,
    services: Services | None = None,
    clock: Callable[[], datetime] | None = None,
) -> Dependencies:
    """Wire the gateway: the real unit of work, service clients and clock unless a test
    passes others.

    Nothing connects yet; the Celery consumers are registered on `runtime.celery`.
    """
    core = wire_core(settings, unit_of_work=unit_of_work, clock=clock)
    settings = core.settings
    deps = Dependencies(
        runtime=core.runtime,
        settings=settings,
        unit_of_work=core.unit_of_work,
        clock=core.clock,
        services=services or _service_clients(settings),
        limiter=RateLimiter(settings.redis_url, prefix=settings.rate_limit_namespace),
        pin_policy=pin_policy(settings),
    )
    tasks.register(deps)

    def send_webhooks(*, poll_interval: float, should_stop: Callable[[], bool]) -> None:
        # Built here: only the relay process sends (and opens an HTTP client for it).
        sender = WebhookSender(deps.unit_of_work, settings, deps.clock)
        sender.run_forever(poll_interval=poll_interval, should_stop=should_stop)

    core.runtime.beside_the_relay(send_webhooks)
    return deps
