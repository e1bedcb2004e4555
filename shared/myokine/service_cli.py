"""`python -m <name>_service api|worker|relay|migrate`: the four ways a service runs.

Plus the operator's and the probes' commands: `dead-letters`, `ready` (exit 0 when its
database and Redis answer) and `ping-worker` (exit 0 when this host's worker answers).
"""

from __future__ import annotations

import argparse
import json
import logging
import signal
import socket
import sys
import threading
from datetime import datetime
from pathlib import Path
from types import FrameType

import uvicorn

from myokine import backups
from myokine.dead_letters import list_dead_letters, replay_dead_letters
from myokine.health import check_database, check_redis
from myokine.metrics_serving import serve_metrics
from myokine.migrations import upgrade
from myokine.service_runtime import ServiceRuntime
from myokine.structured_logs import configure_logging

log = logging.getLogger(__name__)


def _serve_api(runtime: ServiceRuntime, app_factory: str) -> None:
    s = runtime.settings
    uvicorn.run(
        app_factory,
        factory=True,
        host=s.http_host,
        port=s.http_port,
        log_config=None,
        access_log=False,
        # More processes take more requests at once on a host with more cores; each one
        # builds its own app (and its own database and Redis pools) from the factory.
        workers=s.api_processes,
    )


def _serve_metrics(runtime: ServiceRuntime) -> None:
    if runtime.settings.metrics_port is not None:
        serve_metrics(runtime.settings.metrics_port)


def _run_worker(runtime: ServiceRuntime, concurrency: int, beat: bool) -> None:
    argv = [
        "worker",
        f"--queues={runtime.name}",
        f"--concurrency={concurrency}",
        f"--hostname={runtime.name}@%h",
        "--without-gossip",
        "--without-mingle",
        f"--loglevel={runtime.settings.log_level}",
    ]
    if beat:
        argv += ["--beat", f"--schedule={runtime.settings.beat_schedule_file}"]
    for hook in runtime.worker_start_hooks:
        try:
            hook()
        except Exception:
            # A hook only asks for what the worker could have missed; the worker is still
            # worth starting, and its next start asks again.
            log.exception("a worker start hook failed")
    # The pool's children are forked from this process: a connection a hook left in the
    # engine's pool would be shared by all of them (one socket, several talkers).
    runtime.engine.dispose()
    # Served by this process from the files its pool's children write the counts to.
    _serve_metrics(runtime)
    runtime.celery.worker_main(argv)


def _run_relay(runtime: ServiceRuntime) -> None:
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    _serve_metrics(runtime)
    poll_interval = runtime.settings.relay_poll_interval
    companions = [
        threading.Thread(
            target=loop,
            kwargs={"poll_interval": poll_interval, "should_stop": stop.is_set},
            name=f"relay-companion-{number}",
        )
        for number, loop in enumerate(runtime.relay_companions)
    ]
    for thread in companions:
        thread.start()
    log.info("outbox relay started")
    runtime.relay().run_forever(poll_interval=poll_interval, should_stop=stop.is_set)
    stop.set()
    for thread in companions:
        thread.join()
    log.info("outbox relay stopped")


def _dead_letters(runtime: ServiceRuntime, *, replay: bool, ids: list[int] | None) -> None:
    table = runtime.tables.dead_letters
    if replay:
        count = replay_dead_letters(runtime.sessions, table, runtime.publish, ids=ids)
        print(json.dumps({"service": runtime.name, "replayed": count}))
        return
    for row in list_dead_letters(runtime.sessions, table, ids=ids):
        print(json.dumps({"service": runtime.name, **row}, default=str))


def _backup_or_restore(runtime: ServiceRuntime, args: argparse.Namespace) -> int:
    url, file = runtime.settings.sqlalchemy_url, args.file
    try:
        if args.role == "backup":
            backups.backup(url, file, runtime.engine)
            print(json.dumps({"service": runtime.name, "backup": str(file)}))
        else:
            resent = backups.restore(
                url, file, runtime.engine, runtime.tables.outbox, resend_since=args.resend_since
            )
            print(json.dumps({"service": runtime.name, "restored": str(file), "resent": resent}))
    except backups.BackupError as exc:
        print(f"{runtime.name}: {exc}", file=sys.stderr)
        return 1
    return 0


def _ready(runtime: ServiceRuntime) -> int:
    problem = check_database(runtime.engine) or check_redis(runtime.settings.redis_url)
    if problem:
        print(json.dumps({"service": runtime.name, "ready": False, "problem": problem}))
        return 1
    return 0


def _ping_worker(runtime: ServiceRuntime, timeout: float) -> int:
    # The worker names itself <service>@<host> (see _run_worker), so a probe on its own
    # host asks just that one.
    destination = f"{runtime.name}@{socket.gethostname()}"
    answers = runtime.celery.control.ping(destination=[destination], timeout=timeout)
    return 0 if answers else 1


def main(runtime: ServiceRuntime, *, app_factory: str, argv: list[str] | None = None) -> None:
    """Parse the command line and run the service in the chosen role.

    `app_factory` names the function that builds the service's app ("pkg.main:create_app"),
    which uvicorn calls in the process that serves it.
    """
    parser = argparse.ArgumentParser(prog=f"python -m {runtime.name}_service")
    roles = parser.add_subparsers(dest="role", required=True)
    roles.add_parser("api", help="serve the HTTP API")
    worker = roles.add_parser("worker", help="consume this service's queue")
    worker.add_argument(
        "--concurrency", type=int, default=None, help="tasks at once (WORKER_CONCURRENCY)"
    )
    worker.add_argument("--beat", action="store_true", help="also run the periodic tasks")
    roles.add_parser("relay", help="publish the outbox")
    roles.add_parser("migrate", help="create and migrate this service's database")
    dead = roles.add_parser("dead-letters", help="list (or replay) events that failed for good")
    dead.add_argument("--replay", action="store_true", help="send them to their task again")
    dead.add_argument("--id", type=int, action="append", dest="ids", help="only these ids")
    dump = roles.add_parser("backup", help="dump this service's database to a file")
    dump.add_argument("file", type=Path)
    load = roles.add_parser("restore", help="replace this service's database with a dump")
    load.add_argument("file", type=Path)
    load.add_argument(
        "--resend-since",
        type=datetime.fromisoformat,
        required=True,
        help="when the backup began: outbox rows sent since then are sent again",
    )
    roles.add_parser("ready", help="exit 0 when the database and Redis answer (a probe)")
    ping = roles.add_parser("ping-worker", help="exit 0 when this host's worker answers")
    ping.add_argument("--timeout", type=float, default=10.0)
    args = parser.parse_args(argv)

    s = runtime.settings
    configure_logging(runtime.name, fmt=s.log_format, level=s.log_level)
    if args.role == "api":
        _serve_api(runtime, app_factory)
    elif args.role == "worker":
        _run_worker(runtime, args.concurrency or s.worker_concurrency, args.beat)
    elif args.role == "relay":
        _run_relay(runtime)
    elif args.role == "dead-letters":
        _dead_letters(runtime, replay=args.replay, ids=args.ids)
    elif args.role in ("backup", "restore"):
        sys.exit(_backup_or_restore(runtime, args))
    elif args.role == "ready":
        sys.exit(_ready(runtime))
    elif args.role == "ping-worker":
        sys.exit(_ping_worker(runtime, args.timeout))
    else:
        upgrade(runtime.migrations_dir, s.sqlalchemy_url)
        log.info("migrated %s", s.database_name)
