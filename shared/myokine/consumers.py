"""Turning event handlers into Celery tasks: retries with backoff, then a dead letter."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from celery import Celery, Task
from pydantic import ValidationError

from myokine.events import ALL_CHAINS, CatchUpRequested, Event, parse_event, task_name
from myokine.request_context import bind_context
from myokine.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)


class RetryLater(Exception):  # noqa: N818 - it is an instruction, not an error
    """The event cannot be applied yet, e.g. an earlier event of the same member is missing."""


DeadLetter = Callable[[str, dict[str, Any], str], None]
"""Store a message that keeps failing: (task name, body, error)."""


def retry_delay(retries: int) -> float:
    """Exponential backoff: 0.5 s, 1 s, 2 s, ... capped at one minute."""
    return float(min(0.5 * 2**retries, 60.0))


ORDER_WAITS = 150
"""How often an event that came before its turn is tried again before it is a dead letter."""


def order_delay(waits: int) -> float:
    """How long an event that came early waits: 0.2 s, 0.4 s, ... capped at 2 s.

    The event it waits for is usually in flight on another worker, so it is looked at again
    soon; exponential backoff would let a chain of early events wait minutes for each other.
    With `ORDER_WAITS` the wait before a dead letter is about five minutes.
    """
    return min(0.2 * (waits + 1), 2.0)


def register_consumer(
    celery: Celery,
    consumer: str,
    event_cls: type[Event],
    handle: Callable[[Any], None],
    dead_letter: DeadLetter,
    *,
    max_retries: int,
) -> Task:
    """Register `handle` as the task `<consumer>.<EventType>`.

    `handle` must be idempotent (it records the event in its inbox). A failing event is
    retried with backoff; after `max_retries` it is stored as a dead letter, which an
    operator can replay. A message that does not even parse goes there at once.
    """
    name = task_name(consumer, event_cls.event_type)

    # shared=False: the task belongs to this app only, not to every Celery app in the process.
    # max_retries=None: the two limits below (failures, waits for a turn) are checked here.
    @celery.task(name=name, bind=True, max_retries=None, shared=False)  # type: ignore[untyped-decorator]
    def consume(self: Task, body: dict[str, Any]) -> None:
        try:
            event = parse_event(body)
        except (KeyError, ValidationError) as exc:
            log.error("unreadable event sent to the dead letters", extra={"task": name})
            dead_letter(name, body, repr(exc))
            return
        with bind_context(request_id=event.request_id, event_id=str(event.event_id)):
            try:
                handle(event)
            except RetryLater as exc:
                if self.request.retries >= ORDER_WAITS:
                    log.error("event never got its turn; sent to the dead letters")
                    dead_letter(name, body, repr(exc))
                    return
                log.debug("event waits for its turn", extra={"error": repr(exc)})
                raise self.retry(exc=exc, countdown=order_delay(self.request.retries)) from exc
            except Exception as exc:
                if self.request.retries >= max_retries:
                    log.exception("event failed for good; sent to the dead letters")
                    dead_letter(name, body, repr(exc))
                    return
                log.warning("event will be retried", extra={"error": repr(exc)})
                raise self.retry(exc=exc, countdown=retry_delay(self.request.retries)) from exc

    return consume


def ask_to_catch_up(uow: UnitOfWork[Any], consumer: str, wants: tuple[str, ...]) -> None:
    """Ask the owners of the state `consumer` copies to send all of it again (its worker
    does this on start, so events it missed while it was away or new still reach it)."""
    with uow:
        uow.add_event(CatchUpRequested(chain_id=ALL_CHAINS, consumer=consumer, wants=wants))
        uow.commit()
