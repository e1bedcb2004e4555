"""The progression service's reads: targets for today, a member's progress, a gym's
members who need attention. Each reads in one session and changes nothing."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from myokine.internal_auth import Caller, require_staff
from myokine.problems import Forbidden, NotFound
from progression_service import repository as repo
from progression_service.domain.access import may_read_member
from progression_service.domain.adherence import (
    on_protocol,
    streaks,
    week_label,
    week_patterns,
    week_start,
)
from progression_service.domain.plan import equipment_unit, plan_on
from progression_service.domain.targets import next_target, target_on
from progression_service.runtime import runtime
from progression_service.schemas import (
    AttentionMember,
    AttentionOut,
    ExerciseProgressOut,
    MilestoneOut,
    NextOut,
    PatternWeekOut,
    ProgressOut,
    RecordOut,
    SeriesPoint,
    StreaksOut,
    TargetOut,
    TargetsOut,
    WeekOut,
)


def _require_reader(session: Session, caller: Caller, member_id: uuid.UUID) -> None:
    if not may_read_member(role=caller.role, sub=caller.sub, member_id=member_id):
        raise Forbidden("This caller may not read this member's progress.")
    member = session.get(repo.Member, member_id)
    if member is not None and member.chain_id != caller.chain_id:
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


def _week_days(session: Session, member_id: uuid.UUID, day: date) -> dict[str, int]:
    week = session.get(repo.Week, (member_id, week_start(day)))
    return dict(week.days) if week else {}


def member_targets(
    caller: Caller, member_id: uuid.UUID, exercises: list[str], day: date | None
) -> TargetsOut:
    """Today's targets for `exercises` and the member's week so far."""
    today = day or gym_today(caller)
    with runtime.sessions() as session:
        _require_reader(session, caller, member_id)
        rows = {
            r.exercise: r
            for r in session.execute(
                select(repo.ExerciseStateRow).where(
                    repo.ExerciseStateRow.member_id == member_id,
                    repo.ExerciseStateRow.chain_id == caller.chain_id,
                    repo.ExerciseStateRow.exercise.in_(exercises),
                )
            ).scalars()
        }
        dated = repo.plans_by_exercise(session, member_id)
        result = {}
        for exercise in exercises:
            row = rows.get(exercise)
            state = repo.load_state(row.state if row else None)
            plan = plan_on(today, exercise, dated.get(exercise, []))
            plan = plan.in_unit(equipment_unit(row.unit if row else None))
            t = target_on(state.progression, plan, today)
            result[exercise] = TargetOut(
                target_load_kg=t.load_kg,
                target_reps=t.reps,
                sets=t.sets,
                rep_min=t.rep_min,
                rep_max=t.rep_max,
                calibrate=t.calibrate,
                days_since_last=t.days_since_last,
            )
        return TargetsOut(exercises=result, week=_week_out(_week_days(session, member_id, today)))


def member_progress(caller: Caller, member_id: uuid.UUID) -> ProgressOut:
    """A member's e1RM series, records, targets, weeks on protocol and milestones."""
    today = gym_today(caller)
    with runtime.sessions() as session:
        _require_reader(session, caller, member_id)
        states = session.execute(
            select(repo.ExerciseStateRow)
            .where(
                repo.ExerciseStateRow.member_id == member_id,
                repo.ExerciseStateRow.chain_id == caller.chain_id,
            )
            .order_by(repo.ExerciseStateRow.exercise)
        ).scalars()
        series: dict[str, list[SeriesPoint]] = defaultdict(list)
        for exercise, day, best in session.execute(
            select(repo.Exposure.exercise, repo.Exposure.local_date, repo.Exposure.best_e1rm_kg)
            .where(repo.Exposure.member_id == member_id, repo.Exposure.best_e1rm_kg.is_not(None))
            .order_by(repo.Exposure.local_date)
        ):
            series[exercise].append(SeriesPoint(date=day, e1rm_kg=best))
        records: dict[str, list[RecordOut]] = defaultdict(list)
        for r in session.execute(
            select(repo.RecordRow)
            .where(repo.RecordRow.member_id == member_id)
            .order_by(repo.RecordRow.local_date, repo.RecordRow.id)
        ).scalars():
            records[r.exercise].append(
                RecordOut(
                    kind=r.kind,
                    value=r.value,
                    set_id=r.set_id,
                    date=r.local_date,
                    load_kg=r.load_kg,
                    reps=r.reps,
                )
            )
        dated = repo.plans_by_exercise(session, member_id)
        exercises = {}
        for row in states:
            state = repo.load_state(row.state)
            p = state.progression
            plan = plan_on(today, row.exercise, dated.get(row.exercise, []))
            nxt = next_target(p, plan.in_unit(equipment_unit(row.unit)))
            exercises[row.exercise] = ExerciseProgressOut(
                working_load_kg=p.working_load_kg,
                next=NextOut(load_kg=nxt.load_kg, reps=nxt.reps, sets=nxt.sets),
                best_e1rm_kg=state.records.best_e1rm_kg,
                series=series.get(row.exercise, []),
                prs=records.get(row.exercise, []),
                stalled=p.stalled,
                calibrate=nxt.calibrate,
                last_trained=p.last_trained,
            )
        weeks = list(
            session.execute(
                select(repo.Week)
                .where(repo.Week.member_id == member_id)
                .order_by(repo.Week.week_start)
            ).scalars()
        )
        milestones = session.execute(
            select(repo.MilestoneRow)
            .where(repo.MilestoneRow.member_id == member_id)
            .order_by(repo.MilestoneRow.reached_on, repo.MilestoneRow.created_at)
        ).scalars()
        runs = streaks([w.week_start for w in weeks if w.on_protocol], today)
        return ProgressOut(
            exercises=exercises,
            weeks=[
                WeekOut(
                    week=week_label(w.week_start),
                    start=w.week_start,
                    patterns=_week_out(dict(w.days)),
                    on_protocol=w.on_protocol,
                )
                for w in weeks
            ],
            milestones=[
                MilestoneOut(milestone=m.milestone, reached_on=m.reached_on, detail=dict(m.detail))
                for m in milestones
            ],
            streaks=StreaksOut(current=runs.current, longest=runs.longest),
        )


def gym_attention(caller: Caller, gym_id: uuid.UUID, day: date | None) -> AttentionOut:
    """The gym's members (by where they last trained) who are stalled or off protocol."""
    require_staff(caller)
    today = day or gym_today(caller)
    monday = week_start(today)
    with runtime.sessions() as session:
        members = list(
            session.execute(
                select(repo.Member.member_id)
                .where(repo.Member.chain_id == caller.chain_id, repo.Member.gym_id == gym_id)
                .order_by(repo.Member.member_id)
            ).scalars()
        )
        stalled: dict[uuid.UUID, list[str]] = defaultdict(list)
        for member_id, exercise in session.execute(
            select(repo.ExerciseStateRow.member_id, repo.ExerciseStateRow.exercise)
            .where(
                repo.ExerciseStateRow.member_id.in_(members),
                repo.ExerciseStateRow.stalled.is_(True),
            )
            .order_by(repo.ExerciseStateRow.exercise)
        ):
            stalled[member_id].append(exercise)
        weeks = {
            w.member_id: dict(w.days)
            for w in session.execute(
                select(repo.Week).where(
                    repo.Week.member_id.in_(members), repo.Week.week_start == monday
                )
            ).scalars()
        }
        flagged = []
        for member_id in members:
            days = weeks.get(member_id, {})
            ok = on_protocol(days)
            if ok and not stalled[member_id]:
                continue
            flagged.append(
                AttentionMember(
                    member_id=member_id,
                    stalled=stalled[member_id],
                    week=_week_out(days),
                    on_protocol=ok,
                )
            )
        return AttentionOut(members=flagged)
