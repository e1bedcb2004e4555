"""Turning event handlers into Celery tasks: retries with backoff, then a dead letter.

Each consumer has one task per event type (`<consumer>.<EventType>`, one event a
message) and one for a batch (`<consumer>.events`, the events a relay pass had for it, in
outbox order). Both apply their events in order, each in its own transaction; the events
that must wait for their turn or failed, with every later event of the same member, are
retried together, so a member's events are never applied out of order.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from celery import Celery, Task
from pydantic import ValidationError

from myokine.events import ALL_CHAINS, BATCH, CatchUpRequested, Event, parse_event, task_name
from myokine.metrics import EVENTS_DEAD_LETTERED, EVENTS_RETRIED, count_applied
from myokine.request_context import bind_context
from myokine.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)


class RetryLater(Exception):  # noqa: N818 - it is an instruction, not an error
    """The event cannot be applied yet, e.g. an earlier event of the same member is missing."""


DeadLetter = Callable[[str, dict[str, Any], str], None]
"""Store a message that keeps failing: (task name, body, error)."""

Handle = Callable[[Any], None]
HandleMany = Callable[[list[Any]], None]
"""Applies several events of one type and member, in order, as one (see `_run`)."""


RETRY_DELAY_MAX = 15.0
"""The longest wait before a failed event is tried again.

A retry waits in its worker unacknowledged, so it must stay well inside the broker's
visibility timeout (`CELERY_VISIBILITY_TIMEOUT`, at least twice this) or Redis would hand
out a second copy while the first still waits.
"""


def retry_delay(retries: int) -> float:
    """Exponential backoff: 0.5 s, 1 s, 2 s, ... capped at `RETRY_DELAY_MAX`."""
    return float(min(0.5 * 2**retries, RETRY_DELAY_MAX))


ORDER_WAITS = 150
"""How often an event that came before its turn is tried again before it is a dead letter."""


def order_delay(waits: int) -> float:
    """How long an event that came early waits: 0.2 s, 0.4 s, ... capped at 2 s.

    The event it waits for is usually in flight on another worker, so it is looked at again
    soon; exponential backoff would let a chain of early events wait minutes for each other.
    With `ORDER_WAITS` the wait before a dead letter is about five minutes.
    """
    return min(0.2 * (waits + 1), 2.0)


@dataclass
class _Left:
    """The events of a message that are to be tried again, and why."""

    bodies: list[dict[str, Any]] = field(default_factory=list)
    error: Exception | None = None
    waiting_only: bool = True
    """Every one of them only waits for its turn (none failed)."""


def _parsed(
    consumer: str,
    bodies: list[dict[str, Any]],
    letter_name: Callable[[dict[str, Any]], str],
    dead_letter: DeadLetter,
) -> list[tuple[dict[str, Any], Event]]:
    """The events of the bodies, in order; an unreadable one goes to the dead letters."""
    events = []
    for body in bodies:
        try:
            events.append((body, parse_event(body)))
        except (KeyError, ValidationError) as exc:
            name = letter_name(body)
            log.error("unreadable event sent to the dead letters", extra={"task": name})
            dead_letter(name, body, repr(exc))
            EVENTS_DEAD_LETTERED.labels(consumer, str(body.get("event_type"))).inc()
    return events


def _member(event: Event) -> uuid.UUID | None:
    member: uuid.UUID | None = getattr(event, "member_id", None)
    return member


def _run(events: list[tuple[dict[str, Any], Event]], start: int, taken: set[int]) -> list[int]:
    """The positions of the events from `start` on that go with it as one: the later events
    of its member and type, up to that member's first event of another type."""
    first = events[start][1]
    member = _member(first)
    run = [start]
    for position in range(start + 1, len(events)):
        event = events[position][1]
        if position in taken or member is None or _member(event) != member:
            continue
        if event.event_type != first.event_type:
            break
        run.append(position)
    return run


def _apply_in_order(
    consumer: str,
    bodies: list[dict[str, Any]],
    handler_of: Callable[[Event], Handle | None],
    letter_name: Callable[[dict[str, Any]], str],
    dead_letter: DeadLetter,
    together_of: Callable[[Event], HandleMany | None] = lambda _: None,
) -> _Left:
    """Apply each event in its own call (a member's run of one type in one call, where the
    type has a `together_of` handler); what is left for a retry.

    A run that fails as one is applied event by event, so only the events that really
    wait or fail are left, with their member's later ones.
    """
    events = _parsed(consumer, bodies, letter_name, dead_letter)
    left = _Left()
    held: set[uuid.UUID] = set()  # members with an event left: their later events wait too
    taken: set[int] = set()  # positions applied already, as part of a run
    for position, (body, event) in enumerate(events):
        if position in taken:
            continue
        member = _member(event)
        if member in held:
            left.bodies.append(body)
            continue
        together = together_of(event)
        run = _run(events, position, taken) if together is not None else [position]
        if together is not None and len(run) > 1:
            with bind_context(request_id=event.request_id, event_id=str(event.event_id)):
                try:
                    together([events[p][1] for p in run])
                    taken.update(run)
                    for p in run:
                        count_applied(consumer, events[p][1])
                    continue
                except Exception as exc:  # each on its own tells which ones must wait
                    log.debug("events applied one by one", extra={"error": repr(exc)})
        handle = handler_of(event)
        if handle is None:
            log.error("event with no consumer here sent to the dead letters")
            dead_letter(letter_name(body), body, f"no consumer of {event.event_type}")
            EVENTS_DEAD_LETTERED.labels(consumer, event.event_type).inc()
            continue
        with bind_context(request_id=event.request_id, event_id=str(event.event_id)):
            try:
                handle(event)
                count_applied(consumer, event)
                continue
            except RetryLater as exc:
                log.debug("event waits for its turn", extra={"error": repr(exc)})
                left.error = left.error or exc
                EVENTS_RETRIED.labels(consumer, event.event_type, "waiting").inc()
            except Exception as exc:
                log.warning("event will be retried", extra={"error": repr(exc)})
                left.error, left.waiting_only = exc, False
                EVENTS_RETRIED.labels(consumer, event.event_type, "failed").inc()
        left.bodies.append(body)
        if member is not None:
            held.add(member)
    return left


def _retry_or_bury(
    consumer: str,
    task: Task,
    left: _Left,
    message: Callable[[list[dict[str, Any]]], dict[str, Any]],
    letter_name: Callable[[dict[str, Any]], str],
    dead_letter: DeadLetter,
    max_retries: int,
) -> None:
    """Retry the message with the events left (after a wait), or dead-letter them when
    they waited or failed too often."""
    if not left.bodies:
        return
    tries = task.request.retries
    give_up = tries >= (ORDER_WAITS if left.waiting_only else max_retries)
    if give_up:
        what = "never got its turn" if left.waiting_only else "failed for good"
        for body in left.bodies:
            log.error(f"event {what}; sent to the dead letters", extra={"task": letter_name(body)})
            dead_letter(letter_name(body), body, repr(left.error))
            EVENTS_DEAD_LETTERED.labels(consumer, str(body.get("event_type"))).inc()
        return
    delay = order_delay(tries) if left.waiting_only else retry_delay(tries)
    raise task.retry(args=[message(left.bodies)], countdown=delay, exc=left.error)


def register_consumer(
    celery: Celery,
    consumer: str,
    event_cls: type[Event],
    handle: Handle,
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

    def letter_name(_: dict[str, Any]) -> str:
        return name

    # shared=False: the task belongs to this app only, not to every Celery app in the process.
    # max_retries=None: the two limits (failures, waits for a turn) are checked here.
    @celery.task(name=name, bind=True, max_retries=None, shared=False)  # type: ignore[untyped-decorator]
    def consume(self: Task, body: dict[str, Any]) -> None:
        left = _apply_in_order(consumer, [body], lambda _: handle, letter_name, dead_letter)
        _retry_or_bury(
            consumer, self, left, lambda bodies: bodies[0], letter_name, dead_letter, max_retries
        )

    return consume


def register_batch_consumer(
    celery: Celery,
    consumer: str,
    handlers: Mapping[str, Handle],
    dead_letter: DeadLetter,
    *,
    max_retries: int,
    together: Mapping[str, HandleMany] | None = None,
) -> Task:
    """Register the task `<consumer>.events`: a batch of events (`{"events": [...]}`), each
    applied by its type's handler in `handlers`, and a member's run of one type by its
    handler in `together` where it has one (both read when the batch runs).

    One message for what a relay pass had for this consumer saves the broker round trip,
    the task bookkeeping and the acknowledgement of every other event. Events left for a
    retry go on as one batch; a dead letter names the event's own task, so a replay sends
    it alone.
    """

    def letter_name(body: dict[str, Any]) -> str:
        return task_name(consumer, str(body.get("event_type")))

    @celery.task(name=task_name(consumer, BATCH), bind=True, max_retries=None, shared=False)  # type: ignore[untyped-decorator]
    def consume_batch(self: Task, body: dict[str, Any]) -> None:
        bodies = body.get("events")
        if not isinstance(bodies, list) or not all(isinstance(b, dict) for b in bodies):
            log.error("unreadable batch sent to the dead letters")
            dead_letter(task_name(consumer, BATCH), body, "a batch holds a list of events")
            EVENTS_DEAD_LETTERED.labels(consumer, BATCH).inc()
            return
        left = _apply_in_order(
            consumer,
            bodies,
            lambda event: handlers.get(event.event_type),
            letter_name,
            dead_letter,
            lambda event: (together or {}).get(event.event_type),
        )
        _retry_or_bury(
            consumer,
            self,
            left,
            lambda rest: {"events": rest},
            letter_name,
            dead_letter,
            max_retries,
        )

    return consume_batch


def ask_to_catch_up(uow: UnitOfWork[Any], consumer: str, wants: tuple[str, ...]) -> None:
    """Ask the owners of the state `consumer` copies to send all of it again (its worker
    does this on start, so events it missed while it was away or new still reach it)."""
    with uow:
        uow.add_event(CatchUpRequested(chain_id=ALL_CHAINS, consumer=consumer, wants=wants))
        uow.commit()
