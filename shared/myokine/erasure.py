"""What a service keeps of a member it erased (GDPR): the SHA-256 of their id, nothing else.

A consumer of `MemberErased` deletes every row that names the member, then records the
digest in `erased_members`. An event about the member that was already on its way (a set
logged a moment before, a target progression published) or a write that passed the
gateway just before the erasure then finds the digest and is dropped or refused, instead
of bringing the member's data back. The digest tells whether a known id was erased; it
names no one, and no id can be read back from it.
"""

from __future__ import annotations

import functools
import hashlib
import uuid

from sqlalchemy import Column, DateTime, MetaData, Select, String, Table, bindparam, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session


def member_digest(member_id: uuid.UUID) -> str:
    """The SHA-256 (hex) of a member's id: how `erased_members` knows them."""
    return hashlib.sha256(member_id.bytes).hexdigest()


def define_erased_members(metadata: MetaData) -> Table:
    """Define `erased_members` on a service's metadata (in its `repository.py`)."""
    return Table(
        "erased_members",
        metadata,
        Column("member_digest", String(64), primary_key=True),
        Column("erased_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    )


@functools.cache
def _erased_query(erased: Table) -> Select[tuple[str]]:
    # Built once per table: every write and event of a member asks it.
    return select(erased.c.member_digest).where(erased.c.member_digest == bindparam("digest"))


def was_erased(session: Session, erased: Table, member_id: uuid.UUID) -> bool:
    """Whether this service erased the member (their digest is in `erased`)."""
    found = session.execute(_erased_query(erased), {"digest": member_digest(member_id)}).first()
    return found is not None


def record_erasure(session: Session, erased: Table, member_id: uuid.UUID) -> None:
    """Keep the member's digest, once, after their rows are deleted in the same transaction."""
    session.execute(
        insert(erased)
        .values(member_digest=member_digest(member_id))
        .on_conflict_do_nothing(index_elements=["member_digest"])
    )
