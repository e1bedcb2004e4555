"""Dead letters on real PostgreSQL: kept with their error, listed, replayed once."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from myokine.dead_letters import (
    DEAD_LETTERS,
    count_dead_letters,
    list_dead_letters,
    record_dead_letter,
    replay_dead_letters,
)


def body(n: int) -> dict[str, Any]:
    return {"event_id": str(uuid.uuid4()), "event_type": "SetLogged", "n": n}


def test_dead_letters_are_listed_oldest_first_with_their_error(db: Any) -> None:
    first, second = body(1), body(2)
    record_dead_letter(db.sessions, db.tables.dead_letters, "progression.SetLogged", first, "boom")
    record_dead_letter(
        db.sessions, db.tables.dead_letters, "progression.SetLogged", second, "x" * 9000
    )

    listed = list_dead_letters(db.sessions, db.tables.dead_letters)

    assert [row["body"]["n"] for row in listed] == [1, 2]
    assert listed[0]["error"] == "boom"
    assert listed[0]["event_id"] == uuid.UUID(first["event_id"])
    assert listed[0]["task_name"] == "progression.SetLogged"
    assert len(listed[1]["error"]) == 4000, "errors are kept, trimmed"


def test_a_message_without_an_event_id_is_still_kept(db: Any) -> None:
    record_dead_letter(db.sessions, db.tables.dead_letters, "program.Junk", {"x": 1}, "unreadable")

    [row] = list_dead_letters(db.sessions, db.tables.dead_letters)

    assert row["event_id"] == uuid.UUID(int=0)
    assert row["event_type"] == "?"
    assert row["body"] == {"x": 1}


def test_replay_sends_each_dead_letter_to_its_task_once(db: Any) -> None:
    for n in range(3):
        record_dead_letter(
            db.sessions, db.tables.dead_letters, "progression.SetLogged", body(n), "e"
        )
    sent: list[tuple[str, str, int]] = []

    def publish(task: str, queue: str, message: dict[str, Any]) -> None:
        sent.append((task, queue, message["n"]))

    first_id = list_dead_letters(db.sessions, db.tables.dead_letters)[0]["id"]
    assert replay_dead_letters(db.sessions, db.tables.dead_letters, publish, ids=[first_id]) == 1
    assert replay_dead_letters(db.sessions, db.tables.dead_letters, publish) == 2
    assert replay_dead_letters(db.sessions, db.tables.dead_letters, publish) == 0

    assert sent == [
        ("progression.SetLogged", "progression", 0),
        ("progression.SetLogged", "progression", 1),
        ("progression.SetLogged", "progression", 2),
    ]
    assert list_dead_letters(db.sessions, db.tables.dead_letters) == []


def test_a_failed_replay_leaves_the_dead_letters_for_next_time(db: Any) -> None:
    record_dead_letter(db.sessions, db.tables.dead_letters, "progression.SetLogged", body(1), "e")

    def broker_down(task: str, queue: str, message: dict[str, Any]) -> None:
        raise ConnectionError("broker down")

    with pytest.raises(ConnectionError):
        replay_dead_letters(db.sessions, db.tables.dead_letters, broker_down)

    assert len(list_dead_letters(db.sessions, db.tables.dead_letters)) == 1


def test_some_are_listed_counted_and_replayed_by_id_each_one_told(db: Any) -> None:
    for n in range(3):
        record_dead_letter(db.sessions, DEAD_LETTERS, "progression.SetLogged", body(n), "e")
    ids = [row["id"] for row in list_dead_letters(db.sessions, DEAD_LETTERS)]
    told: list[int] = []

    assert [r["id"] for r in list_dead_letters(db.sessions, DEAD_LETTERS, ids=ids[1:])] == ids[1:]
    assert count_dead_letters(db.sessions, DEAD_LETTERS, ids=ids[1:]) == 2
    replayed = replay_dead_letters(
        db.sessions,
        DEAD_LETTERS,
        lambda task, queue, message: None,
        ids=ids[1:],
        sent=lambda row: told.append(row["body"]["n"]),
    )

    assert (replayed, told) == (2, [1, 2])
    assert count_dead_letters(db.sessions, DEAD_LETTERS) == 1
    assert count_dead_letters(db.sessions, DEAD_LETTERS, ids=ids[1:]) == 0
