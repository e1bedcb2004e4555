"""The transactional outbox: events are stored with the state change, then relayed.

A handler calls `add_event` inside its transaction, so the event exists if and only if
the state change does. The relay (`OutboxRelay`) publishes unsent rows in insertion
order, one Celery message per consumer and pass, and marks them sent (or deletes them, for
an event that is not kept once sent: `MemberErased` names the member it erases). When
Redis is down the rows wait; nothing is lost, and they go out once it is back.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Insert, Table, bindparam, cast, column, delete, func, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from myokine.events import BATCH, EVENT_TYPES, ROUTES, Event, task_name
from myokine.metrics import EVENTS_PUBLISHED, PUBLISH_FAILURES

log = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 5.0

MAX_HOLD_SECONDS = 5.0
"""The longest the relay lets rows gather for a busy consumer (see `OutboxRelay`)."""

Backlog = Callable[[str], int]
"""How many messages wait in a queue, not yet taken by any worker."""


@dataclass(frozen=True)
class RelayPass:
    """What one relay pass did."""

    published: int
    blocked: bool
    """A publish failed; the rest of the batch waits for the next pass."""
    full: bool
    """The batch was full, so more rows are probably waiting."""


Publish = Callable[[str, str, dict[str, Any]], None]
"""Send one message: (task name, queue, body). Raises when the broker cannot take it."""


def _messages(rows: list[tuple[str, dict[str, Any]]]) -> list[tuple[str, str, dict[str, Any]]]:
    """The messages that carry `rows` (event type, body) to their consumers, in order: to
    each consumer its one event's own task, or a batch (`BATCH`) of its events.

    Under load a pass finds many rows, and one message for them all costs a consumer one
    broker round trip and one acknowledgement instead of one per event.
    """
    per_consumer: dict[str, list[dict[str, Any]]] = {}
    for event_type, body in rows:
        for consumer in ROUTES[event_type]:
            per_consumer.setdefault(consumer, []).append(body)
    return [
        (task_name(consumer, bodies[0]["event_type"]), consumer, bodies[0])
        if len(bodies) == 1
        else (task_name(consumer, BATCH), consumer, {"events": bodies})
        for consumer, bodies in per_consumer.items()
    ]


def add_event(session: Session, outbox: Table, event: Event) -> None:
    """Store `event` in the outbox, inside the caller's transaction."""
    session.execute(insert_events(outbox), event_rows([event]))


@functools.cache
def insert_events(outbox: Table) -> Insert:
    """The statement that stores events in the outbox, in their order (`event_rows` are its
    parameters). Built once per table: every write with events runs it."""
    # One JSON array of the messages (each names its event's id and type): one parameter
    # to encode, whatever the number of events; the ordinality keeps their order in the
    # ids the rows get.
    messages = (
        func.jsonb_array_elements(bindparam("b_messages", type_=outbox.c.body.type))
        .table_valued(column("value", outbox.c.body.type), with_ordinality="position")
        .render_derived()
    )
    message = messages.c.value
    rows = select(
        cast(message["event_id"].astext, outbox.c.event_id.type),
        message["event_type"].astext,
        message,
    ).order_by(messages.c.position)
    return insert(outbox).from_select(["event_id", "event_type", "body"], rows)


def event_rows(events: Sequence[Event]) -> dict[str, Any]:
    """The parameters of `insert_events` that store `events`."""
    return {"b_messages": [e.to_message() for e in events]}


class OutboxRelay:
    """Publishes a service's unsent outbox rows to the consumers' queues.

    With `backlog`, the relay holds rows back while every consumer they go to has a message
    in its queue that no worker has taken yet (for at most `max_hold` seconds since it last
    sent): their workers are busy, the rows gather, and the next message carries them all,
    which a consumer applies for less than one at a time (a member's sets together). When
    the workers keep up, or one of the consumers is idle, nothing waits.
    """

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        outbox: Table,
        publish: Publish,
        *,
        batch_size: int = 200,
        backlog: Backlog | None = None,
        max_hold: float = MAX_HOLD_SECONDS,
        service: str = "",
    ) -> None:
        self._sessions = session_factory
        self._outbox = outbox
        self._publish = publish
        self._batch_size = batch_size
        self._backlog = backlog
        self._max_hold = max_hold
        self._last_sent = float("-inf")
        self._service = service

    def _hold(self, queues: set[str]) -> bool:
        """Whether to let the rows gather: all their consumers are busy, not for too long."""
        if self._backlog is None or time.monotonic() - self._last_sent >= self._max_hold:
            return False
        return all(self._backlog(queue) > 0 for queue in queues)

    def publish_pending(self) -> RelayPass:
        """Publish one batch of unsent rows: one message per consumer (see `_messages`).

        Rows are locked with `FOR UPDATE SKIP LOCKED`, so several relays can run side by
        side without sending a row twice at the same time. When the broker refuses a
        message, no row of the batch is marked sent and the whole batch goes again on the
        next pass: a consumer that got its message already gets it twice, which its inbox
        makes harmless, and no row overtakes an earlier one.
        """
        o = self._outbox
        with self._sessions() as session, session.begin():
            rows = session.execute(
                select(o.c.id, o.c.event_type, o.c.body)
                .where(o.c.published_at.is_(None))
                .order_by(o.c.id)
                .limit(self._batch_size)
                .with_for_update(skip_locked=True)
            ).all()
            if not rows:
                return RelayPass(published=0, blocked=False, full=False)
            messages = _messages([(r.event_type, r.body) for r in rows])
            try:
                if self._hold({queue for _, queue, _ in messages}):
                    return RelayPass(published=0, blocked=False, full=False)
                for task, queue, body in messages:
                    self._publish(task, queue, body)
            except Exception as exc:  # the broker is down or refused: retry later
                PUBLISH_FAILURES.labels(self._service).inc()
                first = rows[0]
                session.execute(
                    update(o)
                    .where(o.c.id == first.id)
                    .values(attempts=o.c.attempts + 1, last_error=repr(exc)[:2000])
                )
                log.warning(
                    "outbox publish failed; will retry",
                    extra={"event_id": first.body.get("event_id"), "error": repr(exc)},
                )
                return RelayPass(published=0, blocked=True, full=False)
            kept = [r.id for r in rows if EVENT_TYPES[r.event_type].kept_once_sent]
            forgotten = [r.id for r in rows if not EVENT_TYPES[r.event_type].kept_once_sent]
            # One statement each for the batch; the transaction makes it all-or-nothing.
            if kept:
                session.execute(
                    update(o).where(o.c.id.in_(kept)).values(published_at=datetime.now(UTC))
                )
            if forgotten:
                session.execute(delete(o).where(o.c.id.in_(forgotten)))
        self._last_sent = time.monotonic()
        for row in rows:
            EVENTS_PUBLISHED.labels(self._service, row.event_type).inc()
        return RelayPass(published=len(rows), blocked=False, full=len(rows) == self._batch_size)

    def run_forever(self, *, poll_interval: float, should_stop: Callable[[], bool]) -> None:
        """Relay until `should_stop()`; back off while the broker or the database is down."""
        backoff = poll_interval
        while not should_stop():
            try:
                result = self.publish_pending()
            except Exception:  # the database is down: keep the relay alive and retry
                log.exception("outbox relay pass failed")
                result = RelayPass(published=0, blocked=True, full=False)
            if result.blocked:
                backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
                time.sleep(backoff)
                continue
            backoff = poll_interval
            if not result.full:
                time.sleep(poll_interval)
