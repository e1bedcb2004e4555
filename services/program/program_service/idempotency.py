"""Idempotency-Key: a retried write gets the first answer; a reused key with another request, 409.

The gateway passes its callers' keys on (and sets its own when it seeds), so a write it
retries after a timeout is not done twice: a second assignment would end the first.

The first request with a key inserts the key's row; a concurrent copy's insert waits on
the primary key until the first commits (then it reads the stored answer) or rolls back
(then it does the work itself). A request refused with an error stores nothing, so a
corrected retry with the same key is judged afresh.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from myokine.idempotency import IdempotentRequest
from myokine.problems import Conflict
from program_service.repository import IdempotencyRecord


def claim(
    session: Session, chain_id: uuid.UUID, request: IdempotentRequest
) -> dict[str, Any] | None:
    """None when this request owns its key (go on, then `remember` the answer).

    Otherwise the answer an earlier request with the same key got; raises Conflict when
    the key came with another request.
    """
    owned = session.execute(
        insert(IdempotencyRecord)
        .values(chain_id=chain_id, key=request.key, fingerprint=request.fingerprint)
        .on_conflict_do_nothing(index_elements=["chain_id", "key"])
        .returning(IdempotencyRecord.key)
    ).first()
    if owned is not None:
        return None
    earlier = session.execute(
        select(IdempotencyRecord.fingerprint, IdempotencyRecord.response).where(
            IdempotencyRecord.chain_id == chain_id, IdempotencyRecord.key == request.key
        )
    ).one()
    if earlier.fingerprint != request.fingerprint:
        raise Conflict("This Idempotency-Key was used with another request.")
    # The owner stored its answer in the same transaction that made the key visible.
    assert earlier.response is not None
    answer: dict[str, Any] = earlier.response
    return answer


def remember(
    session: Session, chain_id: uuid.UUID, request: IdempotentRequest, response: dict[str, Any]
) -> None:
    """Store the answer of the request that owns the key."""
    session.execute(
        update(IdempotencyRecord)
        .where(IdempotencyRecord.chain_id == chain_id, IdempotencyRecord.key == request.key)
        .values(response=response)
    )
