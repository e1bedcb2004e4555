"""Milestones follow corrections and voids: the state is the one a member who logged the
set right the first time would have (issue 5), and rebuilding leaves it too."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import delete, select

from myokine.service_runtime import ServiceRuntime
from progression_service import handlers
from progression_service import repository as repo

MON = date(2026, 1, 5)
FULL = ("barbell-back-squat", "deadlift", "bench-press", "barbell-row")
REST = ("barbell-back-squat", "bench-press", "barbell-row")


def _progress(client: Any, headers: Any, member: Any) -> Any:
    """The member's progress, without set ids (two members never share them)."""
    url = f"/internal/v1/members/{member.member_id}/progress"
    body = client.get(url, headers=headers()).json()
    for exercise in body["exercises"].values():
        for record in exercise["prs"]:
            record.pop("set_id")
    return body


def _reached(body: Any) -> list[tuple[str, str]]:
    return [(m["milestone"], m["reached_on"]) for m in body["milestones"]]


def _announced(runtime: ServiceRuntime, member: Any) -> list[str]:
    with runtime.sessions() as session:
        outbox = runtime.tables.outbox
        rows = session.execute(
            select(outbox.c.body).where(outbox.c.event_type == "MilestoneReached")
        ).scalars()
        return sorted(p["milestone"] for p in rows if p["member_id"] == str(member.member_id))


def _weeks(member: Any, deliver: Any, weeks: int, *, skip_hinge_in: int | None = None) -> Any:
    """`weeks` on-protocol weeks (full day Monday, rest Wednesday); the Monday deadlift
    of week `skip_hinge_in` left out. Returns the last deadlift logged."""
    hinge = None
    for w in range(weeks):
        monday = MON + timedelta(weeks=w)
        first = FULL if w != skip_hinge_in else REST
        logged = [member.log(ex, "60", 8, monday) for ex in first]
        hinge = next((e for e in logged if e.set.exercise == "deadlift"), hinge)
        deliver(*logged, member.finish(monday))
        deliver(*member.workout(monday + timedelta(days=2), *[(ex, "60", 8) for ex in REST]))
    return hinge


def test_voiding_the_only_hinge_set_of_the_fourth_week_undoes_the_adaptation(
    client, headers, new_member, deliver, runtime
) -> None:
    voided, never = new_member(), new_member()
    last_hinge = _weeks(voided, deliver, 4)
    before = _reached(_progress(client, headers, voided))
    assert ("initial_adaptation", "2026-01-28") in before

    deliver(voided.void(last_hinge))
    _weeks(never, deliver, 4, skip_hinge_in=3)

    after = _progress(client, headers, voided)
    assert after == _progress(client, headers, never)
    assert _reached(after) == [
        ("first_session", "2026-01-05"),
        ("first_protocol_week", "2026-01-07"),
    ]
    assert after["streaks"]["longest"] == 3
    # Announced once when reached; undone without a retraction event.
    assert _announced(runtime, voided).count("initial_adaptation") == 1
    assert "initial_adaptation" not in _announced(runtime, never)


def test_correcting_a_failed_hinge_set_reaches_the_week_as_if_logged_right(
    client, headers, new_member, deliver
) -> None:
    corrected, right = new_member(), new_member()
    deliver(*[corrected.log(ex, "60", 8, MON) for ex in REST])
    failed = corrected.log("deadlift", "60", 0, MON)
    deliver(failed, corrected.finish(MON))
    deliver(*corrected.workout(MON + timedelta(days=2), *[(ex, "60", 8) for ex in REST]))
    assert _reached(_progress(client, headers, corrected)) == [("first_session", "2026-01-05")]

    deliver(corrected.correct(failed, reps=8))
    deliver(*[right.log(ex, "60", 8, MON) for ex in REST], right.log("deadlift", "60", 8, MON))
    deliver(right.finish(MON))
    deliver(*right.workout(MON + timedelta(days=2), *[(ex, "60", 8) for ex in REST]))

    body = _progress(client, headers, corrected)
    assert body == _progress(client, headers, right)
    assert ("first_protocol_week", "2026-01-07") in _reached(body)


def test_voiding_the_first_session_moves_the_first_session_and_the_strength_check(
    client, headers, new_member, deliver
) -> None:
    voided, never = new_member(), new_member()
    day_two = MON + timedelta(days=2)
    first = voided.log("barbell-back-squat", "100", 10, MON)
    deliver(first, voided.finish(MON))
    for script in (voided, never):
        deliver(*script.workout(day_two, ("barbell-back-squat", "100", 8)))
        for day in (MON + timedelta(weeks=12), MON + timedelta(weeks=12, days=2)):
            deliver(*script.workout(day, ("barbell-back-squat", "110", 10)))
    assert ("strength_check", "2026-03-30") in _reached(_progress(client, headers, voided))

    deliver(voided.void(first))
    body = _progress(client, headers, voided)
    assert body == _progress(client, headers, never)
    assert _reached(body) == [("first_session", "2026-01-07"), ("strength_check", "2026-04-01")]


def test_a_set_that_takes_a_week_above_range_takes_its_milestone_away(
    client, headers, member, deliver
) -> None:
    _weeks(member, deliver, 1)
    assert ("first_protocol_week", "2026-01-07") in _reached(_progress(client, headers, member))
    deliver(*member.workout(MON + timedelta(days=4), ("deadlift", "60", 8)))
    deliver(*member.workout(MON + timedelta(days=5), ("deadlift", "60", 8)))
    body = _progress(client, headers, member)
    assert _reached(body) == [("first_session", "2026-01-05")]
    assert body["weeks"][0]["patterns"]["hinge"]["status"] == "above"


def test_rebuilding_restores_the_milestones_from_the_facts(
    client, headers, member, deliver, deps, runtime
) -> None:
    last_hinge = _weeks(member, deliver, 5)
    deliver(member.void(last_hinge))
    expected = _progress(client, headers, member)
    assert ("initial_adaptation", "2026-01-28") in _reached(expected)
    with runtime.sessions.begin() as session:
        session.execute(delete(repo.MilestoneRow))
    handlers.rebuild_member(deps.unit_of_work(), member.chain_id, member.member_id)
    assert _progress(client, headers, member) == expected
