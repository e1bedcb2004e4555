"""A member's export and erasure on the in-memory unit of work, with the services faked."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from gateway_service.handlers import events, member_data
from gateway_service.principals import TrainerPrincipal
from gateway_service.repository import Gym, MemberNews
from gateway_service.service_clients import Services
from myokine.events import MemberErased, PersonalRecord, TargetsUpdated
from myokine.problems import Forbidden, NotFound, ServiceUnavailable
from myokine.units import Unit

from .conftest import Tenant, Uow, assert_nothing_committed, fake
from .fakes import NOW, FakeGatewayRepository

SET_ID = "5c1e9b2a-7d3f-4e8a-9b6c-0d1e2f3a4b5c"
SESSION_ID = "0b8e7c55-2f0a-4f5e-8a0c-3c1f5d1e2a77"


def admin(tenant: Tenant) -> TrainerPrincipal:
    return TrainerPrincipal(trainer_id=uuid.uuid4(), chain_id=tenant.chain.id, role="chain_admin")


def logs() -> dict[str, Any]:
    """Logging's export: one session, one set corrected (60 -> 62.5 kg) then voided."""
    before = {"exercise": "bench-press", "load": "60", "unit": "kg", "load_kg": "60", "reps": 8}
    before |= {"rpe": None, "warmup": False, "set_number": 1, "voided_at": None}
    corrected = before | {"load": "62.5", "load_kg": "62.5"}
    voided = corrected | {"voided_at": "2026-11-25T16:00:00+00:00"}
    change = {"changed_by_role": "trainer", "changed_by": "trainer-1"}
    return {
        "member_id": "ignored",
        "exported_at": "2026-11-25T15:30:00Z",
        "sessions": [
            {
                "id": SESSION_ID,
                "gym_id": str(uuid.uuid4()),
                "kiosk_id": None,
                "program_day": "A",
                "local_date": "2026-11-25",
                "opened_at": "2026-11-25T15:00:00Z",
                "last_set_at": "2026-11-25T15:10:00Z",
                "finished_at": "2026-11-25T15:20:00Z",
                "finished_automatically": False,
            }
        ],
        "sets": [
            {
                "id": SET_ID,
                "session_id": SESSION_ID,
                "exercise": "bench-press",
                "load": 62.5,
                "unit": "kg",
                "load_kg": 62.5,
                "reps": 8,
                "rpe": None,
                "warmup": False,
                "performed_at": "2026-11-25T15:10:00Z",
                "local_date": "2026-11-25",
                "set_number": 1,
                "logged_at": "2026-11-25T15:10:01Z",
                "corrected_at": "2026-11-25T15:30:00Z",
                "voided_at": "2026-11-25T16:00:00Z",
                "changes": [
                    change
                    | {
                        "action": "corrected",
                        "changed_at": "2026-11-25T15:30:00Z",
                        "before": before,
                        "after": corrected,
                        "reason": "=HYPERLINK(1)",
                    },
                    change
                    | {
                        "action": "voided",
                        "changed_at": "2026-11-25T16:00:00Z",
                        "before": corrected,
                        "after": voided,
                        "reason": "twice",
                    },
                ],
            }
        ],
    }


def assignments(tenant: Tenant) -> list[dict[str, Any]]:
    """Program's assignment history: one assignment with a starting load in kg."""
    return [
        {
            "id": str(uuid.uuid4()),
            "member_id": str(tenant.member.id),
            "program_id": str(uuid.uuid4()),
            "program_version": 2,
            "program_name": "A/B",
            "start_date": "2026-11-23",
            "weekdays": [1, 3, 5],
            "starting_loads": {"bench-press": "100"},
            "active": True,
            "ended_at": None,
        }
    ]


def progress() -> dict[str, Any]:
    """Progression's progress document (kg, decimals as text)."""
    return {
        "exercises": {
            "bench-press": {
                "working_load_kg": "100",
                "next": {"load_kg": "102.5", "reps": 6, "sets": 3, "rule": "up"},
                "decisions": [{"date": "2026-11-23", "load_kg": "100", "reps": 8, "sets": 3}],
                "best_e1rm_kg": "133.3",
                "series": [{"date": "2026-11-23", "e1rm_kg": "133.3"}],
                "prs": [
                    {
                        "kind": kind,
                        "value": value,
                        "set_id": SET_ID,
                        "date": "2026-11-23",
                        "load_kg": "100",
                        "reps": 10,
                    }
                    for kind, value in (("e1rm", "133.3"), ("reps", "10"))
                ],
                "stalled": False,
                "calibrate": False,
                "last_trained": "2026-11-23",
            }
        },
        "weeks": [
            {
                "week": "2026-W48",
                "start": "2026-11-23",
                "patterns": {"push": {"done": 1, "min": 2, "max": 3, "status": "below"}},
                "on_protocol": False,
            }
        ],
        "milestones": [
            {
                "milestone": "strength_check",
                "reached_on": "2026-11-23",
                "detail": {"push": {"exercise": "bench-press", "change_kg": "10"}},
            }
        ],
        "streaks": {"current": 0, "longest": 1},
    }


def answered(services: Services, tenant: Tenant) -> None:
    base = f"/members/{tenant.member.id}"
    fake(services.logging).answer("GET", f"{base}/export", logs())
    fake(services.program).answer("GET", f"{base}/assignments", assignments(tenant))
    fake(services.progression).answer("GET", f"{base}/progress", progress())


def test_the_export_has_a_section_per_kind_with_loads_in_kg_and_the_members_unit(
    uow: Uow, repo: FakeGatewayRepository, services: Services, tenant: Tenant
) -> None:
    answered(services, tenant)
    repo.record_visit(tenant.member.id, tenant.gym.id, NOW)

    export = member_data.export_member(uow, services, tenant.signed_in, tenant.member.id, now=NOW)

    assert (export.member_id, export.exported_at, export.unit) == (tenant.member.id, NOW, Unit.LB)
    profile = export.profile
    assert (profile.name, profile.badge, profile.home_gym.name) == ("Member A", "A1", "Gym A")
    assert [(v.gym_name, v.last_seen_at) for v in profile.visits] == [("Gym A", NOW)]
    assert "pin" not in profile.model_dump_json().lower()
    assert [s.program_day for s in export.sessions] == ["A"]
    [logged] = export.sets
    assert (logged.load_kg, logged.load, logged.unit) == (Decimal("62.5"), Decimal("137.79"), "lb")
    assert (logged.entered_load, logged.entered_unit) == (Decimal("62.5"), "kg")
    corrected, voided = logged.changes
    assert (corrected.before.load, corrected.after.load) == (Decimal("132.28"), Decimal("137.79"))
    assert (voided.action, voided.after.voided_at is not None) == ("voided", True)
    [assignment] = export.assignments
    assert assignment.starting_loads == {"bench-press": Decimal("220.46")}
    assert assignment.starting_loads_kg == {"bench-press": Decimal(100)}
    target = export.targets["bench-press"]
    assert (target.working_load_kg, target.working_load) == (Decimal(100), Decimal("220.46"))
    assert target.next is not None and target.next.load == Decimal("225.97")
    records = export.records["bench-press"]
    assert (records.best_e1rm_kg, records.best_e1rm) == (Decimal("133.3"), Decimal("293.88"))
    e1rm, reps = records.prs
    assert (e1rm.value_kg, e1rm.value, e1rm.load) == (
        Decimal("133.3"),
        Decimal("293.88"),
        Decimal("220.46"),
    )
    assert (reps.value_kg, reps.value) == (None, Decimal(10))
    assert [w.week for w in export.weeks] == ["2026-W48"]
    assert export.streaks.longest == 1
    detail = export.milestones[0].detail["push"]
    assert (detail["change_kg"], detail["change"]) == ("10", Decimal("22.05"))
    # Every service was asked as the trainer, about the member's home gym.
    for client in (services.logging, services.program, services.progression):
        [call] = fake(client).calls
        assert (call.caller.gym_id, call.caller.role) == (tenant.gym.id, "trainer")


def test_the_csv_has_a_row_per_version_of_each_set_with_the_profile(
    uow: Uow, services: Services, tenant: Tenant
) -> None:
    answered(services, tenant)
    tenant.member.name = '-Eve, "the" lifter'
    export = member_data.export_member(uow, services, tenant.signed_in, tenant.member.id, now=NOW)

    rows = list(csv.DictReader(io.StringIO(member_data.export_csv(export))))

    assert list(rows[0]) == list(member_data.CSV_COLUMNS)
    assert [(r["version"], r["action"], r["load_kg"], r["load"]) for r in rows] == [
        ("1", "logged", "60", "132.28"),
        ("2", "corrected", "62.5", "137.79"),
        ("3", "voided", "62.5", "137.79"),
    ]
    assert {(r["member_id"], r["badge"], r["member_unit"], r["unit"]) for r in rows} == {
        (str(tenant.member.id), "A1", "lb", "lb")
    }
    assert rows[0]["name"] == '\'-Eve, "the" lifter', "a name is never a formula"
    assert (rows[1]["reason"], rows[2]["reason"]) == ("'=HYPERLINK(1)", "twice")
    assert (rows[1]["changed_by_role"], rows[2]["voided_at"] != "") == ("trainer", True)
    assert rows[0]["voided_at"] == "" and rows[0]["entered_unit"] == "kg"


def test_an_export_fails_whole_when_a_service_is_down(
    uow: Uow, services: Services, tenant: Tenant
) -> None:
    answered(services, tenant)
    fake(services.program).answer(
        "GET", f"/members/{tenant.member.id}/assignments", ServiceUnavailable("down")
    )
    with pytest.raises(ServiceUnavailable):
        member_data.export_member(uow, services, tenant.signed_in, tenant.member.id, now=NOW)


def test_an_export_is_only_of_a_member_the_trainer_manages(
    uow: Uow, repo: FakeGatewayRepository, services: Services, tenant: Tenant, other: Tenant
) -> None:
    with pytest.raises(NotFound):
        member_data.export_member(uow, services, tenant.signed_in, other.member.id, now=NOW)
    elsewhere = Gym(
        id=uuid.uuid4(), chain_id=tenant.chain.id, name="Gym A2", timezone="UTC", unit="kg"
    )
    repo.add_gym(elsewhere)
    tenant.member.home_gym_id = elsewhere.id
    with pytest.raises(Forbidden):
        member_data.export_member(uow, services, tenant.signed_in, tenant.member.id, now=NOW)
    for client in (services.logging, services.program, services.progression):
        assert fake(client).calls == []


# --- erasure -------------------------------------------------------------------------------


def test_erasing_deletes_the_members_rows_and_messages_and_sends_member_erased(
    uow: Uow, repo: FakeGatewayRepository, tenant: Tenant, other: Tenant
) -> None:
    member = tenant.member.id
    repo.record_visit(member, tenant.gym.id, NOW)
    for who in (member, other.member.id):
        events.on_targets_updated(
            uow,
            TargetsUpdated(
                chain_id=tenant.chain.id,
                member_id=who,
                exercise="bench-press",
                load_kg=Decimal(60),
                reps=8,
                sets=3,
            ),
        )
    repo.add_member_news(
        MemberNews(id=uuid.uuid4(), member_id=member, kind="PR", payload={}, occurred_at=NOW)
    )

    answer = member_data.erase_member(uow, admin(tenant), member)

    assert (answer.member_id, answer.status) == (member, "erasing")
    assert member not in repo.members and other.member.id in repo.members
    assert repo.visits == {} and repo.news == []
    assert [m for m, _ in repo.targets] == [other.member.id]
    [erased] = uow.outbox
    assert isinstance(erased, MemberErased)
    assert (erased.chain_id, erased.member_id) == (tenant.chain.id, member)


def test_erasing_forgets_the_messages_that_name_the_member(uow: Uow, tenant: Tenant) -> None:
    # An event stored earlier that names the member (the in-memory outbox keeps them).
    uow.outbox.append(
        TargetsUpdated(
            chain_id=tenant.chain.id,
            member_id=tenant.member.id,
            exercise="bench-press",
            load_kg=Decimal(60),
            reps=8,
            sets=3,
        )
    )
    member_data.erase_member(uow, admin(tenant), tenant.member.id)
    assert [type(e) for e in uow.outbox] == [MemberErased]


def test_a_trainer_may_not_erase_and_nothing_is_stored(
    uow: Uow, repo: FakeGatewayRepository, tenant: Tenant
) -> None:
    with pytest.raises(Forbidden):
        member_data.erase_member(uow, tenant.signed_in, tenant.member.id)
    assert_nothing_committed(uow)
    assert tenant.member.id in repo.members


def test_another_chains_member_is_not_found_and_a_second_erasure_neither(
    uow: Uow, repo: FakeGatewayRepository, tenant: Tenant, other: Tenant
) -> None:
    with pytest.raises(NotFound):
        member_data.erase_member(uow, admin(tenant), other.member.id)
    assert_nothing_committed(uow)
    member_data.erase_member(uow, admin(tenant), tenant.member.id)
    with pytest.raises(NotFound):
        member_data.erase_member(uow, admin(tenant), tenant.member.id)
    assert len(uow.outbox) == 1


def test_progressions_news_of_an_erased_member_keeps_nothing(
    uow: Uow, repo: FakeGatewayRepository, tenant: Tenant
) -> None:
    member_data.erase_member(uow, admin(tenant), tenant.member.id)
    late = PersonalRecord(
        chain_id=tenant.chain.id,
        member_id=tenant.member.id,
        exercise="deadlift",
        kind="e1rm",
        value=Decimal(150),
        set_id=uuid.uuid4(),
        occurred_at=NOW + timedelta(seconds=1),
    )
    events.on_member_news(uow, late, now=NOW)
    events.on_targets_updated(
        uow,
        TargetsUpdated(
            chain_id=tenant.chain.id,
            member_id=tenant.member.id,
            exercise="deadlift",
            load_kg=Decimal(100),
            reps=8,
            sets=3,
        ),
    )
    assert (repo.news, repo.targets) == ([], {})
    assert late.event_id in uow.inbox
