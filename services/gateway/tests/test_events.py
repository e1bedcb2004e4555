"""The gateway's consumers of progression's events, on its real database."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from gateway_service.bootstrap import Dependencies
from gateway_service.domain.today import KnownTarget
from gateway_service.handlers import events
from gateway_service.repository import SqlGatewayRepository
from myokine.db import transaction
from myokine.events import PersonalRecord, TargetsUpdated

from .conftest import World


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


def _known(deps: Dependencies, member_id: uuid.UUID) -> Decimal | None:
    with transaction(deps.runtime.sessions) as session:
        targets = SqlGatewayRepository(session).last_targets(member_id, ["bench-press"])
        target = targets.get("bench-press")
        return target.load_kg if target else None


def test_targets_updated_is_remembered_once(deps: Dependencies, world: World) -> None:
    member = uuid.UUID(world.a.member_ids[0])
    event = _targets(member, "62.5", datetime.now(UTC))
    events.on_targets_updated(deps.unit_of_work(), event)
    events.on_targets_updated(deps.unit_of_work(), event)
    assert _known(deps, member) == Decimal("62.5")


def test_an_older_target_does_not_replace_a_newer_one(deps: Dependencies, world: World) -> None:
    member = uuid.UUID(world.a.member_ids[0])
    now = datetime.now(UTC)
    events.on_targets_updated(deps.unit_of_work(), _targets(member, "65", now))
    events.on_targets_updated(
        deps.unit_of_work(), _targets(member, "62.5", now - timedelta(minutes=1))
    )
    assert _known(deps, member) == Decimal(65)


def test_todays_targets_are_remembered_together_and_only_newer_ones_win(
    deps: Dependencies, world: World
) -> None:
    member = uuid.UUID(world.a.member_ids[0])
    now = datetime.now(UTC)
    events.on_targets_updated(deps.unit_of_work(), _targets(member, "65", now))
    read = {
        "bench-press": KnownTarget(Decimal("60"), 8, 3),
        "barbell-back-squat": KnownTarget(Decimal("100"), 6, 3),
    }
    with transaction(deps.runtime.sessions) as session:
        repo = SqlGatewayRepository(session)
        repo.save_last_targets(member, read, as_of=now - timedelta(minutes=1))
        kept = repo.last_targets(member, sorted(read))
    assert {slug: (t.load_kg, t.reps, t.sets) for slug, t in kept.items()} == {
        "bench-press": (Decimal(65), 6, 3),
        "barbell-back-squat": (Decimal(100), 6, 3),
    }


def test_a_personal_record_is_kept_once_as_member_news(deps: Dependencies, world: World) -> None:
    member = uuid.UUID(world.a.member_ids[0])
    event = PersonalRecord(
        chain_id=uuid.uuid4(),
        member_id=member,
        exercise="deadlift",
        kind="e1rm",
        value=Decimal("150"),
        set_id=uuid.uuid4(),
    )
    events.on_member_news(deps.unit_of_work(), event, now=datetime.now(UTC))
    events.on_member_news(deps.unit_of_work(), event, now=datetime.now(UTC))
    with transaction(deps.runtime.sessions) as session:
        since = datetime.now(UTC) - timedelta(hours=1)
        news = SqlGatewayRepository(session).recent_member_news(member, since)
    assert [(n.kind, n.payload["exercise"], n.payload["kind"]) for n in news] == [
        ("PersonalRecord", "deadlift", "e1rm")
    ]


def test_an_event_about_a_member_the_gateway_does_not_have_keeps_nothing(
    deps: Dependencies,
) -> None:
    member = uuid.uuid4()
    events.on_targets_updated(deps.unit_of_work(), _targets(member, "62.5", datetime.now(UTC)))
    assert _known(deps, member) is None
