"""Dead letters: events that kept failing, kept with their error until an operator replays them.

A service's own `dead-letters` command and the operator's `myokine dead-letters` (which
reads every service's database from one process) both list and replay with these.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import MetaData, Select, Table, func, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from myokine.messaging_tables import define_messaging_tables

if TYPE_CHECKING:
    # Only its type: the outbox brings the metrics (and FastAPI), which the operator's
    # `myokine dead-letters` has no use for.
    from myokine.outbox import Publish

DEAD_LETTERS = define_messaging_tables(MetaData()).dead_letters
"""The `dead_letters` table every service's database holds (`messaging_tables`), for reading
it from outside the service."""


def record_dead_letter(
    sessions: sessionmaker[Session], table: Table, task: str, body: dict[str, Any], error: str
) -> None:
    """Store a message that failed for good."""
    with sessions() as session, session.begin():
        session.execute(
            insert(table).values(
                event_id=uuid.UUID(str(body.get("event_id", uuid.UUID(int=0)))),
                event_type=str(body.get("event_type", "?")),
                task_name=task,
                body=body,
                error=error[:4000],
            )
        )


def _pending(table: Table, ids: list[int] | None) -> Select[Any]:
    """The dead letters not yet replayed (those in `ids` only, when given)."""
    query = select(table).where(table.c.replayed_at.is_(None))
    return query if ids is None else query.where(table.c.id.in_(ids))


def list_dead_letters(
    sessions: sessionmaker[Session], table: Table, *, ids: list[int] | None = None
) -> list[dict[str, Any]]:
    """Dead letters not yet replayed (all, or those in `ids`), oldest first."""
    with sessions() as session:
        rows = session.execute(_pending(table, ids).order_by(table.c.id)).mappings()
        return [dict(r) for r in rows]


def count_dead_letters(
    sessions: sessionmaker[Session], table: Table, *, ids: list[int] | None = None
) -> int:
    """How many dead letters a replay would send (all, or those in `ids`)."""
    with sessions() as session:
        query = select(func.count()).select_from(_pending(table, ids).subquery())
        return int(session.execute(query).scalar_one())


def replay_dead_letters(
    sessions: sessionmaker[Session],
    table: Table,
    publish: Publish,
    *,
    ids: list[int] | None = None,
    sent: Callable[[dict[str, Any]], None] | None = None,
) -> int:
    """Send dead letters to their task again (all, or those in `ids`); returns how many.

    `sent(row)` is told of each one as it goes (a progress display); they are marked
    replayed together, when every one was sent, so a broker that fails midway leaves them
    all for next time (a consumer's inbox drops the ones it gets twice).
    """
    replayed = 0
    with sessions() as session, session.begin():
        query = _pending(table, ids).with_for_update()
        for row in session.execute(query.order_by(table.c.id)).mappings():
            consumer = row["task_name"].split(".", 1)[0]
            publish(row["task_name"], consumer, row["body"])
            session.execute(
                update(table).where(table.c.id == row["id"]).values(replayed_at=datetime.now(UTC))
            )
            replayed += 1
            if sent is not None:
                sent(dict(row))
    return replayed
