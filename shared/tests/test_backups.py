"""A service database dumped and restored with pg_dump / pg_restore, outbox and all."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, insert, select, update

from myokine.backups import BackupError, backup, restore
from myokine.events import TargetsUpdated
from myokine.outbox import add_event

from .conftest import Scratch


def _event(reps: int) -> TargetsUpdated:
    return TargetsUpdated(
        chain_id=uuid.uuid4(),
        member_id=uuid.uuid4(),
        exercise="bench-press",
        load_kg=Decimal(60),
        reps=reps,
        sets=3,
    )


def test_a_restore_brings_back_the_state_and_resends_what_was_sent_since(
    db: Scratch, tmp_path: Path
) -> None:
    outbox = db.tables.outbox
    began = datetime.now(UTC)
    with db.sessions.begin() as session:
        session.execute(insert(db.things).values(name="kept"))
        add_event(session, outbox, _event(1))
        add_event(session, outbox, _event(2))
        # One sent before the backup began, one sent while it ran.
        first, second = session.scalars(select(outbox.c.id).order_by(outbox.c.id)).all()
        before = began - timedelta(minutes=1)
        session.execute(update(outbox).where(outbox.c.id == first).values(published_at=before))
        session.execute(update(outbox).where(outbox.c.id == second).values(published_at=began))
    dump = tmp_path / "things.dump"
    backup(db.url, dump, db.engine)
    with db.sessions.begin() as session:
        session.execute(insert(db.things).values(name="after the backup"))

    resent = restore(db.url, dump, db.engine, outbox, resend_since=began)

    with db.sessions() as session:
        names = set(session.scalars(select(db.things.c.name)))
        unsent = session.scalar(select(func.count()).where(outbox.c.published_at.is_(None)))
    assert names == {"kept"}
    assert resent == 1 and unsent == 1, "only the event sent since the backup began goes again"


def test_a_dump_that_cannot_be_read_is_refused_and_changes_nothing(
    db: Scratch, tmp_path: Path
) -> None:
    with db.sessions.begin() as session:
        session.execute(insert(db.things).values(name="stays"))
    broken = tmp_path / "broken.dump"
    broken.write_bytes(b"not a dump")
    try:
        restore(db.url, broken, db.engine, db.tables.outbox, resend_since=datetime.now(UTC))
    except BackupError as exc:
        assert "pg_restore" in str(exc)
    else:
        raise AssertionError("a broken dump was restored")
    with db.sessions() as session:
        assert set(session.scalars(select(db.things.c.name))) == {"stays"}
