"""`python -m devstack.new_migration <service> "<message>"` (`make migration`).

Autogenerates an Alembic revision of one service from its SQLAlchemy models: the
service's database is created if missing and migrated to head first (autogenerate
compares the models with a database at head), the revision gets the next sequential id
(0001, 0002, ...) so the versions folder reads in order, and the file is ruff-formatted.

The database server is `DATABASE_URL` when set, else the embedded PostgreSQL of `.data/`
(the one `make run` uses; started for the occasion if it is not running).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from alembic import command
from alembic.script import ScriptDirectory
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from devstack.embedded import EmbeddedPostgres, free_port
from devstack.stack import ROOT, SERVICES
from myokine.migrations import alembic_config, upgrade
from myokine.settings import ServiceSettings


class MigrationSettings(BaseSettings):
    """Where the database server is, if the environment says."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str | None = None
    data_dir: Path = Field(default=ROOT / ".data", validation_alias="DEVSTACK_DATA_DIR")


def next_revision_id(migrations_dir: Path) -> str:
    """The next sequential revision id: one more than the highest (or the count) so far."""
    revisions = list(ScriptDirectory(str(migrations_dir)).walk_revisions())
    numbers = [int(r.revision) for r in revisions if r.revision.isdigit()]
    return f"{max([len(revisions), *numbers]) + 1:04d}"


@contextlib.contextmanager
def database_server(settings: MigrationSettings) -> Iterator[str]:
    """The URL of the PostgreSQL server to work on, starting the embedded one if needed."""
    if settings.database_url:
        yield settings.database_url
        return
    data = settings.data_dir / "postgres"
    pid_file = data / "postmaster.pid"
    if pid_file.exists():  # `make run` has it running: its 4th line is the port
        yield EmbeddedPostgres(data, int(pid_file.read_text().splitlines()[3])).url
        return
    server = EmbeddedPostgres(data, free_port()).start()
    try:
        yield server.url
    finally:
        server.stop()


def service_settings(service: str, server_url: str) -> ServiceSettings:
    """The service's own settings (its database name and overrides), on `server_url`."""
    module = importlib.import_module(f"{service}_service.settings")
    settings: ServiceSettings = module.Settings(database_url=server_url)
    return settings


def new_migration(service: str, message: str, *, migrations_dir: Path | None = None) -> Path:
    """Autogenerate the next revision of `service`; returns the new file.

    `migrations_dir` defaults to the service's own `migrations/` folder.
    """
    migrations_dir = migrations_dir or ROOT / "services" / service / "migrations"
    with database_server(MigrationSettings()) as server_url:
        url = service_settings(service, server_url).sqlalchemy_url
        upgrade(migrations_dir, url)
        script = command.revision(
            alembic_config(migrations_dir, url),
            message=message,
            autogenerate=True,
            rev_id=next_revision_id(migrations_dir),
        )
    assert script is not None and not isinstance(script, list)
    path = Path(script.path)
    ruff = Path(sys.executable).parent / "ruff"
    # Fix what ruff can (import order of the generated imports), then format.
    subprocess.run([str(ruff), "check", "--fix", "--quiet", str(path)], check=False)
    subprocess.run([str(ruff), "format", "--quiet", str(path)], check=True)
    return path


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and write the revision."""
    parser = argparse.ArgumentParser(prog="python -m devstack.new_migration")
    parser.add_argument("service", choices=SERVICES)
    parser.add_argument("message", help='what the revision does, e.g. "add sets"')
    args = parser.parse_args(argv)
    path = new_migration(args.service, args.message)
    sys.stdout.write(f"wrote {path.relative_to(ROOT)}\n")


if __name__ == "__main__":
    main()
