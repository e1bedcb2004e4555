"""The transactional outbox: events are stored with the state change, then relayed.

A handler calls `add_event` inside its transaction, so the event exists if and only if
the state change does. The relay (`OutboxRelay`) publishes unsent rows in insertion
order, one Celery task per consumer, and marks them sent (or deletes them, for an event
that is not kept once sent: `MemberErased` names the member it erases). When Redis is
down the rows wait; nothing is lost, and they go out once it is back.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, delete, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from myokine.events import EVENT_TYPES, ROUTES, Event, task_name

log = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 5.0


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


def add_event(session: Session, outbox: Table, event: Event) -> None:
    """Store `event` in the outbox, inside the caller's transaction."""
    session.execute(
        insert(outbox).values(
            event_id=event.event_id, event_type=event.event_type, body=event.to_message()
        )
    )


class OutboxRelay:
    """Publishes a service's unsent outbox rows to the consumers' queues."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        outbox: Table,
        publish: Publish,
        *,
        batch_size: int = 200,
    ) -> None:
        self._sessions = session_factory
        self._outbox = outbox
        self._publish = publish
        self._batch_size = batch_size

    def publish_pending(self) -> RelayPass:
        """Publish one batch of unsent rows.

        Rows are locked with `FOR UPDATE SKIP LOCKED`, so several relays can run side by
        side without sending a row twice at the same time. A publish failure stops the
        batch at that row (later rows must not overtake it); the rows before it stay sent.
        """
        o = self._outbox
        sent: list[int] = []
        forgotten: list[int] = []
        blocked = False
        with self._sessions() as session, session.begin():
            rows = session.execute(
                select(o.c.id, o.c.event_type, o.c.body)
                .where(o.c.published_at.is_(None))
                .order_by(o.c.id)
                .limit(self._batch_size)
                .with_for_update(skip_locked=True)
            ).all()
            for row in rows:
                try:
                    for consumer in ROUTES[row.event_type]:
                        self._publish(task_name(consumer, row.event_type), consumer, row.body)
                except Exception as exc:  # the broker is down or refused: retry later
                    session.execute(
                        update(o)
                        .where(o.c.id == row.id)
                        .values(attempts=o.c.attempts + 1, last_error=repr(exc)[:2000])
                    )
                    log.warning(
                        "outbox publish failed; will retry",
                        extra={"event_id": row.body.get("event_id"), "error": repr(exc)},
                    )
                    blocked = True
                    break
                kept = EVENT_TYPES[row.event_type].kept_once_sent
                (sent if kept else forgotten).append(row.id)
            if sent:
                # One statement for the batch; the transaction makes it all-or-nothing anyway.
                session.execute(
                    update(o).where(o.c.id.in_(sent)).values(published_at=datetime.now(UTC))
                )
            if forgotten:
                session.execute(delete(o).where(o.c.id.in_(forgotten)))
        published = len(sent) + len(forgotten)
        return RelayPass(published=published, blocked=blocked, full=len(rows) == self._batch_size)

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
