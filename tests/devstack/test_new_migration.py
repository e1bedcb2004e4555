"""`python -m devstack.new_migration`: sequential ids, a database at head, ruff-clean files."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from devstack.new_migration import new_migration, next_revision_id
from devstack.stack import ROOT


@pytest.fixture
def migrations(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the progression service's migrations, on a database of this test's own."""
    copy = tmp_path / "migrations"
    shutil.copytree(ROOT / "services" / "progression" / "migrations", copy)
    # The service tests of this run use <DB_PREFIX>progression at the real head.
    monkeypatch.setenv("DB_PREFIX", os.environ["DB_PREFIX"] + "newmig_")
    return copy


def test_revisions_get_sequential_ids_and_are_ruff_clean(migrations: Path) -> None:
    before = next_revision_id(migrations)

    first = new_migration("progression", "add a thing", migrations_dir=migrations)
    second = new_migration("progression", "add another", migrations_dir=migrations)

    assert first.name == f"{before}_add_a_thing.py"
    assert second.name == f"{int(before) + 1:04d}_add_another.py"
    assert f'down_revision: str | None = "{before}"' in second.read_text()
    ruff = Path(sys.executable).parent / "ruff"
    subprocess.run([str(ruff), "format", "--check", str(first), str(second)], check=True)
    subprocess.run([str(ruff), "check", str(first), str(second)], check=True)


def test_the_first_revision_is_0001(tmp_path: Path) -> None:
    empty = tmp_path / "migrations"
    shutil.copytree(ROOT / "services" / "progression" / "migrations", empty)
    for revision in (empty / "versions").glob("*.py"):
        revision.unlink()
    assert next_revision_id(empty) == "0001"
