"""The consumers on a real database: order, exactly-once, and what the routes then show."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from myokine.consumers import RetryLater
from myokine.events import ExerciseAdded, ExerciseChanged, InventoryChanged
from myokine.inventory import default_inventory
from myokine.service_runtime import ServiceRuntime
from myokine.units import KG_PER_LB, Unit
from progression_service import handlers
from progression_service import repository as repo

MON = date(2026, 1, 5)


def _targets(client: TestClient, headers: Any, member: Any, slugs: str, day: date) -> Any:
    response = client.get(
        f"/internal/v1/members/{member.member_id}/targets",
        params={"exercises": slugs, "local_date": day.isoformat()},
        headers=headers(),
    )
    assert response.status_code == 200, response.text
    return response.json()


def _outbox_types(runtime: ServiceRuntime) -> list[str]:
    with runtime.sessions() as session:
        return list(
            session.execute(
                select(runtime.tables.outbox.c.event_type).order_by(runtime.tables.outbox.c.id)
            ).scalars()
        )


def test_a_finished_session_moves_the_target(
    client, headers, member, deliver, plan, runtime
) -> None:
    deliver(member.assign(plan("barbell-back-squat", "squat", "barbell", "2.5")))
    deliver(*member.workout(MON, *[("barbell-back-squat", "60", 12)] * 3))
    body = _targets(client, headers, member, "barbell-back-squat", MON + timedelta(days=2))
    squat = body["exercises"]["barbell-back-squat"]
    assert (squat["target_load_kg"], squat["target_reps"], squat["sets"]) == ("62.5", 6, 3)
    assert squat["days_since_last"] == 2
    assert squat["calibrate"] is False
    assert body["week"]["squat"] == {"done": 1, "min": 2, "max": 3, "status": "below"}
    assert "TargetsUpdated" in _outbox_types(runtime)


def test_targets_before_training_use_the_start_load_or_calibrate(
    client, headers, member, deliver, plan
) -> None:
    deliver(
        member.assign(
            plan("bench-press", "push", "barbell", "2.5", starting_load_kg="41"),
            plan("kettlebell-swing", "hinge", "kettlebell", "4"),
        )
    )
    body = _targets(client, headers, member, "bench-press,kettlebell-swing,leg-press", MON)
    bench, swing, press = (
        body["exercises"][s] for s in ("bench-press", "kettlebell-swing", "leg-press")
    )
    assert (bench["target_load_kg"], bench["calibrate"]) == ("40", False)
    assert (swing["target_load_kg"], swing["calibrate"]) == ("8", True)
    assert (press["target_load_kg"], press["calibrate"]) == ("5", True)


def test_a_set_before_its_turn_waits_and_a_redelivery_is_a_no_op(member, deliver, runtime) -> None:
    first = member.log("deadlift", "100", 8, MON)
    second = member.log("deadlift", "100", 8, MON)
    with pytest.raises(RetryLater):
        deliver(second)
    deliver(first, second, second, first)
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(repo.LoggedSet)) == 2
        stream = session.get(repo.Stream, (member.member_id, "logging"))
        assert stream is not None and stream.last_seq == 2


def test_records_after_the_baseline_and_the_series(
    client, headers, member, deliver, runtime
) -> None:
    deliver(*member.workout(MON, ("bench-press", "100", 6), ("bench-press", "100", 8)))
    deliver(*member.workout(MON + timedelta(days=2), ("bench-press", "100", 10)))
    body = client.get(f"/internal/v1/members/{member.member_id}/progress", headers=headers()).json()
    bench = body["exercises"]["bench-press"]
    assert bench["series"] == [
        {"date": "2026-01-05", "e1rm_kg": "126.67"},
        {"date": "2026-01-07", "e1rm_kg": "133.33"},
    ]
    assert bench["best_e1rm_kg"] == "133.33"
    assert sorted(p["kind"] for p in bench["prs"]) == ["e1rm", "reps"]
    assert _outbox_types(runtime).count("PersonalRecord") == 2
    assert body["milestones"][0]["milestone"] == "first_session"


def test_correcting_an_old_set_equals_logging_it_right(
    client, headers, new_member, deliver
) -> None:
    wrong, right = new_member(), new_member()
    days = [MON + timedelta(days=2 * i) for i in range(4)]
    typo = wrong.log("barbell-back-squat", "600", 12, days[0])
    deliver(typo, *[wrong.log("barbell-back-squat", "60", 12, days[0]) for _ in range(2)])
    deliver(wrong.finish(days[0]))
    deliver(*[right.log("barbell-back-squat", "60", 12, days[0]) for _ in range(3)])
    deliver(right.finish(days[0]))
    for day in days[1:]:
        for script in (wrong, right):
            deliver(*script.workout(day, *[("barbell-back-squat", "62.5", 10)] * 3))
    deliver(wrong.correct(typo, load_kg=typo.set.load_kg / 10))

    def view(script: Any) -> Any:
        body = client.get(
            f"/internal/v1/members/{script.member_id}/progress", headers=headers()
        ).json()
        squat = body["exercises"]["barbell-back-squat"]
        return squat["working_load_kg"], squat["next"], squat["series"], len(squat["prs"])

    assert view(wrong) == view(right)


def test_voiding_a_set_removes_it_from_the_day(client, headers, member, deliver) -> None:
    light = member.log("deadlift", "100", 6, MON)
    heavy = member.log("deadlift", "140", 6, MON)
    deliver(light, heavy, member.void(heavy))
    body = client.get(f"/internal/v1/members/{member.member_id}/progress", headers=headers()).json()
    assert body["exercises"]["deadlift"]["series"] == [{"date": "2026-01-05", "e1rm_kg": "120.00"}]


def test_attention_lists_members_off_protocol(client, headers, member, deliver) -> None:
    deliver(*member.workout(MON, ("barbell-back-squat", "60", 8)))
    response = client.get(
        f"/internal/v1/gyms/{member.gym_id}/attention",
        params={"local_date": MON.isoformat()},
        headers=headers(),
    )
    assert response.status_code == 200
    (flagged,) = response.json()["members"]
    assert flagged["member_id"] == str(member.member_id)
    assert flagged["on_protocol"] is False
    assert flagged["week"]["squat"]["done"] == 1


def test_members_read_only_themselves(client, headers, member) -> None:
    url = f"/internal/v1/members/{member.member_id}/progress"
    assert client.get(url, headers=headers("member", sub="someone-else")).status_code == 403
    assert client.get(url, headers=headers("member", sub=str(member.member_id))).status_code == 200
    assert client.get(url).status_code == 401
    attention = client.get(
        f"/internal/v1/gyms/{member.gym_id}/attention", headers=headers("member")
    )
    assert attention.status_code == 403


def test_rebuilding_from_the_facts_leaves_the_incremental_state(
    client, headers, member, deliver, deps
) -> None:
    for i in range(6):
        day = MON + timedelta(days=2 * i)
        deliver(*member.workout(day, *[("barbell-back-squat", "60", 9 + i % 4)] * 3))
        deliver(*member.workout(day, ("deadlift", 100 + 5 * (i % 3), 8)))
    url = f"/internal/v1/members/{member.member_id}/progress"
    before = client.get(url, headers=headers()).json()
    handlers.rebuild_member(deps.unit_of_work(), member.chain_id, member.member_id)
    assert client.get(url, headers=headers()).json() == before


def _pound_gym(chain_id: uuid.UUID, gym_id: uuid.UUID, version: int = 0) -> InventoryChanged:
    return InventoryChanged(
        chain_id=chain_id, gym_id=gym_id, version=version, inventory=default_inventory(Unit.LB)
    )


def test_the_gym_of_the_day_makes_the_loads_not_the_unit_typed(
    client, headers, member, deliver
) -> None:
    deliver(_pound_gym(member.chain_id, member.gym_id))
    # A kg member at a pound gym types 61.23 kg (135 lb) and gets 140 lb next, not 62.5 kg.
    for _ in range(3):
        deliver(member.log("bench-press", KG_PER_LB * 135, 12, MON))
    deliver(member.finish(MON))
    bench = _targets(client, headers, member, "bench-press", MON)["exercises"]["bench-press"]
    assert Decimal(bench["target_load_kg"]) == KG_PER_LB * 140
    assert bench["rule"] == "up"


def test_at_another_gym_the_target_roams_and_the_standing_stays(
    client, headers, member, deliver
) -> None:
    deliver(*member.workout(MON, *[("bench-press", "60", 12)] * 3))  # next: 62.5 kg at home
    visited = uuid.uuid4()
    deliver(_pound_gym(member.chain_id, visited))

    def bench_at(gym_id: uuid.UUID) -> Any:
        response = client.get(
            f"/internal/v1/members/{member.member_id}/targets",
            params={"exercises": "bench-press", "local_date": MON.isoformat()},
            headers=headers(gym_id=gym_id),
        )
        return response.json()["exercises"]["bench-press"]

    away = bench_at(visited)
    assert away["rule"] == "roam"
    assert Decimal(away["target_load_kg"]) == KG_PER_LB * 140  # 1.6% over 62.5: allowed
    assert Decimal(away["intended_load_kg"]) == Decimal("62.5")
    home = bench_at(member.gym_id)
    assert (home["rule"], Decimal(home["target_load_kg"])) == ("up", Decimal("62.5"))


def test_an_older_inventory_never_replaces_a_newer_one(client, headers, member, deliver) -> None:
    deliver(_pound_gym(member.chain_id, member.gym_id, version=2))
    deliver(
        InventoryChanged(
            chain_id=member.chain_id,
            gym_id=member.gym_id,
            version=1,
            inventory=default_inventory(Unit.KG),
        )
    )
    deliver(*member.workout(MON, *[("bench-press", KG_PER_LB * 135, 12)] * 3))
    bench = _targets(client, headers, member, "bench-press", MON)["exercises"]["bench-press"]
    assert Decimal(bench["target_load_kg"]) == KG_PER_LB * 140


def test_a_chains_own_exercise_counts_for_its_pattern(
    client, headers, member, deliver, runtime
) -> None:
    sled = ExerciseAdded(
        chain_id=member.chain_id,
        slug="sled-push",
        name="Sled push",
        pattern="squat",
        equipment="machine",
        load_step_kg=Decimal(5),
        bodyweight=False,
    )
    early = member.log("sled-push", "50", 8, MON)
    # Before progression hears of the exercise, its set waits (logging knew it already).
    with pytest.raises(RetryLater):
        handlers.on_set_logged(runtime.unit_of_work(repo.SqlProgressionRepository), early)
    deliver(sled, early)
    deliver(member.finish(MON))
    body = client.get(f"/internal/v1/members/{member.member_id}/progress", headers=headers()).json()
    assert body["weeks"][0]["patterns"]["squat"]["done"] == 1
    # A change of equipment reaches progression too; a stale copy changes nothing.
    kettle = sled.model_dump(exclude={"event_id"}) | {"equipment": "kettlebell", "version": 2}
    deliver(
        ExerciseChanged(**kettle),
        ExerciseChanged(**(kettle | {"version": 1, "equipment": "dumbbell"})),
    )
    sled_now = _targets(client, headers, member, "sled-push", MON)["exercises"]["sled-push"]
    assert Decimal(sled_now["target_load_kg"]) in {
        Decimal(k) for k in (8, 12, 16, 20, 24, 28, 32, 36, 40, 48)
    }


def test_the_trainer_reads_each_decision(client, headers, member, deliver) -> None:
    deliver(*member.workout(MON, *[("barbell-row", "80", 12)] * 3))
    deliver(*member.workout(MON + timedelta(days=2), *[("barbell-row", "82.5", 4)] * 3))
    body = client.get(f"/internal/v1/members/{member.member_id}/progress", headers=headers()).json()
    decisions = body["exercises"]["barbell-row"]["decisions"]
    assert [(d["date"], d["rule"], d["load_kg"], d["reps"]) for d in decisions] == [
        ("2026-01-05", "up", "82.5", 6),
        ("2026-01-07", "hold", "82.5", 6),
    ]


def test_a_stall_deloads_and_tells_the_trainer(client, headers, member, deliver, runtime) -> None:
    for i in range(4):
        deliver(*member.workout(MON + timedelta(days=2 * i), *[("barbell-row", "80", 8)] * 3))
    assert _outbox_types(runtime).count("StallDetected") == 1
    row = _targets(client, headers, member, "barbell-row", MON + timedelta(days=8))
    assert row["exercises"]["barbell-row"]["target_load_kg"] == "72.5"
    attention = client.get(
        f"/internal/v1/gyms/{member.gym_id}/attention",
        params={"local_date": (MON + timedelta(days=8)).isoformat()},
        headers=headers(),
    ).json()
    assert attention["members"][0]["stalled"] == ["barbell-row"]


def test_weeks_on_protocol_reach_milestones(client, headers, member, deliver, runtime) -> None:
    week = [
        ("barbell-back-squat", "deadlift", "bench-press", "barbell-row"),
        ("barbell-back-squat", "bench-press", "barbell-row"),
    ]
    for w in range(4):
        for d, exercises in enumerate(week):
            day = MON + timedelta(weeks=w, days=2 * d)
            deliver(*member.workout(day, *[(ex, "60", 8) for ex in exercises]))
    body = client.get(f"/internal/v1/members/{member.member_id}/progress", headers=headers()).json()
    reached = [(m["milestone"], m["reached_on"]) for m in body["milestones"]]
    assert reached == [
        ("first_session", "2026-01-05"),
        ("first_protocol_week", "2026-01-07"),
        ("initial_adaptation", "2026-01-28"),
    ]
    assert [w["on_protocol"] for w in body["weeks"]] == [True] * 4
    assert body["weeks"][0]["week"] == "2026-W02"
    assert body["streaks"]["longest"] == 4
    assert _outbox_types(runtime).count("MilestoneReached") == 3


def test_the_routes_refuse_what_they_cannot_answer(client, headers, member, deliver) -> None:
    deliver(member.log("deadlift", "100", 8, MON))
    too_many = ",".join(f"exercise-{i}" for i in range(51))
    url = f"/internal/v1/members/{member.member_id}"
    response = client.get(f"{url}/targets", params={"exercises": too_many}, headers=headers())
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "exercises"
    other_chain = headers(chain_id=uuid.uuid4())
    assert client.get(f"{url}/progress", headers=other_chain).status_code == 404
    bad_date = client.get(f"{url}/targets", params={"local_date": "soon"}, headers=headers())
    assert bad_date.status_code == 422
    assert bad_date.headers["content-type"] == "application/problem+json"


def test_twelve_weeks_after_the_first_session_the_strength_check(
    client, headers, member, deliver
) -> None:
    deliver(*member.workout(MON, ("barbell-back-squat", "100", 10), ("goblet-squat", "24", 10)))
    later = MON + timedelta(weeks=12)
    deliver(*member.workout(later, ("barbell-back-squat", "110", 10), ("goblet-squat", "28", 10)))
    body = client.get(f"/internal/v1/members/{member.member_id}/progress", headers=headers()).json()
    check = next(m for m in body["milestones"] if m["milestone"] == "strength_check")
    assert check["reached_on"] == later.isoformat()
    assert check["detail"]["squat"] == {
        "exercise": "barbell-back-squat",
        "baseline_e1rm_kg": "133.33",
        "current_e1rm_kg": "146.67",
        "change_kg": "13.34",
        "change_pct": "10.0",
    }


def test_program_events_wait_for_their_turn(member, deliver, plan, runtime) -> None:
    first = member.assign(plan("deadlift", "hinge", "barbell", "2.5"))
    ended = member.end(first)
    with pytest.raises(RetryLater):
        deliver(ended)
    deliver(first, ended)
    with runtime.sessions() as session:
        assignment = session.get(repo.Assignment, first.assignment_id)
        assert assignment is not None and assignment.ended


def test_a_late_assignment_refolds_the_days_it_covers(
    client, headers, member, deliver, plan
) -> None:
    deliver(*member.workout(MON, *[("barbell-back-squat", "60", 10)] * 3))
    before = _targets(client, headers, member, "barbell-back-squat", MON)
    assert before["exercises"]["barbell-back-squat"]["target_load_kg"] == "60"
    deliver(
        member.assign(
            plan("barbell-back-squat", "squat", "barbell", "2.5", rep_min=8, rep_max=10),
            plan("barbell-back-squat", "squat", "barbell", "2.5", rep_min=6, rep_max=8),
            start=MON,
        )
    )
    squat = _targets(client, headers, member, "barbell-back-squat", MON)["exercises"][
        "barbell-back-squat"
    ]
    assert (squat["target_load_kg"], squat["target_reps"], squat["rep_min"]) == ("62.5", 8, 8)
