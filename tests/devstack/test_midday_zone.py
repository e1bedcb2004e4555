"""`midday_zone`: the gym zone that keeps a test run away from the gym's midnight."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from devstack.testing import midday_zone


def test_it_is_midday_in_the_zone_at_every_hour_of_a_utc_day() -> None:
    start = datetime(2026, 12, 6, 0, 0, tzinfo=UTC)
    for minutes in range(0, 24 * 60, 20):
        now = start + timedelta(minutes=minutes)
        local = now.astimezone(ZoneInfo(midday_zone(now)))
        assert local.hour == 12, (now, midday_zone(now), local)


def test_the_zone_has_eleven_hours_before_its_midnight() -> None:
    now = datetime(2026, 12, 6, 23, 59, tzinfo=UTC)  # midnight in Europe/Berlin is past
    zone = ZoneInfo(midday_zone(now))
    assert (now + timedelta(hours=11)).astimezone(zone).date() == now.astimezone(zone).date()
