"""`myokine dead-letters`: every service's dead letters listed and replayed from one process.

Each test has databases of its own for the four services (named from a prefix of its own,
as the settings find them), each holding the `dead_letters` table every service has, and a
Redis of its own, so a replayed task lands in a queue no worker of another run empties.
"""

from __future__ import annotations

import base64
import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from devstack.embedded import EmbeddedRedis
from devstack.testing import own_redis
from gateway_service import cli
from gateway_service.cli import SERVICES, app
from myokine.db import drop_database, ensure_database, make_engine, make_session_factory
from myokine.dead_letters import DEAD_LETTERS, list_dead_letters, record_dead_letter
from myokine.settings import settings_of

runner = CliRunner()


@pytest.fixture
def databases(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, sessionmaker[Session]]]:
    """Each service's database, found from DB_PREFIX as the CLI finds it."""
    monkeypatch.setenv("DB_PREFIX", f"{os.environ['DB_PREFIX']}dl{uuid.uuid4().hex[:6]}_")
    urls = {name: settings_of(name).sqlalchemy_url for name in SERVICES}
    engines = {}
    try:
        for name, url in urls.items():
            ensure_database(url)
            engines[name] = make_engine(url)
            DEAD_LETTERS.create(engines[name])
        yield {name: make_session_factory(engine) for name, engine in engines.items()}
    finally:
        for engine in engines.values():
            engine.dispose()
        for url in urls.values():
            drop_database(url)


@pytest.fixture
def broker(scratch_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[EmbeddedRedis]:
    """A Redis of this test's own, as REDIS_URL."""
    with own_redis(scratch_dir) as server:
        monkeypatch.setenv("REDIS_URL", server.url)
        yield server


@pytest.fixture(autouse=True)
def _one_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """No service's own command is started: the CLI does it all itself."""

    def refused(*args: Any, **kwargs: Any) -> None:
        raise AssertionError(f"a service's own command was started: {args}")

    monkeypatch.setattr(cli, "_run_each", refused)


def dead_letter(sessions: sessionmaker[Session], task: str) -> dict[str, Any]:
    """A real dead letter, as a consumer that gave up on an event records it."""
    body = {"event_id": str(uuid.uuid4()), "event_type": task.split(".")[1], "chain_id": "c"}
    record_dead_letter(sessions, DEAD_LETTERS, task, body, "KeyError('member_id')\nmore")
    return body


def queued(server: EmbeddedRedis, queue: str) -> list[tuple[str, dict[str, Any]]]:
    """The tasks waiting in a queue, in the order a worker takes them (Celery pushes on
    the left and takes from the right): each one's task name and its one argument."""
    client = redis.Redis.from_url(server.url)
    try:
        messages = [json.loads(raw) for raw in reversed(client.lrange(queue, 0, -1))]
    finally:
        client.close()
    tasks = []
    for message in messages:
        (args, _, _) = json.loads(base64.b64decode(message["body"]))
        tasks.append((message["headers"]["task"], args[0]))
    return tasks


def test_every_services_dead_letters_are_listed_as_json_and_as_a_table(
    databases: dict[str, sessionmaker[Session]],
) -> None:
    logged = dead_letter(databases["progression"], "progression.SetLogged.v1")
    dead_letter(databases["progression"], "progression.SessionFinished.v1")
    finished = dead_letter(databases["program"], "program.SessionFinished.v1")

    listed = runner.invoke(app, ["dead-letters", "--json"])

    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.stdout)
    assert [(r["service"], r["id"], r["task_name"]) for r in rows] == [
        ("program", 1, "program.SessionFinished.v1"),
        ("progression", 1, "progression.SetLogged.v1"),
        ("progression", 2, "progression.SessionFinished.v1"),
    ]
    assert rows[0]["body"] == finished and rows[1]["body"] == logged
    assert rows[1]["error"] == "KeyError('member_id')\nmore"
    assert rows[1]["event_id"] == logged["event_id"] and rows[1]["replayed_at"] is None

    only = runner.invoke(app, ["dead-letters", "--service", "progression", "--id", "2", "--json"])
    assert [(r["service"], r["id"]) for r in json.loads(only.stdout)] == [("progression", 2)]

    table = runner.invoke(app, ["dead-letters"])
    assert table.exit_code == 0, table.output
    assert "SessionFinished" in table.stdout and "KeyError(" in table.stdout
    assert "more" not in table.stdout, "an error's first line only"


def test_no_dead_letters_says_so(databases: dict[str, sessionmaker[Session]]) -> None:
    assert runner.invoke(app, ["dead-letters"]).stdout == "no dead letters\n"
    assert json.loads(runner.invoke(app, ["dead-letters", "--json"]).stdout) == []


def test_a_replay_sends_each_dead_letter_to_its_task_again_and_marks_it(
    databases: dict[str, sessionmaker[Session]], broker: EmbeddedRedis
) -> None:
    logged = dead_letter(databases["progression"], "progression.SetLogged.v1")
    finished = dead_letter(databases["program"], "program.SessionFinished.v1")
    kept = dead_letter(databases["program"], "program.SessionFinished.v1")

    one = runner.invoke(app, ["dead-letters", "--replay", "--service", "program", "--id", "1"])
    assert one.exit_code == 0, one.output
    assert one.stdout.splitlines() == ["replayed: 1", "services:", "  program: 1"]
    assert queued(broker, "program") == [("program.SessionFinished.v1", finished)]

    rest = runner.invoke(app, ["dead-letters", "--replay", "--json"])
    assert rest.exit_code == 0, rest.output
    assert json.loads(rest.stdout) == {
        "replayed": 2,
        "services": {"gateway": 0, "program": 1, "logging": 0, "progression": 1},
    }
    assert queued(broker, "progression") == [("progression.SetLogged.v1", logged)]
    assert queued(broker, "program") == [
        ("program.SessionFinished.v1", finished),
        ("program.SessionFinished.v1", kept),
    ]
    assert all(list_dead_letters(sessions, DEAD_LETTERS) == [] for sessions in databases.values())

    again = runner.invoke(app, ["dead-letters", "--replay", "--json"])
    assert json.loads(again.stdout)["replayed"] == 0, "a replayed letter is sent once"


def test_a_replay_with_the_broker_down_keeps_the_dead_letters(
    databases: dict[str, sessionmaker[Session]], monkeypatch: pytest.MonkeyPatch
) -> None:
    dead_letter(databases["progression"], "progression.SetLogged.v1")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:9/0")

    failed = runner.invoke(app, ["dead-letters", "--replay", "--json"])

    assert failed.exit_code == 1
    assert "error: progression:" in failed.stderr
    assert json.loads(failed.stdout)["services"] == {"gateway": 0, "program": 0, "logging": 0}
    assert len(list_dead_letters(databases["progression"], DEAD_LETTERS)) == 1


def test_a_service_database_that_does_not_answer_is_named_and_the_others_are_listed(
    databases: dict[str, sessionmaker[Session]], monkeypatch: pytest.MonkeyPatch
) -> None:
    dead_letter(databases["progression"], "progression.SetLogged.v1")
    elsewhere = settings_of("logging").sqlalchemy_url.rsplit("/", 1)[0] + "/no_such_database"
    monkeypatch.setenv("LOGGING_DATABASE_URL", elsewhere)

    listed = runner.invoke(app, ["dead-letters", "--json"])

    assert listed.exit_code == 1
    assert "error: logging:" in listed.stderr and "no_such_database" in listed.stderr
    assert [row["service"] for row in json.loads(listed.stdout)] == ["progression"]
