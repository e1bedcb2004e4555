"""The logging service's reads on the in-memory repository: access, days, pages, export."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest

from logging_service import handlers, queries
from logging_service.api import page_request
from logging_service.domain.changes import Correction
from logging_service.domain.pagination import PageRequest, decode_cursor
from logging_service.domain.sets import SetEntry
from myokine.problems import Forbidden, InvalidInput, NotFound

from .conftest import NOW, Member, Uow, log, set_id_of


def test_a_member_reads_only_their_own_logs_staff_any(uow: Uow, member: Member) -> None:
    someone = uuid.uuid4()
    with pytest.raises(Forbidden):
        queries.export(uow, member.caller(), someone, now=NOW)
    assert queries.export(uow, member.caller("trainer"), someone, now=NOW).sets == []


def test_the_sets_of_today_at_the_gym_by_default(uow: Uow, member: Member) -> None:
    # 23:30 UTC on 30 November is already 1 December in Berlin.
    late = NOW.replace(day=30, month=11, hour=23, minute=30)
    log(uow, member, SetEntry("bench-press", Decimal(100), "kg", 8, performed_at=late))
    log(uow, member, SetEntry("bench-press", Decimal(100), "kg", 8, performed_at=late), now=late)
    today = queries.sets_of_day(uow, member.caller(), member.member_id, None, now=NOW)
    assert [s.local_date for s in today] == [date(2026, 12, 1)] * 2
    other_day = queries.sets_of_day(
        uow, member.caller(), member.member_id, date(2026, 11, 30), now=NOW
    )
    assert other_day == []


def test_a_set_comes_with_its_audit_trail(uow: Uow, member: Member) -> None:
    set_id = set_id_of(log(uow, member))
    handlers.correct_set(
        uow, member.caller(), member.member_id, set_id, Correction(reps=9), None, None, now=NOW
    )
    detail = queries.set_detail(uow, member.caller(), member.member_id, set_id)
    assert (detail.reps, [c.action for c in detail.changes]) == (9, ["corrected"])
    with pytest.raises(NotFound):
        queries.set_detail(uow, member.caller(), member.member_id, uuid.uuid4())


def test_the_history_pages_newest_first_without_gaps(uow: Uow, member: Member) -> None:
    logged = [
        set_id_of(log(uow, member, SetEntry("bench-press", Decimal(100), "kg", 8, performed_at=at)))
        for at in (NOW - timedelta(minutes=m) for m in (5, 4, 3, 2, 1))
    ]
    seen, cursor = [], None
    while True:
        page = queries.history(
            uow,
            member.caller(),
            member.member_id,
            PageRequest(cursor=decode_cursor(cursor) if cursor else None, limit=2),
            include_voided=False,
        )
        seen += [s.id for s in page.items]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == logged[::-1]


def test_the_audit_history_shows_voided_sets_with_their_trails(uow: Uow, member: Member) -> None:
    kept = set_id_of(log(uow, member))
    voided = set_id_of(log(uow, member))
    handlers.correct_set(
        uow, member.caller(), member.member_id, kept, Correction(reps=9), "typo", None, now=NOW
    )
    handlers.void_set(uow, member.caller(), member.member_id, voided, "not done", None, now=NOW)
    page = queries.audit_history(uow, member.caller("trainer"), member.member_id, PageRequest())
    trails = {s.id: [(c.action, c.reason) for c in s.changes] for s in page.items}
    assert trails == {kept: [("corrected", "typo")], voided: [("voided", "not done")]}
    with pytest.raises(Forbidden):
        queries.audit_history(uow, member.caller(), uuid.uuid4(), PageRequest())


@pytest.mark.parametrize(
    ("cursor", "limit", "reversed_dates", "field"),
    [("not-a-cursor", 10, False, "cursor"), (None, 0, False, "limit"), (None, 10, True, "from")],
)
def test_a_bad_page_request_names_its_field(
    cursor: str | None, limit: int, reversed_dates: bool, field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        page_request(
            cursor=cursor,
            limit=limit,
            exercise=None,
            date_from=NOW.date() if reversed_dates else None,
            date_to=NOW.date() - timedelta(days=1) if reversed_dates else None,
        )
    assert [e["field"] for e in refused.value.errors or []] == [field]


def test_sessions_come_with_their_counting_sets(uow: Uow, member: Member) -> None:
    log(uow, member)
    voided = set_id_of(log(uow, member))
    handlers.void_set(uow, member.caller(), member.member_id, voided, None, None, now=NOW)
    page = queries.sessions_history(
        uow, member.caller(), member.member_id, PageRequest(exercise="bench-press")
    )
    [session] = page.items
    assert (session.set_count, page.next_cursor) == (1, None)


def test_the_export_holds_every_set_voided_ones_too(uow: Uow, member: Member) -> None:
    log(uow, member)
    voided = set_id_of(log(uow, member))
    handlers.void_set(uow, member.caller(), member.member_id, voided, None, None, now=NOW)
    export = queries.export(uow, member.caller(), member.member_id, now=NOW)
    assert (len(export.sessions), len(export.sets), export.exported_at) == (1, 2, NOW)
    lines = export.as_csv().splitlines()
    assert lines[0].startswith("id,session_id,member_id,exercise,load,")
    assert len(lines) == 3
