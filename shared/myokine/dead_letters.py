"""Dead letters: events that kept failing, kept with their error until an operator replays them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from myokine.outbox import Publish


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


def list_dead_letters(sessions: sessionmaker[Session], table: Table) -> list[dict[str, Any]]:
    """Dead letters not yet replayed, oldest first."""
    with sessions() as session:
        rows = session.execute(
            select(table).where(table.c.replayed_at.is_(None)).order_by(table.c.id)
        ).mappings()
        return [dict(r) for r in rows]


def replay_dead_letters(
    sessions: sessionmaker[Session], table: Table, publish: Publish, *, ids: list[int] | None = None
) -> int:
    """Send dead letters to their task again (all, or those in `ids`); returns how many."""
    replayed = 0
    with sessions() as session, session.begin():
        query = select(table).where(table.c.replayed_at.is_(None)).with_for_update()
        if ids is not None:
            query = query.where(table.c.id.in_(ids))
        for row in session.execute(query.order_by(table.c.id)).mappings():
            consumer = row["task_name"].split(".", 1)[0]
            publish(row["task_name"], consumer, row["body"])
            session.execute(
                update(table).where(table.c.id == row["id"]).values(replayed_at=datetime.now(UTC))
            )
            replayed += 1
    return replayed
