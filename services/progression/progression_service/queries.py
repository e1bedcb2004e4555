"""The progression service's reads: targets for today, a member's progress, a gym's
members who need attention. Each reads in one unit of work and changes nothing."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from myokine.internal_auth import Caller, require_staff
from myokine.problems import Forbidden, NotFound
from progression_service.domain.access import may_read_member
from progression_service.domain.adherence import (
    on_protocol,
    streaks,
    week_label,
    week_patterns,
    week_start,
)
from progression_service.domain.exercise import ExerciseState
from progression_service.domain.plan import gym_equipment, needs_catalog, plan_on
from progression_service.domain.targets import Target, next_target, roam_to, target_on
from progression_service.schemas import (
    AttentionMember,
    AttentionOut,
    DecisionOut,
    ExerciseProgressOut,
    MilestoneOut,
    NextOut,
    PatternWeekOut,
    ProgressOut,
    RecentRecord,
    RecordOut,
    SeriesPoint,
    StallOut,
    StreaksOut,
    TargetOut,
    TargetsOut,
    WeekOut,
)

if TYPE_CHECKING:
    from myokine.unit_of_work import UnitOfWork
    from progression_service.repository import ProgressionRepository


def _require_reader(repo: ProgressionRepository, caller: Caller, member_id: uuid.UUID) -> None:
    if not may_read_member(role=caller.role, sub=caller.sub, member_id=member_id):
        raise Forbidden("This caller may not read this member's progress.")
    chain_id = repo.member_chain(member_id)
    if chain_id is not None and chain_id != caller.chain_id:
        raise NotFound("No such member in this chain.")


def gym_today(caller: Caller) -> date:
    """Today in the caller's gym (UTC when the token names no gym time zone)."""
    try:
        zone = ZoneInfo(caller.gym_timezone) if caller.gym_timezone else UTC
    except (ZoneInfoNotFoundError, ValueError):
        zone = UTC
    return datetime.now(zone).date()


def _week_out(days: dict[str, int]) -> dict[str, PatternWeekOut]:
    return {
        pattern: PatternWeekOut(done=w.done, min=w.min, max=w.max, status=w.status)
        for pattern, w in week_patterns(days).items()
    }


def member_targets(
    uow: UnitOfWork[ProgressionRepository],
    caller: Caller,
    member_id: uuid.UUID,
    exercises: list[str],
    day: date | None,
) -> TargetsOut:
    """Today's targets for `exercises` at the caller's gym, and the member's week so far.

    A target is made of the loads of the gym of the member's last exposure; at another gym
    it becomes that gym's nearest load (`roam`), and the member's standing is untouched.
    """
    today = day or gym_today(caller)
    here = caller.gym_id
    with uow:
        _require_reader(uow.repo, caller, member_id)
        standings = uow.repo.standings(member_id, caller.chain_id, exercises)
        dated = uow.repo.plans_by_exercise(member_id)
        gyms = {s.gym_id for s in standings.values()} | {here}
        gear = uow.repo.inventories({g for g in gyms if g is not None})
        result = {}
        for exercise in exercises:
            standing = standings.get(exercise)
            state = standing.state if standing else ExerciseState()
            plans = dated.get(exercise, [])
            own = (
                uow.repo.own_exercise(caller.chain_id, exercise)
                if needs_catalog(exercise, plans)
                else None
            )
            plan = plan_on(today, exercise, plans, own)
            made_at = standing.gym_id if standing and standing.gym_id else here
            t = target_on(state.progression, plan.at(gym_equipment(gear, made_at)), today)
            if here is not None and made_at != here:
                t = roam_to(t, plan.at(gym_equipment(gear, here)))
            result[exercise] = TargetOut(
                target_load_kg=t.load_kg,
                target_reps=t.reps,
                sets=t.sets,
                rep_min=t.rep_min,
                rep_max=t.rep_max,
                calibrate=t.calibrate,
                days_since_last=t.days_since_last,
                rule=t.rule.value,
                previous_load_kg=t.previous_load_kg,
                ceiling=t.ceiling,
                intended_load_kg=t.intended_load_kg,
            )
        week = uow.repo.week_days(member_id, week_start(today))
        return TargetsOut(exercises=result, week=_week_out(week))


def member_progress(
    uow: UnitOfWork[ProgressionRepository], caller: Caller, member_id: uuid.UUID
) -> ProgressOut:
    """A member's e1RM series, records, targets, weeks on protocol and milestones."""
    today = gym_today(caller)
    with uow:
        _require_reader(uow.repo, caller, member_id)
        standings = uow.repo.standings(member_id, caller.chain_id)
        series = uow.repo.e1rm_series(member_id)
        records = uow.repo.records(member_id)
        dated = uow.repo.plans_by_exercise(member_id)
        decisions = uow.repo.decisions(member_id)
        gear = uow.repo.inventories({s.gym_id for s in standings.values() if s.gym_id})
        exercises = {}
        for exercise, standing in standings.items():
            p = standing.state.progression
            plans = dated.get(exercise, [])
            own = (
                uow.repo.own_exercise(caller.chain_id, exercise)
                if needs_catalog(exercise, plans)
                else None
            )
            plan = plan_on(today, exercise, plans, own)
            nxt = next_target(p, plan.at(gym_equipment(gear, standing.gym_id)))
            exercises[exercise] = ExerciseProgressOut(
                working_load_kg=p.working_load_kg,
                next=_next_out(nxt, NextOut),
                decisions=[
                    _next_out(t, DecisionOut, date=day) for day, t in decisions.get(exercise, [])
                ],
                best_e1rm_kg=standing.state.records.best_e1rm_kg,
                series=[SeriesPoint(date=d, e1rm_kg=best) for d, best in series.get(exercise, [])],
                prs=[
                    RecordOut(
                        kind=r.kind.value,
                        value=r.value,
                        set_id=r.set_id,
                        date=r.day,
                        load_kg=r.load_kg,
                        reps=r.reps,
                    )
                    for r in records.get(exercise, [])
                ],
                stalled=p.stalled,
                calibrate=nxt.calibrate,
                last_trained=p.last_trained,
            )
        weeks = uow.repo.weeks(member_id)
        milestones = uow.repo.milestones(member_id)
        runs = streaks([w.start for w in weeks if w.on_protocol], today)
        return ProgressOut(
            exercises=exercises,
            weeks=[
                WeekOut(
                    week=week_label(w.start),
                    start=w.start,
                    patterns=_week_out(w.days),
                    on_protocol=w.on_protocol,
                )
                for w in weeks
            ],
            milestones=[
                MilestoneOut(milestone=m.value, reached_on=reached.on, detail=dict(reached.detail))
                for m, reached in milestones.items()
            ],
            streaks=StreaksOut(current=runs.current, longest=runs.longest),
        )


Out = TypeVar("Out", bound=NextOut)


def _next_out(target: Target, out: type[Out], **extra: object) -> Out:
    return out.model_validate(
        {
            "load_kg": target.load_kg,
            "reps": target.reps,
            "sets": target.sets,
            "rule": target.rule.value,
            "previous_load_kg": target.previous_load_kg,
            "ceiling": target.ceiling,
            **extra,
        }
    )


ATTENTION_DAYS = timedelta(days=14)
"""How far back the days trained go: the gateway counts missed sessions in this window."""
RECORDS_TO_CELEBRATE = timedelta(days=7)


def gym_attention(
    uow: UnitOfWork[ProgressionRepository], caller: Caller, gym_id: uuid.UUID, day: date | None
) -> AttentionOut:
    """Every member of the gym (by where they last trained) with their stalls and since
    when, this week's patterns, the days trained in the last two weeks and the records of
    the last week: the gateway decides who needs a trainer and how urgently."""
    require_staff(caller)
    today = day or gym_today(caller)
    with uow:
        members = uow.repo.gym_members(caller.chain_id, gym_id)
        stalled = uow.repo.stalled_exercises(members)
        since = uow.repo.stall_dates(members)
        weeks = uow.repo.weeks_of(members, week_start(today))
        trained = uow.repo.trained_days(members, today - ATTENTION_DAYS)
        records = uow.repo.records_since(members, today - RECORDS_TO_CELEBRATE)
        return AttentionOut(
            members=[
                AttentionMember(
                    member_id=member_id,
                    stalled=stalled.get(member_id, []),
                    stalls=[
                        StallOut(exercise=e, since=since.get((member_id, e)))
                        for e in stalled.get(member_id, [])
                    ],
                    week=_week_out(weeks.get(member_id, {})),
                    on_protocol=on_protocol(weeks.get(member_id, {})),
                    trained_days=sorted(trained.get(member_id, set())),
                    records=[
                        RecentRecord(exercise=e, kind=k, date=d)
                        for e, k, d in records.get(member_id, [])
                    ],
                )
                for member_id in members
            ]
        )
