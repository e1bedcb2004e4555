"""Idempotency-Key: a retried write gets the first answer; a reused key with another body, 409.

The first request with a key inserts the key's row; a concurrent copy's insert waits on
the unique index until the first commits (then it reads the stored answer) or rolls
back (then it does the work itself). No check-then-insert race is possible.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from logging_service.repository import IdempotencyRecord
from myokine.idempotency import IdempotentRequest
from myokine.problems import Conflict


@dataclass(frozen=True)
class Reply:
    """An answer as it leaves the service: status and the exact JSON text."""

    status: int
    body: str


def claim(
    session: Session, chain_id: uuid.UUID, member_id: uuid.UUID, request: IdempotentRequest
) -> Reply | None:
    """None when this request owns its key (go on and `remember` the answer).

    Otherwise the answer an earlier request with the same key and body got; raises
    Conflict when the key came with another request.
    """
    record = IdempotencyRecord
    owned = session.execute(
        insert(record)
        .values(
            chain_id=chain_id,
            member_id=member_id,
            key=request.key,
            fingerprint=request.fingerprint,
        )
        .on_conflict_do_nothing(index_elements=["chain_id", "member_id", "key"])
        .returning(record.id)
    ).first()
    if owned is not None:
        return None
    earlier = session.execute(
        select(record.fingerprint, record.status_code, record.response_body).where(
            record.chain_id == chain_id, record.member_id == member_id, record.key == request.key
        )
    ).one()
    if earlier.fingerprint != request.fingerprint:
        raise Conflict("This Idempotency-Key was used with another request.")
    # The owner stores its answer in the same transaction that made the key visible.
    assert earlier.status_code is not None and earlier.response_body is not None
    return Reply(status=earlier.status_code, body=earlier.response_body)


def remember(
    session: Session,
    chain_id: uuid.UUID,
    member_id: uuid.UUID,
    request: IdempotentRequest,
    reply: Reply,
) -> None:
    """Store the answer of the request that owns the key."""
    record = IdempotencyRecord
    session.execute(
        update(record)
        .where(
            record.chain_id == chain_id, record.member_id == member_id, record.key == request.key
        )
        .values(status_code=reply.status, response_body=reply.body)
    )
