"""Backups: `myokine backup` then `myokine restore` brings every service back to the backup,
and the services agree afterwards (a set logged later is gone from all of them)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest

from devstack.stack import SERVICES

pytestmark = pytest.mark.e2e


def myokine(system: Any, *args: str) -> subprocess.CompletedProcess[str]:
    """The operator CLI on the e2e system's servers and databases."""
    return subprocess.run(
        [str(Path(sys.executable).parent / "myokine"), *args],
        env={**os.environ, **system.stack.env()},
        capture_output=True,
        text=True,
        check=False,
    )


def sets_of(system: Any, member_id: str) -> set[str]:
    rows = system.query(
        "logging", "SELECT id::text FROM sets WHERE member_id::text = :m", m=member_id
    )
    return {row[0] for row in rows}


def test_a_restore_brings_every_service_back_to_the_backup(
    system: Any, kiosk: Any, tmp_path: Path
) -> None:
    slug = kiosk.exercise_to_log()
    kept_body, kept_e1rm = kiosk.heavier_set(slug)
    kept = kiosk.log_set(kept_body, str(uuid.uuid4())).json()["id"]
    kiosk.wait_for_best_e1rm(slug, kept_e1rm)

    made = myokine(system, "backup", str(tmp_path / "backup"), "--json")
    assert made.returncode == 0, made.stderr
    assert json.loads(made.stdout)["services"] == list(SERVICES)
    assert {f"{s}.dump" for s in SERVICES} <= {p.name for p in (tmp_path / "backup").iterdir()}

    later_body, later_e1rm = kiosk.heavier_set(slug)
    later = kiosk.log_set(later_body, str(uuid.uuid4())).json()["id"]
    kiosk.wait_for_best_e1rm(slug, later_e1rm)
    member = kiosk.member["id"]
    assert {kept, later} <= sets_of(system, member)

    names = [name for name in system.supervisor.names if system.supervisor.is_running(name)]
    for name in names:
        system.supervisor.stop(name)
    try:
        restored = myokine(system, "restore", str(tmp_path / "backup"), "--json")
        assert restored.returncode == 0, restored.stderr
        report = json.loads(restored.stdout)
        assert sorted(r["service"] for r in report["services"]) == sorted(SERVICES)
        assert report["resent"] == sum(r["resent"] for r in report["services"])
    finally:
        system.supervisor.start_all(names)
        system.supervisor.wait_ready(timeout=120)

    assert kept in sets_of(system, member)
    assert later not in sets_of(system, member), "logging is back at the backup"
    applied = system.query(
        "progression", "SELECT set_id::text FROM sets WHERE member_id::text = :m", m=member
    )
    assert later not in {row[0] for row in applied}, "progression is back at the backup too"
    kiosk.wait_for_best_e1rm(slug, kept_e1rm)
