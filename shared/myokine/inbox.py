"""The inbox: a consumer records each event id in the same transaction as its effect.

A redelivered event finds its id already there and does nothing, so at-least-once
delivery gives exactly-once effects.
"""

from __future__ import annotations

import functools
import uuid

from sqlalchemy import Table
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import ReturningInsert

from myokine.events import Event


def first_delivery(session: Session, inbox: Table, event: Event) -> bool:
    """Record `event` as processed; False if it already was (the caller then does nothing).

    Call it first inside the transaction that applies the event. Two workers racing on
    the same event serialize on the primary key: the loser waits, then sees the row.
    """
    result = session.execute(
        _record(inbox), {"event_id": event.event_id, "event_type": event.event_type}
    )
    return result.first() is not None


@functools.cache
def _record(inbox: Table) -> ReturningInsert[tuple[uuid.UUID]]:
    # Built once per table (every event runs it); its values are the parameters it runs with.
    return (
        insert(inbox)
        .on_conflict_do_nothing(index_elements=["event_id"])
        .returning(inbox.c.event_id)
    )
