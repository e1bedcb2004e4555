"""Unit tests of the session, correction, access and cursor rules: pure values."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from logging_service.domain.access import may_access_member
from logging_service.domain.changes import Correction, apply_correction, may_change
from logging_service.domain.pagination import (
    Cursor,
    InvalidCursorError,
    decode_cursor,
    encode_cursor,
)
from logging_service.domain.sessions import OpenSession, continues, is_idle, local_date
from logging_service.domain.sets import InvalidSet, SetEntry

GYM = uuid.uuid4()
T0 = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)


def test_local_date_is_the_gyms_date() -> None:
    late = datetime(2026, 3, 2, 23, 30, tzinfo=UTC)
    assert local_date(late, ZoneInfo("Europe/Berlin")) == date(2026, 3, 3)
    assert local_date(late, ZoneInfo("America/New_York")) == date(2026, 3, 2)


def test_idle_after_three_hours() -> None:
    assert not is_idle(T0, T0 + timedelta(hours=2, minutes=59))
    assert is_idle(T0, T0 + timedelta(hours=3))


def test_a_set_continues_the_session_of_the_same_gym_and_day() -> None:
    s = OpenSession(GYM, date(2026, 3, 2), T0)
    assert continues(s, gym_id=GYM, day=date(2026, 3, 2), performed_at=T0 + timedelta(hours=1))
    assert not continues(s, gym_id=uuid.uuid4(), day=date(2026, 3, 2), performed_at=T0)
    assert not continues(s, gym_id=GYM, day=date(2026, 3, 3), performed_at=T0)
    assert not continues(s, gym_id=GYM, day=date(2026, 3, 2), performed_at=T0 + timedelta(hours=3))


def test_members_change_within_24_hours_staff_any_time() -> None:
    assert may_change(is_staff=False, logged_at=T0, now=T0 + timedelta(hours=24))
    assert not may_change(is_staff=False, logged_at=T0, now=T0 + timedelta(hours=24, seconds=1))
    assert may_change(is_staff=True, logged_at=T0, now=T0 + timedelta(days=400))


def test_access() -> None:
    m = uuid.uuid4()
    assert may_access_member(role="member", sub=str(m), member_id=m)
    assert not may_access_member(role="member", sub=str(uuid.uuid4()), member_id=m)
    assert not may_access_member(role="kiosk", sub=str(m), member_id=m)
    for staff in ("trainer", "chain_admin", "system"):
        assert may_access_member(role=staff, sub="anyone", member_id=m)


CURRENT = SetEntry("bench-press", Decimal("100"), "kg", 8, Decimal("8"), False, T0)


def test_a_correction_changes_only_what_it_names() -> None:
    fixed = apply_correction(CURRENT, Correction(reps=10))
    assert (fixed.reps, fixed.load, fixed.rpe) == (10, Decimal("100"), Decimal("8"))


def test_a_unit_alone_rereads_the_number() -> None:
    fixed = apply_correction(CURRENT, Correction(unit="lb"))
    assert (fixed.load, fixed.unit) == (Decimal("100"), "lb")


def test_rpe_can_be_cleared() -> None:
    assert apply_correction(CURRENT, Correction(clear_rpe=True)).rpe is None


def test_an_empty_correction_is_refused() -> None:
    with pytest.raises(InvalidSet):
        apply_correction(CURRENT, Correction())


def test_cursor_round_trip_and_garbage() -> None:
    c = Cursor(T0, uuid.uuid4())
    assert decode_cursor(encode_cursor(c)) == c
    for junk in ("", "abc", "!!!", encode_cursor(c)[:-3]):
        with pytest.raises(InvalidCursorError):
            decode_cursor(junk)
