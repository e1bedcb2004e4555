"""Test helpers every service's tests use: its database, a Redis of its own, its processes.

- `migrate` / `truncate_all`: the service's database, migrated once, emptied between tests;
- `own_redis`: a Redis server for one test (others share the machine's Redis, and a worker
  there would take their tasks);
- `service_process`: `python -m <name>_service <role>` as a real process, always stopped;
- `wait_until`: poll for what a process does in its own time;
- `internal_headers`: the signed internal token the gateway would send;
- `rows_naming`: the rows of a database that name something (an erased member's id, name);
- `WebhookReceiver`: a chain's CRM endpoint on this host, to send webhooks to;
- `midday_zone`: a gym's time zone where it is about midday now.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, MetaData, text

from devstack.embedded import EmbeddedRedis, free_port
from myokine.internal_auth import Caller, sign_internal_token
from myokine.migrations import upgrade
from myokine.service_runtime import ServiceRuntime


def midday_zone(now: datetime | None = None) -> str:
    """An IANA zone (`Etc/GMT±N`) where it is between 12:00 and 13:00 at `now` (by default,
    the present).

    Tests that log a set and then read the day's sets, a few seconds or minutes apart, give
    their gyms this zone: in a fixed one, a run across the gym's midnight finds yesterday's
    sets gone (a fresh-clone CI once failed so at 23:00 UTC, midnight in Europe/Berlin).
    """
    hour = (now or datetime.now(UTC)).astimezone(UTC).hour
    east = 12 - hour  # -11 .. +12 hours from UTC
    # The Etc zones count the other way round: Etc/GMT-2 is two hours east of UTC.
    return "Etc/GMT" if east == 0 else f"Etc/GMT{-east:+d}"


def migrate(runtime: ServiceRuntime) -> None:
    """Create and migrate the service's database: the run's fresh one, never another."""
    prefix = os.environ.get("DB_PREFIX")
    assert runtime.settings.db_prefix == prefix, "not the run's database: wire it in a fixture"
    upgrade(runtime.migrations_dir, runtime.settings.sqlalchemy_url)


def truncate_all(runtime: ServiceRuntime, metadata: MetaData) -> None:
    """Empty every table of the service, so each test starts from nothing."""
    names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
    with runtime.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@contextmanager
def own_redis(folder: Path, *, persistent: bool = False) -> Iterator[EmbeddedRedis]:
    """A Redis server of the caller's own on a free port, under `folder`; stopped after.

    `persistent` keeps its data across a stop and start (a test of a broker outage).
    """
    server = EmbeddedRedis(
        folder / f"redis-{uuid.uuid4().hex[:8]}", free_port(), persistent=persistent
    ).start()
    try:
        yield server
    finally:
        server.stop()


@contextmanager
def service_process(
    service: str, args: list[str], env: dict[str, str], log: Path | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    """`python -m <service>_service <args>` with `env` added, stopped (TERM, then KILL) after.

    Its output goes to `log` when given, else nowhere.
    """
    with contextlib.ExitStack() as stack:
        out = stack.enter_context(log.open("wb")) if log is not None else subprocess.DEVNULL
        process = subprocess.Popen(
            [sys.executable, "-m", f"{service}_service", *args],
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            yield process
        finally:
            # A worker's pool is in its process group: stop all of it.
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def wait_until(check: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll `check` until it holds; fail after `timeout` seconds, naming `what` we waited for."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def internal_headers(caller: Caller, secret: str, *, key: str | None = None) -> dict[str, str]:
    """The headers of a gateway call as `caller`, with an Idempotency-Key when given."""
    headers = {"Authorization": f"Bearer {sign_internal_token(caller, secret, ttl_seconds=60)}"}
    if key is not None:
        headers["Idempotency-Key"] = key
    return headers


def rows_naming(engine: Engine, *words: str) -> dict[str, int]:
    """Per table of the database that has any, how many rows name one of `words` anywhere
    in their text (every column of the row cast to text, case ignored)."""
    params = {f"w{i}": word.lower() for i, word in enumerate(words)}
    naming = " OR ".join(f"strpos(lower(row::text), :{name}) > 0" for name in params)
    found: dict[str, int] = {}
    with engine.connect() as conn:
        tables = conn.execute(
            text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
        ).scalars()
        for table in list(tables):
            count = conn.execute(
                text(f'SELECT count(*) FROM "{table}" AS row WHERE {naming}'), params
            ).scalar_one()
            if count:
                found[table] = int(count)
    return found


@dataclass
class Received:
    """One request a `WebhookReceiver` was sent."""

    headers: dict[str, str]
    body: bytes


@dataclass
class WebhookReceiver:
    """A CRM's webhook endpoint on this host: answers `status` after `delay` seconds and
    keeps every request. `stop()` takes it down; `start()` brings it back on its port."""

    status: int = 200
    delay: float = 0.0
    got: list[Received] = field(default_factory=list)
    port: int = 0
    _server: ThreadingHTTPServer | None = None

    def start(self) -> WebhookReceiver:
        """Listen (on the port it had, once it had one)."""
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.got.append(Received(dict(self.headers.items()), body))
                time.sleep(receiver.delay)
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        class Server(ThreadingHTTPServer):
            # Senders connect many at once; the default backlog (5) would drop some.
            request_queue_size = 128

        self._server = Server(("127.0.0.1", self.port), Handler)
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        """Stop listening: senders get connection refused."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def url(self) -> str:
        """Where to send webhooks."""
        return f"http://127.0.0.1:{self.port}/hooks"
