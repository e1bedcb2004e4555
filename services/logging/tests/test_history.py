"""History, cursor pagination, filters and export on PostgreSQL."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from .conftest import Headers, Member

EXERCISES = ("bench-press", "deadlift", "barbell-back-squat")


def log_days(client: TestClient, member: Member, headers: Headers) -> list[dict[str, Any]]:
    """Four training days (4, 3, 2 and 1 days ago, noon UTC), three sets each, oldest first."""
    noon = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
    logged = []
    for days_ago in (4, 3, 2, 1):
        for i, exercise in enumerate(EXERCISES):
            at = noon - timedelta(days=days_ago) + timedelta(minutes=5 * i)
            body = {
                "exercise": exercise,
                "load": 60 + days_ago,
                "unit": "kg",
                "reps": 8,
                "performed_at": at.isoformat(),
            }
            r = client.post(member.sets_path, json=body, headers=headers(key=f"{days_ago}-{i}"))
            assert r.status_code == 201, r.text
            logged.append(r.json())
    return logged


def walk(client: TestClient, path: str, headers: dict[str, str], **params: Any) -> list[Any]:
    """Every item of a paginated list, following `next_cursor`."""
    items: list[Any] = []
    cursor = None
    while True:
        query = {**params, **({"cursor": cursor} if cursor else {})}
        r = client.get(path, params=query, headers=headers)
        assert r.status_code == 200, r.text
        items += r.json()["items"]
        cursor = r.json()["next_cursor"]
        if cursor is None:
            return items


def test_history_pages_newest_first_without_gaps_or_repeats(
    client: TestClient, member: Member, headers: Headers
) -> None:
    logged = log_days(client, member, headers)
    items = walk(client, member.path("history"), headers(), limit=5)
    assert [s["id"] for s in items] == [s["id"] for s in reversed(logged)]


def test_history_filters(client: TestClient, member: Member, headers: Headers) -> None:
    logged = log_days(client, member, headers)
    deadlifts = walk(client, member.path("history"), headers(), exercise="deadlift", limit=2)
    assert [s["exercise"] for s in deadlifts] == ["deadlift"] * 4
    days = sorted({s["local_date"] for s in logged})
    middle = walk(client, member.path("history"), headers(), **{"from": days[1], "to": days[2]})
    assert {s["local_date"] for s in middle} == {days[1], days[2]}
    assert len(middle) == 6


def test_voided_sets_are_left_out_unless_asked(
    client: TestClient, member: Member, headers: Headers
) -> None:
    logged = log_days(client, member, headers)
    client.delete(member.path(f"sets/{logged[-1]['id']}"), headers=headers())
    assert len(walk(client, member.path("history"), headers())) == 11
    everything = walk(client, member.path("history"), headers(), include_voided=True)
    assert len(everything) == 12


def test_sessions_history(client: TestClient, member: Member, headers: Headers) -> None:
    logged = log_days(client, member, headers)
    sessions = walk(client, member.path("sessions"), headers(), limit=3)
    assert len(sessions) == 4
    assert [s["local_date"] for s in sessions] == sorted(
        {s["local_date"] for s in logged}, reverse=True
    )
    # Each earlier day's session was finished when the next day's first set arrived.
    assert [s["finished_at"] is None for s in sessions] == [True, False, False, False]
    assert all(s["set_count"] == 3 for s in sessions)
    assert [x["exercise"] for x in sessions[-1]["sets"]] == list(EXERCISES)
    one_day = walk(
        client,
        member.path("sessions"),
        headers(),
        **{"from": logged[0]["local_date"], "to": logged[0]["local_date"]},
    )
    assert [s["id"] for s in one_day] == [logged[0]["session_id"]]


def test_bad_page_requests(client: TestClient, member: Member, headers: Headers) -> None:
    for params, field in (
        ({"cursor": "garbage"}, "cursor"),
        ({"limit": 0}, "limit"),
        ({"limit": 201}, "limit"),
        ({"from": "2026-03-05", "to": "2026-03-01"}, "from"),
    ):
        r = client.get(member.path("history"), params=params, headers=headers())
        assert r.status_code == 422
        assert [e["field"] for e in r.json()["errors"]] == [field]


def test_reads_are_for_the_member_and_staff(
    client: TestClient, member: Member, headers: Headers
) -> None:
    stranger = headers(sub="00000000-0000-4000-8000-000000000001")
    for path in ("history", "sessions", "export"):
        assert client.get(member.path(path), headers=stranger).status_code == 403
        assert client.get(member.path(path), headers=headers("trainer")).status_code == 200


def test_export_json_and_csv(client: TestClient, member: Member, headers: Headers) -> None:
    logged = log_days(client, member, headers)
    client.delete(member.path(f"sets/{logged[0]['id']}"), headers=headers())
    as_json = client.get(member.path("export"), params={"format": "json"}, headers=headers())
    assert as_json.status_code == 200
    assert "attachment" in as_json.headers["content-disposition"]
    data = as_json.json()
    assert len(data["sessions"]) == 4
    assert [s["id"] for s in data["sets"]] == [s["id"] for s in logged]
    assert data["sets"][0]["voided_at"] is not None
    as_csv = client.get(member.path("export"), params={"format": "csv"}, headers=headers())
    assert as_csv.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert datetime.fromisoformat(rows[0]["performed_at"]).tzinfo is not None
    assert [r["id"] for r in rows] == [s["id"] for s in logged]
    assert rows[0]["voided_at"] != "" and rows[1]["voided_at"] == ""
    assert (rows[1]["exercise"], rows[1]["load_kg"], rows[1]["reps"]) == ("deadlift", "64", "8")
    bad = client.get(member.path("export"), params={"format": "xml"}, headers=headers())
    assert bad.status_code == 422
