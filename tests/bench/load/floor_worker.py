"""The floor's event consumer: a bare Celery worker that stores each set `floor_app.py`
sends it, one INSERT a task.

It takes a task as Myokine's workers must (acknowledged late, one at a time), but keeps no
inbox, no order and no fold: the least a consumer on the event path costs. Run it with the
solo pool (one process) on the `floor` queue; `FLOOR_DATABASE_URL` and `FLOOR_BROKER_URL`
name its database and Redis.
"""

from __future__ import annotations

import os
import uuid

from celery import Celery
from sqlalchemy import Column, Integer, MetaData, Table, Uuid, create_engine, insert

metadata = MetaData()
applied = Table(
    "floor_applied",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("reps", Integer, nullable=False),
)
engine = create_engine(os.environ["FLOOR_DATABASE_URL"], pool_size=1, max_overflow=0)
metadata.create_all(engine)

app = Celery("floor", broker=os.environ["FLOOR_BROKER_URL"])
app.conf.update(task_acks_late=True, worker_prefetch_multiplier=1)


@app.task(name="floor.apply")
def apply(set_id: str, reps: int) -> None:
    """Store the set the floor app sent."""
    with engine.begin() as conn:
        conn.execute(insert(applied).values(id=uuid.UUID(set_id), reps=reps))
