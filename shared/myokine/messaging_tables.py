"""The outbox, inbox, dead-letter and Idempotency-Key tables of every service's database."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB


@dataclass(frozen=True)
class MessagingTables:
    """The four tables, as defined on one service's metadata."""

    outbox: Table
    inbox: Table
    dead_letters: Table
    idempotency: Table


def define_messaging_tables(metadata: MetaData) -> MessagingTables:
    """Define `outbox`, `inbox`, `dead_letters` and `idempotency_replies` on a service's metadata.

    Call it once, where the service declares its own tables (its `repository.py`).
    """
    outbox = Table(
        "outbox",
        metadata,
        Column("id", BigInteger, primary_key=True, autoincrement=True),
        Column("event_id", Uuid, nullable=False, unique=True),
        Column("event_type", String(64), nullable=False),
        Column("body", JSONB, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("published_at", DateTime(timezone=True)),
        Column("attempts", Integer, nullable=False, server_default=text("0")),
        Column("last_error", Text),
        # The relay scans only unpublished rows, in insertion order.
        Index("outbox_unpublished", "id", postgresql_where=text("published_at IS NULL")),
    )
    inbox = Table(
        "inbox",
        metadata,
        Column("event_id", Uuid, primary_key=True),
        Column("event_type", String(64), nullable=False),
        Column("processed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    )
    dead_letters = Table(
        "dead_letters",
        metadata,
        Column("id", BigInteger, primary_key=True, autoincrement=True),
        Column("event_id", Uuid, nullable=False),
        Column("event_type", String(64), nullable=False),
        Column("task_name", String(128), nullable=False),
        Column("body", JSONB, nullable=False),
        Column("error", Text, nullable=False),
        Column("failed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("replayed_at", DateTime(timezone=True)),
    )
    idempotency = Table(
        "idempotency_replies",
        metadata,
        # What a key is unique within: a chain, a member of a chain, ... (the use case says).
        Column("scope", String(100), primary_key=True),
        Column("key", String(255), primary_key=True),
        # SHA-256 of method, path and canonical body: the same key with another request is refused.
        Column("fingerprint", String(64), nullable=False),
        Column("status_code", Integer),
        Column("response_body", Text),
        Column(
            "created_at",
            DateTime(timezone=True),
            nullable=False,
            server_default=func.now(),
            index=True,
        ),
    )
    return MessagingTables(
        outbox=outbox, inbox=inbox, dead_letters=dead_letters, idempotency=idempotency
    )
