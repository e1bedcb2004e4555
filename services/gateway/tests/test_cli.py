"""The operator CLI `myokine`: tenants and credentials, seeding the demo, service commands;
each command's text for a person and its one JSON document (`--json`)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from gateway_service import cli
from gateway_service.cli import app

runner = CliRunner()
MYOKINE = str(Path(sys.executable).parent / "myokine")


def _run(*args: str) -> dict[str, Any]:
    """A command's JSON document (`--json`): the only thing on standard output."""
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def _text(*args: str) -> str:
    """What a command prints for a person (no `--json`)."""
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def _tenant() -> dict[str, Any]:
    _run("create-chain", "CLI Gyms")
    _run(
        "create-gym",
        "--chain",
        "CLI Gyms",
        "--name",
        "North",
        "--timezone",
        "America/Chicago",
        "--unit",
        "lb",
    )
    kiosk = _run("create-kiosk", "--chain", "CLI Gyms", "--gym", "North", "--name", "door")
    trainer = _run(
        "create-trainer", "--chain", "CLI Gyms", "--email", "t@cli.example", "--name", "Tess"
    )
    member = _run(
        "create-member",
        "--chain",
        "CLI Gyms",
        "--gym",
        "North",
        "--name",
        "Max",
        "--badge",
        "77",
        "--pin",
        "2468",
    )
    return {"kiosk": kiosk, "trainer": trainer, "member": member}


def test_created_credentials_work_at_the_gateway(client) -> None:
    made = _tenant()
    assert made["member"]["unit"] == "lb"
    identified = client.post(
        "/v1/kiosk/identify",
        json={"badge": "77", "pin": "2468"},
        headers={"Authorization": f"Bearer {made['kiosk']['token']}"},
    )
    assert identified.status_code == 200, identified.text
    signed_in = client.post(
        "/v1/auth/token",
        data={"username": "t@cli.example", "password": made["trainer"]["password"]},
    )
    assert signed_in.status_code == 200


def test_a_chains_people_and_devices_are_listed_deactivated_and_revoked(client) -> None:
    made = _tenant()
    listed = runner.invoke(app, ["list", "members", "--chain", "CLI Gyms", "--json"])
    assert listed.exit_code == 0, listed.output
    (member,) = json.loads(listed.stdout)
    assert (member["badge"], member["active"]) == ("77", True)
    for what, shown in (
        ("gyms", "North"),
        ("kiosks", "door"),
        ("trainers", "Tess"),
        ("members", "Max"),
    ):
        table = runner.invoke(app, ["list", what, "--chain", "CLI Gyms"])
        assert table.exit_code == 0 and shown in table.stdout, table.output
    chains = json.loads(runner.invoke(app, ["list", "chains", "--json"]).stdout)
    assert "CLI Gyms" in [c["name"] for c in chains]

    gone = _run("deactivate-member", "--chain", "CLI Gyms", "--badge", "77")
    assert gone["active"] is False
    kiosk = made["kiosk"]
    revoked = _run("revoke-kiosk", "--chain", "CLI Gyms", "--kiosk-id", str(kiosk["id"]))
    assert revoked["revoked_at"] is not None
    refused = client.post(
        "/v1/kiosk/identify",
        json={"badge": "77", "pin": "2468"},
        headers={"Authorization": f"Bearer {kiosk['token']}"},
    )
    assert refused.status_code == 401
    unknown = runner.invoke(app, ["deactivate-member", "--chain", "CLI Gyms", "--badge", "nope"])
    assert unknown.exit_code == 1 and "nope" in unknown.output


def test_reset_pin_ends_the_wait_of_wrong_pins(client) -> None:
    made = _tenant()
    kiosk = {"Authorization": f"Bearer {made['kiosk']['token']}"}
    for _ in range(5):
        client.post("/v1/kiosk/identify", json={"badge": "77", "pin": "9138"}, headers=kiosk)
    waiting = client.post("/v1/kiosk/identify", json={"badge": "77", "pin": "2468"}, headers=kiosk)
    assert waiting.status_code == 429
    new_pin = _run("reset-pin", "--chain", "CLI Gyms", "--badge", "77")["pin"]
    again = client.post("/v1/kiosk/identify", json={"badge": "77", "pin": new_pin}, headers=kiosk)
    assert again.status_code == 200


def test_a_pin_easy_to_guess_is_refused_naming_the_field() -> None:
    _tenant()
    for command in (
        ["create-member", "--chain", "CLI Gyms", "--gym", "North", "--name", "W", "--badge", "78"],
        ["reset-pin", "--chain", "CLI Gyms", "--badge", "77"],
    ):
        refused = runner.invoke(app, [*command, "--pin", "1111"])
        assert refused.exit_code == 1
        assert "pin: too easy to guess" in refused.output


def test_refusals_exit_1_with_a_message() -> None:
    _run("create-chain", "Twice")
    result = runner.invoke(app, ["create-chain", "Twice"])
    assert result.exit_code == 1
    assert "exists already" in result.output
    bad_zone = runner.invoke(
        app, ["create-gym", "--chain", "Twice", "--name", "G", "--timezone", "Mars/Olympus"]
    )
    assert bad_zone.exit_code == 1
    assert "timezone" in bad_zone.output


def test_migrate_runs_each_services_own_command_and_answers_one_document() -> None:
    migrated = subprocess.run(
        [MYOKINE, "migrate", "--service", "gateway", "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert migrated.returncode == 0, migrated.stderr
    assert "-m gateway_service migrate" in migrated.stderr
    assert json.loads(migrated.stdout) == {"migrated": ["gateway"]}
    shown = subprocess.run(
        [MYOKINE, "migrate", "--service", "gateway"], capture_output=True, text=True, check=False
    )
    assert (shown.returncode, shown.stdout) == (0, "migrated: gateway\n"), shown.stderr


def test_a_services_own_dead_letters_command_still_works() -> None:
    replayed = subprocess.run(
        [sys.executable, "-m", "gateway_service", "dead-letters", "--replay", "--id", "1"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert replayed.returncode == 0, replayed.stderr
    assert json.loads(replayed.stdout) == {"service": "gateway", "replayed": 0}


def test_seed_demo_is_idempotent_and_always_leaves_working_credentials(
    live_services, scratch_dir, client
) -> None:
    output = scratch_dir / "demo-credentials.json"
    env = {
        **os.environ,
        "PROGRAM_URL": live_services["program"],
        "LOGGING_URL": live_services["logging"],
        "PROGRESSION_URL": live_services["progression"],
    }

    def seed(*extra: str) -> dict[str, Any]:
        done = subprocess.run(
            [MYOKINE, "seed-demo", "--output", str(output), *extra],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        document: dict[str, Any] = json.loads(output.read_text())
        if extra == ("--json",):
            assert json.loads(done.stdout) == document, "the file's document, nothing else"
            assert f"demo credentials written to {output}" in done.stderr
        else:
            assert f"demo credentials written to {output}" in done.stdout
            assert f"kiosk_token: {document['kiosk_token']}" in done.stdout.splitlines()
        return document

    def works(creds: dict[str, Any]) -> None:
        kiosk = {"Authorization": f"Bearer {creds['kiosk_token']}"}
        for member in creds["members"]:
            answer = client.post(
                "/v1/kiosk/identify",
                json={"badge": member["badge"], "pin": member["pin"]},
                headers=kiosk,
            )
            assert answer.status_code == 200, answer.text
        signed_in = client.post(
            "/v1/auth/token",
            data={"username": creds["trainer_email"], "password": creds["trainer_password"]},
        )
        assert signed_in.status_code == 200

    first = seed()
    assert set(first) >= {"gateway_url", "kiosk_token", "trainer_email", "trainer_password"}
    assert len(first["members"]) == 3
    assert first["gym_timezone"] == "Europe/Berlin"
    works(first)
    assert seed("--json") == first
    # The zone is the gym's when it is made: a seeded gym keeps its own.
    assert seed("--timezone", "Asia/Tokyo")["gym_timezone"] == "Europe/Berlin"
    mistyped = subprocess.run(
        [MYOKINE, "seed-demo", "--output", str(output), "--timezone", "Europe/Berln"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert mistyped.returncode == 1
    assert "timezone: 'Europe/Berln' is not an IANA time zone" in mistyped.stderr
    output.write_text(json.dumps({**first, "kiosk_token": "lost", "trainer_password": "lost"}))
    third = seed()
    assert third["kiosk_token"] != first["kiosk_token"]
    works(third)
    output.unlink()
    works(seed())


def test_a_gyms_equipment_is_shown_and_set_from_a_file(tmp_path: Path) -> None:
    _tenant()
    where = ("--chain", "CLI Gyms", "--gym", "North")
    shown = _run("show-inventory", *where)
    assert (shown["unit"], shown["version"], shown["barbell"]["bar"]) == ("lb", 0, 45)
    body = tmp_path / "north.json"
    body.write_text(json.dumps({"unit": "lb", "kettlebells": [18, 26, 35, 44]}))
    saved = _run("set-inventory", *where, str(body))
    assert (saved["version"], saved["kettlebells"]) == (1, [18, 26, 35, 44])
    assert _run("show-inventory", *where) == saved

    body.write_text(json.dumps({"unit": "lb", "kettlebells": [-1]}))
    refused = runner.invoke(app, ["set-inventory", *where, str(body)])
    assert refused.exit_code == 1
    assert "kettlebells.0" in refused.output


def test_members_import_from_a_file_and_again_changes_nothing(tmp_path: Path) -> None:
    tenant = _tenant()
    assert tenant["trainer"]["gym_ids"], "a trainer made without --gym works in every gym"
    rows = tmp_path / "members.csv"
    rows.write_text(
        "name,badge,pin,home_gym,unit,external_id\n"
        "Ann,A-1,4821,North,,crm-1\n"
        "Ben,A-2,,north,kg,crm-2\n"
        "Bad,A-3,1,South,,\n"
    )
    result = runner.invoke(app, ["import-members", "--chain", "CLI Gyms", str(rows), "--json"])
    assert result.exit_code == 0, result.output
    assert result.stderr == "", "no progress bar where standard error is no terminal"
    first = json.loads(result.stdout)
    assert (first["created"], first["updated"], first["unchanged"]) == (2, 0, 0)
    assert [(e["row"], e["field"]) for e in first["errors"]] == [(3, "home_gym"), (3, "pin")]
    assert [p["badge"] for p in first["pins"]] == ["A-2"]
    again = _text("import-members", "--chain", "CLI Gyms", str(rows))
    assert again.splitlines()[:3] == ["created: 0", "updated: 0", "unchanged: 2"]
    assert "  - row: 3, field: home_gym, message: " in again
    assert "pins: none" in again.splitlines()


def _commands(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, Any]]:
    """Every command of the CLI, by its words (`list members`), subgroups walked."""
    subcommands = getattr(command, "commands", None)
    if subcommands is None:
        yield " ".join(path), command
        return
    for name, sub in subcommands.items():
        yield from _commands(sub, (*path, name))


def test_every_command_takes_json() -> None:
    commands = dict(_commands(typer.main.get_command(app)))
    assert {
        "create-chain",
        "import-members",
        "list members",
        "seed-demo",
        "backup",
        "restore",
        "migrate",
        "dead-letters",
    } <= set(commands)
    without = [
        name
        for name, command in commands.items()
        if not any("--json" in param.opts for param in command.params)
    ]
    assert without == []


def test_without_json_a_person_reads_key_value_lines() -> None:
    chain = _text("create-chain", "Text Gyms")
    assert chain.splitlines()[1] == "name: Text Gyms"
    assert chain.splitlines()[0].startswith("id: ")
    _text("create-gym", "--chain", "Text Gyms", "--name", "North")
    member = _text(
        "create-member", "--chain", "Text Gyms", "--gym", "North", "--name", "M", "--badge", "5"
    ).splitlines()
    assert {"badge: 5", "unit: kg"} <= set(member)
    assert [line for line in member if line.startswith("pin: ")], "the generated PIN, once"
    trainer = _text(
        "create-trainer", "--chain", "Text Gyms", "--email", "x@t.example", "--name", "X"
    )
    assert "role: trainer" in trainer.splitlines()
    assert [line for line in trainer.splitlines() if line.startswith("password: ")]

    inventory = _text("show-inventory", "--chain", "Text Gyms", "--gym", "North").splitlines()
    assert {"unit: kg", "version: 0", "barbell:", "  bar: 20", "  plates:"} <= set(inventory)
    assert any(line.startswith("    - weight: ") for line in inventory), "plates, one a line"

    gone = _text("deactivate-member", "--chain", "Text Gyms", "--badge", "5")
    assert "active: no" in gone.splitlines()
    kiosk = _run("create-kiosk", "--chain", "Text Gyms", "--gym", "North", "--name", "door")
    revoked = _text("revoke-kiosk", "--chain", "Text Gyms", "--kiosk-id", str(kiosk["id"]))
    assert [line for line in revoked.splitlines() if line.startswith("revoked_at: 20")]
    for shown in (chain, trainer, revoked):
        assert not shown.lstrip().startswith(("{", "[")), "text, not JSON"


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bars_are_drawn_on_a_terminal_only(monkeypatch: pytest.MonkeyPatch) -> None:
    with cli._progress() as bar:
        assert bar.disable, "pytest captures standard error: no terminal"
    terminal, piped = _Terminal(), io.StringIO()
    monkeypatch.setattr(sys, "stderr", terminal)
    monkeypatch.setattr(sys, "stdout", piped)
    with cli._progress() as bar:
        assert not bar.disable
        bar.add_task("Replaying dead letters", total=3)
        typer.echo('{"replayed": 3}')
    assert "Replaying dead letters" in terminal.getvalue()
    assert piped.getvalue() == '{"replayed": 3}\n', "standard output is left alone"
