"""The floor the load benchmark measures Myokine against: a bare FastAPI app that stores
one set per request with SQLAlchemy, in one process, on the same PostgreSQL.

It has none of Myokine's guarantees (no auth, no idempotency, no outbox, no validation
beyond pydantic's), which is the point: it is the cost of "HTTP in, one INSERT, JSON out"
on this machine. `FLOOR_DATABASE_URL` names its database; the table is made at start.

`POST /sets/with-event` also sends the set as a Celery task to `floor_worker.py` on the
Redis that `FLOOR_BROKER_URL` names, straight after the insert (no outbox, no relay): with
the hop in front, the least the system's whole shape costs a set.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal

import anyio.to_thread
from celery import Celery
from fastapi import FastAPI
from pydantic import BaseModel
from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Uuid,
    create_engine,
    insert,
)

metadata = MetaData()
sets = Table(
    "floor_sets",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("exercise", String(100), nullable=False),
    Column("load_kg", Numeric, nullable=False),
    Column("reps", Integer, nullable=False),
    Column("performed_at", DateTime(timezone=True), nullable=False),
)
# As many pooled connections as threads, so no request opens a connection (a new server
# process) of its own: of the pools tried at 32 connections on a 2-core machine (10 or 40
# connections and threads, 10 with 20 more opened per request past them), this one served
# the most.
POOL_SIZE = 20
engine = create_engine(os.environ["FLOOR_DATABASE_URL"], pool_size=POOL_SIZE, max_overflow=0)
metadata.create_all(engine)


@contextlib.asynccontextmanager
async def _bounded_threads(app: FastAPI) -> AsyncIterator[None]:
    anyio.to_thread.current_default_thread_limiter().total_tokens = POOL_SIZE
    yield


app = FastAPI(lifespan=_bounded_threads)
events = Celery("floor", broker=os.environ["FLOOR_BROKER_URL"])


class SetIn(BaseModel):
    """A set, as a kiosk would send it."""

    exercise: str
    load: Decimal
    reps: int


def _store(body: SetIn) -> dict[str, object]:
    row = {
        "id": uuid.uuid4(),
        "exercise": body.exercise,
        "load_kg": body.load,
        "reps": body.reps,
        "performed_at": datetime.now(UTC),
    }
    with engine.begin() as conn:
        conn.execute(insert(sets).values(**row))
    return {**row, "id": str(row["id"]), "load_kg": float(body.load)}


@app.post("/sets", status_code=201)
def log_set(body: SetIn) -> dict[str, object]:
    """Store one set and answer it."""
    return _store(body)


@app.post("/sets/with-event", status_code=201)
def log_set_with_event(body: SetIn) -> dict[str, object]:
    """Store one set, send it on to the floor's worker, and answer it."""
    stored = _store(body)
    events.send_task("floor.apply", args=[stored["id"], stored["reps"]], queue="floor")
    return stored
