"""The gateway's consumers of progression's events, on its real database."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from gateway_service import main
from gateway_service import repository as repo
from gateway_service.handlers import events
from myokine.db import transaction
from myokine.events import PersonalRecord, TargetsUpdated


def _targets(member_id: uuid.UUID, load: str, at: datetime) -> TargetsUpdated:
    return TargetsUpdated(
        chain_id=uuid.uuid4(),
        member_id=member_id,
        exercise="bench-press",
        load_kg=Decimal(load),
        reps=6,
        sets=3,
        occurred_at=at,
    )


def _known(member_id: uuid.UUID) -> Decimal | None:
    with transaction(main.runtime.sessions) as session:
        target = repo.last_targets(session, member_id, ["bench-press"]).get("bench-press")
        return target.load_kg if target else None


def test_targets_updated_is_remembered_once() -> None:
    member = uuid.uuid4()
    event = _targets(member, "62.5", datetime.now(UTC))
    events.on_targets_updated(main.runtime, event)
    events.on_targets_updated(main.runtime, event)
    assert _known(member) == Decimal("62.5")


def test_an_older_target_does_not_replace_a_newer_one() -> None:
    member = uuid.uuid4()
    now = datetime.now(UTC)
    events.on_targets_updated(main.runtime, _targets(member, "65", now))
    events.on_targets_updated(main.runtime, _targets(member, "62.5", now - timedelta(minutes=1)))
    assert _known(member) == Decimal(65)


def test_a_personal_record_is_kept_once_as_member_news() -> None:
    member = uuid.uuid4()
    event = PersonalRecord(
        chain_id=uuid.uuid4(),
        member_id=member,
        exercise="deadlift",
        kind="e1rm",
        value=Decimal("150"),
        set_id=uuid.uuid4(),
    )
    events.on_member_news(main.runtime, event)
    events.on_member_news(main.runtime, event)
    with transaction(main.runtime.sessions) as session:
        news = repo.recent_member_news(session, member, datetime.now(UTC) - timedelta(hours=1))
    assert [(n.kind, n.payload["exercise"], n.payload["kind"]) for n in news] == [
        ("PersonalRecord", "deadlift", "e1rm")
    ]
