"""What every service wires once: settings, database, broker, outbox, consumers, web app.

Each service's `bootstrap.py` builds one `ServiceRuntime` and hands it (or what it makes,
such as units of work) to the code that needs it; nothing reaches it through a global.
Its `api`, `worker`, `relay` and `migrate` commands (`python -m <name>_service ...`) all
start from it.

Each role's libraries are imported where its part is built: Celery with the Celery app
(`celery`), FastAPI in `create_app`, Redis in `relay`. A process that only runs units of
work (the operator's `myokine create-member`) loads none of them: together they are most
of a second of imports.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from myokine.db import make_engine, make_session_factory
from myokine.dead_letters import record_dead_letter
from myokine.messaging_tables import MessagingTables
from myokine.settings import ServiceSettings
from myokine.unit_of_work import Repo, SqlUnitOfWork, UnitOfWork

if TYPE_CHECKING:
    from celery import Celery
    from fastapi import APIRouter, FastAPI

    from myokine.consumers import Handle, HandleMany
    from myokine.events import Event
    from myokine.outbox import OutboxRelay


class RelayLoop(Protocol):
    """A loop of the relay process (sending or tidying what the database holds) that runs
    until told to stop."""

    def __call__(self, *, poll_interval: float, should_stop: Callable[[], bool]) -> None: ...


@dataclass
class ServiceRuntime:
    """One service's wiring."""

    name: str
    settings: ServiceSettings
    engine: Engine
    sessions: sessionmaker[Session]
    tables: MessagingTables
    migrations_dir: Path
    worker_start_hooks: list[Callable[[], None]] = field(default_factory=list)
    """What the worker does once before it consumes (e.g. ask to catch up on reference data)."""
    handlers: dict[str, Handle] = field(default_factory=dict)
    """This service's consumer of each event type it takes (`consume`)."""
    together: dict[str, HandleMany] = field(default_factory=dict)
    """Its consumers of a member's several events of one type at once (`consume_together`)."""
    relay_companions: list[RelayLoop] = field(default_factory=list)
    """Loops the relay process runs beside the outbox relay (the gateway's: its webhook
    sender and the purge of forgotten PIN runs)."""
    _celery: Celery | None = field(default=None, init=False, repr=False)

    @classmethod
    def build(
        cls, name: str, settings: ServiceSettings, tables: MessagingTables, migrations_dir: Path
    ) -> ServiceRuntime:
        """Wire a service. Nothing connects yet: engines and brokers connect on first use."""
        engine = make_engine(
            settings.sqlalchemy_url,
            pool_size=settings.database_pool_size,
            max_overflow=settings.database_max_overflow,
        )
        return cls(
            name=name,
            settings=settings,
            engine=engine,
            sessions=make_session_factory(engine),
            tables=tables,
            migrations_dir=migrations_dir,
        )

    @property
    def celery(self) -> Celery:
        """The service's Celery app, with every consumer registered so far (and those
        registered later as they come). Built when first asked for: by a worker, a
        publish, a service's own periodic tasks."""
        if self._celery is None:
            from myokine.celery_app import create_celery
            from myokine.consumers import register_batch_consumer
            from myokine.events import EVENT_TYPES

            app = create_celery(self.settings, queue=self.name)
            register_batch_consumer(
                app,
                self.name,
                self.handlers,
                self.dead_letter,
                max_retries=self.settings.task_max_retries,
                together=self.together,
            )
            for event_type, handle in self.handlers.items():
                self._register_consumer(app, EVENT_TYPES[event_type], handle)
            self._celery = app
        return self._celery

    def _register_consumer(self, app: Celery, event_cls: type[Event], handle: Handle) -> None:
        from myokine.consumers import register_consumer

        register_consumer(
            app,
            self.name,
            event_cls,
            handle,
            self.dead_letter,
            max_retries=self.settings.task_max_retries,
        )

    def unit_of_work(self, repository: Callable[[Session], Repo]) -> SqlUnitOfWork[Repo]:
        """A new unit of work on this service's database, through `repository`."""
        return SqlUnitOfWork(self.sessions, self.tables, repository, service=self.name)

    def publish(self, task: str, queue: str, body: dict[str, Any]) -> None:
        """Send one task to a queue; raises if the broker cannot take it."""
        from myokine.celery_app import send_task

        send_task(self.celery, task, queue, body)

    def relay(self) -> OutboxRelay:
        """The outbox relay of this service; it reads the consumers' backlogs in Redis."""
        import redis

        from myokine.outbox import OutboxRelay

        broker = redis.Redis.from_url(
            self.settings.redis_url, socket_timeout=2, socket_connect_timeout=2
        )
        return OutboxRelay(
            self.sessions,
            self.tables.outbox,
            self.publish,
            batch_size=self.settings.relay_batch_size,
            backlog=lambda queue: int(broker.llen(queue)),
            service=self.name,
        )

    def dead_letter(self, task: str, body: dict[str, Any], error: str) -> None:
        """Store a message that failed for good."""
        record_dead_letter(self.sessions, self.tables.dead_letters, task, body, error)

    def consume(self, event_cls: type[Event], handle: Callable[[Any], None]) -> None:
        """Register `handle` as this service's consumer of `event_cls`, alone and in batches."""
        self.handlers[event_cls.event_type] = handle
        if self._celery is not None:
            self._register_consumer(self._celery, event_cls, handle)

    def consume_together(self, event_cls: type[Event], handle: HandleMany) -> None:
        """Register `handle` for a member's run of `event_cls` events in one batch (they
        come in order, and `handle` must leave what `consume`'s handler leaves applying
        them one by one)."""
        self.together[event_cls.event_type] = handle

    def beside_the_relay(self, loop: RelayLoop) -> None:
        """Run `loop` on a thread of the relay process, as long as the relay runs (it gets
        the relay's poll interval and stop signal)."""
        self.relay_companions.append(loop)

    def on_worker_start(self, hook: Callable[[], None]) -> None:
        """Run `hook` each time this service's worker starts, before it consumes."""
        self.worker_start_hooks.append(hook)

    @contextlib.asynccontextmanager
    async def _bounded_threads(self, app: FastAPI) -> AsyncIterator[None]:
        # Blocking routes and dependencies run in anyio's threads, and each holds at most one
        # connection at a time: as many threads as pooled connections means a burst waits for
        # a thread instead of opening (and closing) a connection, and a server process with
        # it, per request past the pool.
        import anyio.to_thread

        anyio.to_thread.current_default_thread_limiter().total_tokens = (
            self.settings.database_pool_size
        )
        yield

    def create_app(
        self,
        *,
        title: str,
        description: str,
        routers: Sequence[APIRouter],
        unit_of_work: Callable[[], UnitOfWork[Any]] | None = None,
        upload_paths: Iterable[str] = (),
    ) -> FastAPI:
        """The service's FastAPI app: its routers, health probes, problem+json, request ids.

        The runtime and the unit-of-work factory are kept on `app.state` for the routes'
        dependencies (`myokine.internal_api`). `upload_paths` take bodies up to
        `max_upload_bytes`; every other call `max_body_bytes`.
        """
        from fastapi import FastAPI

        from myokine.api_docs import install_api_docs
        from myokine.edge import BodyLimits, EdgeGuard
        from myokine.health import health_router
        from myokine.http_middleware import RequestIdMiddleware
        from myokine.metrics_serving import StateCollector, metrics_router
        from myokine.problem_handlers import install_problem_handlers
        from myokine.security_headers import SecurityHeaders

        app = FastAPI(
            title=title,
            description=description,
            version="1.0.0",
            docs_url=None,
            redoc_url=None,
            lifespan=self._bounded_threads,
        )
        install_api_docs(app)
        app.state.runtime = self
        app.state.unit_of_work = unit_of_work
        install_problem_handlers(app)
        # The guard sits inside the request ids, so a refused request is logged with one.
        limits = BodyLimits(
            default=self.settings.max_body_bytes,
            upload=self.settings.max_upload_bytes,
            upload_paths=frozenset(upload_paths),
        )
        app.add_middleware(EdgeGuard, limits=limits)
        app.add_middleware(SecurityHeaders)
        app.add_middleware(RequestIdMiddleware, service=self.name)
        app.include_router(health_router(self.engine, self.settings.redis_url))
        state = functools.partial(
            StateCollector,
            self.name,
            self.engine,
            self.tables.outbox,
            self.tables.dead_letters,
            self.settings.redis_url,
        )
        app.include_router(metrics_router(state))
        for router in routers:
            app.include_router(router)
        return app
