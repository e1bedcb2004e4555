"""Load: the kiosk's calls through the whole system against a bare FastAPI floor, in one run.

Run with `make bench` (needs Debian's `wrk`). In one run on this run's PostgreSQL:
1. the floor (`load/floor_app.py`: FastAPI + SQLAlchemy, one INSERT a request, one process)
   takes `POST /sets` from wrk; then the floor behind one hop (`load/floor_hop_app.py`, a
   bare FastAPI app passing each set on with urllib3): the least a write through the gateway
   to a service costs; then the shape's floor: the hop, with the floor sending each set as a
   Celery task to a bare worker (`load/floor_worker.py`): gateway, service and consumer with
   none of their work;
2. the whole system (every service's API, worker and relay, on a Redis of its own, kiosk
   rate limits raised) takes `POST /v1/kiosk/sets`, `GET /v1/kiosk/today`, a trainer's
   `GET /v1/gyms` (answered by the gateway alone) and `POST /v1/kiosk/identify` from wrk
   with the same connections;
3. the end-to-end lag of the sets of the burst (logging's outbox row → progression's inbox
   row), and once more at about half that rate;
4. the latency targets at a rate: the floor, the sets, today and the gateway's own read
   offered rising shares of the floor's rate, each connection waiting random gaps
   (`load/pacing.lua`), until p99 passes the target's bound.

It prints req/s, p50 and p99 and the ratio to the floor for each call, the lag, and the CPU
seconds each process spent per set. Ratios against the floor hold on any machine; absolute
figures are this machine's. The targets (the performance issue) are printed beside the
figures; the benchmark asserts only that the system answered (a benchmark measures, the
numbers are read by people).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from statistics import quantiles
from typing import Any

import httpx
import psutil
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from devstack.embedded import EmbeddedRedis, free_port
from devstack.stack import ROOT, SERVICES, Stack
from devstack.supervisor import Supervisor
from devstack.testing import midday_zone
from gateway_service.bootstrap import bootstrap
from gateway_service.demo import PROGRAM_PREFIX
from gateway_service.handlers import identity
from gateway_service.settings import Settings
from myokine.db import ensure_database

pytestmark = pytest.mark.bench

HERE = Path(__file__).parent / "load"
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "32"))
THREADS = 2
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
BURST_SECONDS = int(os.environ.get("BENCH_BURST_SECONDS", "20"))
MEMBERS = 32
# The latency targets are read at a rate, not at saturation (where the floor itself answers
# slower than they ask): each call is offered these shares of the floor's rate in turn, for
# STEP_SECONDS each. Half the floor's rate is the write target's own.
PACED_SHARES = (0.05, 0.1, 0.2, 0.3, 0.4, 0.5)
STEP_SECONDS = int(os.environ.get("BENCH_STEP_SECONDS", "10"))
SETS_P99_MS = 100
TODAY_P99_MS = 50
# GET today reads members of their own, each with one session of this many sets today
# (four exercises of the demo program, four sets each): the burst's members log over a
# hundred sets a day, a day no member has.
READERS = 32
READER_SETS_PER_EXERCISE = 4
# BENCH_PROFILE=DIR: py-spy samples these processes (holding the GIL: their CPU, not their
# waits) during the burst, the reads of today and the gateway's own reads, into
# DIR/<phase>/<name>.txt (collapsed stacks: one line a stack, then its sample count).
PROFILE_DIR = os.environ.get("BENCH_PROFILE")
PROFILED = (
    "gateway-api",
    "logging-api",
    "program-api",
    "progression-api",
    "progression-worker",
    "logging-relay",
)
# BENCH_API_PROCESSES=N serves the gateway and logging APIs with N processes each (the
# services on the write path); 1 by default.
API_PROCESSES = os.environ.get("BENCH_API_PROCESSES", "1")
SCALED = ("gateway-api", "logging-api")
# No kiosk or sign-in limit gets in the way of the load (the limits are measured in the cost).
UNLIMITED = {
    "KIOSK_RATE_LIMIT_PER_MINUTE": "10000000",
    "LOGIN_RATE_LIMIT_PER_MINUTE": "10000000",
    "TRAINER_RATE_LIMIT_PER_MINUTE": "10000000",
}


@dataclass(frozen=True)
class Load:
    """What wrk measured of one call."""

    name: str
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    non_2xx: int
    socket_errors: int

    @property
    def rps(self) -> float:
        """Requests a second."""
        return self.requests / self.seconds


def wrk(
    url: str,
    script: str,
    env: Mapping[str, str],
    *,
    seconds: int = SECONDS,
    connections: int = CONNECTIONS,
    name: str,
) -> Load:
    """Drive `url` with wrk and a script of `load/` (with the report appended)."""
    binary = shutil.which("wrk")
    if binary is None:
        pytest.fail("the load benchmark needs wrk: apt-get install wrk")
    combined = Path(os.environ.get("TMPDIR", "/tmp")) / f"myokine-{uuid.uuid4().hex}.lua"
    combined.write_text(
        "\n".join((HERE / part).read_text() for part in (script, "pacing.lua", "report.lua"))
    )
    try:
        done = subprocess.run(
            [
                binary,
                # wrk wants at least one connection for each of its threads.
                f"-t{min(THREADS, connections)}",
                f"-c{connections}",
                f"-d{seconds}s",
                "--timeout=10s",
                "-s",
                str(combined),
                url,
            ],
            env={**os.environ, "RUN_ID": uuid.uuid4().hex[:8], **env},
            capture_output=True,
            text=True,
            check=True,
        )
    finally:
        combined.unlink()
    found = re.search(r"WRK_RESULT (\{.*\})", done.stdout)
    assert found, done.stdout + done.stderr
    r = json.loads(found.group(1))
    return Load(
        name,
        r["requests"],
        r["seconds"],
        r["p50_us"] / 1000,
        r["p99_us"] / 1000,
        r["non_2xx"],
        r["socket_errors"],
    )


@dataclass(frozen=True)
class Paced:
    """One call driven at rising rates (shares of the floor's), until its p99 passes a bound
    or the rate is not carried."""

    name: str
    bound_ms: float
    steps: list[Load]
    """What each share of `PACED_SHARES` tried measured, in order."""

    @property
    def held(self) -> Load | None:
        """The fastest step whose p99 stayed within the bound, if any did."""
        kept = [load for load in self.steps if load.p99_ms <= self.bound_ms]
        return max(kept, key=lambda load: load.rps, default=None)


def paced(
    url: str, script: str, env: Mapping[str, str], floor_rps: float, bound_ms: float, name: str
) -> Paced:
    """Drive `url` at each of `PACED_SHARES` of the floor's rate in turn, every connection
    waiting a random gap between requests; stops after the first step whose p99 passes
    `bound_ms` or that carries less than nine tenths of the rate offered."""
    steps: list[Load] = []
    for share in PACED_SHARES:
        offered = share * floor_rps
        gap_ms = max(int(1000 * CONNECTIONS / offered), 1)
        load = wrk(url, script, {**env, "DELAY_MS": str(gap_ms)}, seconds=STEP_SECONDS, name=name)
        steps.append(load)
        if load.p99_ms > bound_ms or load.rps < 0.9 * offered:
            break
    return Paced(name, bound_ms, steps)


def cpu_seconds(pids: Mapping[str, int]) -> dict[str, float]:
    """CPU seconds (user + system) each process and its children have used so far."""
    used = {}
    for name, pid in pids.items():
        process = psutil.Process(pid)
        total = 0.0
        for p in [process, *process.children(recursive=True)]:
            try:
                times = p.cpu_times()
            except psutil.NoSuchProcess:
                continue
            total += times.user + times.system
        used[name] = total
    return used


@dataclass(frozen=True)
class DatabaseUse:
    """What the PostgreSQL server has done so far: CPU seconds of the postmaster and every
    backend, ended ones included, and sessions opened (each one a new backend process)."""

    cpu_seconds: float
    sessions: int

    @classmethod
    def now(cls) -> DatabaseUse:
        """Read it from the server of `DATABASE_URL` (its processes must be this machine's)."""
        engine = create_engine(database_url("postgres"), poolclass=NullPool)
        try:
            with engine.connect() as conn:
                backend = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
                # Statistics reach the view at most once a second; the benchmark pauses
                # between phases, and each phase runs for many seconds.
                conn.execute(text("SELECT pg_stat_force_next_flush()"))
                sessions = conn.execute(
                    text("SELECT coalesce(sum(sessions), 0) FROM pg_stat_database")
                ).scalar_one()
                postmaster = psutil.Process(psutil.Process(backend).ppid())
                # Ended backends count in the postmaster's children times once it reaps them.
                total = sum(postmaster.cpu_times()[:4])
                for child in postmaster.children():
                    try:
                        times = child.cpu_times()
                    except psutil.NoSuchProcess:
                        continue
                    total += times.user + times.system
        finally:
            engine.dispose()
        return cls(total, int(sessions))

    def since(self, before: DatabaseUse) -> DatabaseUse:
        """What the server did between `before` and this."""
        return DatabaseUse(self.cpu_seconds - before.cpu_seconds, self.sessions - before.sessions)


def spent(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    """CPU seconds per process between two readings."""
    return {name: after[name] - before[name] for name in after}


def profile(pids: Mapping[str, int], seconds: int, phase: str) -> list[subprocess.Popen[bytes]]:
    """Start py-spy on the processes of `PROFILED` (and their children) for `seconds`, into
    the phase's folder."""
    if not PROFILE_DIR:
        return []
    out = Path(PROFILE_DIR) / phase
    out.mkdir(parents=True, exist_ok=True)
    spy = str(Path(sys.executable).parent / "py-spy")
    return [
        subprocess.Popen(
            [
                spy,
                "record",
                "--pid",
                str(pid),
                "--subprocesses",
                "--duration",
                str(seconds),
                "--format",
                "raw",
                "--gil",
                "--nonblocking",
                "-o",
                str(out / f"{name}.txt"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for name, pid in pids.items()
        if name in PROFILED
    ]


def database_url(name: str) -> str:
    """A database of this run's server, with the psycopg driver."""
    url = make_url(os.environ["DATABASE_URL"]).set(drivername="postgresql+psycopg", database=name)
    return url.render_as_string(hide_password=False)


# --- the floor ----------------------------------------------------------------------------


def _serve(app: str, env: Mapping[str, str], log_path: Path) -> Iterator[tuple[str, int]]:
    """Serve `load/<app>.py` with uvicorn, one process, until the caller is done; its URL
    and pid."""
    port = free_port()
    log = log_path.open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--app-dir",
            str(HERE),
            f"{app}:app",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env={**os.environ, **env},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(f"{base}/docs", timeout=1)
            break
        except httpx.HTTPError:
            if time.monotonic() > deadline or process.poll() is not None:
                raise
            time.sleep(0.2)
    try:
        yield base, process.pid
    finally:
        process.terminate()
        process.wait(10)
        log.close()


@dataclass(frozen=True)
class FloorEvents:
    """The floor's Redis and database, for its app and its bare worker."""

    broker_url: str
    database_url: str

    def env(self) -> dict[str, str]:
        """What the floor's app and worker are told."""
        return {"FLOOR_BROKER_URL": self.broker_url, "FLOOR_DATABASE_URL": self.database_url}

    def ready(self) -> bool:
        """Whether the floor's worker has made its table."""
        return self._scalar("SELECT to_regclass('floor_applied') IS NOT NULL") is True

    def applied(self) -> int:
        """Sets the floor's worker has stored so far."""
        return int(self._scalar("SELECT count(*) FROM floor_applied"))

    def _scalar(self, sql: str) -> Any:
        engine = create_engine(self.database_url, poolclass=NullPool)
        try:
            with engine.connect() as conn:
                return conn.execute(text(sql)).scalar_one()
        finally:
            engine.dispose()

    def wait_applied(self, count: int) -> None:
        """Wait until the floor's worker has stored `count` sets (a minute at most)."""
        deadline = time.monotonic() + 60
        while self.applied() < count:
            if time.monotonic() > deadline:
                pytest.fail(f"the floor's worker stored {self.applied()} of {count} sets")
            time.sleep(0.1)


@pytest.fixture(scope="module")
def floor_events(scratch_dir: Path) -> Iterator[FloorEvents]:
    """A Redis of the floor's own, and its database."""
    url = database_url(os.environ["DB_PREFIX"] + "bench_floor")
    ensure_database(url)
    redis = EmbeddedRedis(scratch_dir / "floor-redis", free_port(), persistent=False).start()
    try:
        yield FloorEvents(redis.url, url)
    finally:
        redis.stop()


@pytest.fixture(scope="module")
def floor(floor_events: FloorEvents, scratch_dir: Path) -> Iterator[tuple[str, int]]:
    """The floor app, serving; its URL and pid."""
    yield from _serve("floor_app", floor_events.env(), scratch_dir / "floor.log")


@pytest.fixture(scope="module")
def floor_worker(floor_events: FloorEvents, scratch_dir: Path) -> Iterator[int]:
    """The floor's bare Celery worker (`load/floor_worker.py`), one process; its pid."""
    log = (scratch_dir / "floor-worker.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "floor_worker",
            "worker",
            "--pool=solo",
            "--queues=floor",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=WARNING",
        ],
        cwd=HERE,
        env={**os.environ, **floor_events.env()},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    # The worker makes its table as it starts: once there, it is about to take tasks.
    deadline = time.monotonic() + 60
    while not floor_events.ready():
        if time.monotonic() > deadline or process.poll() is not None:
            pytest.fail(f"the floor's worker did not start: see {log.name}")
        time.sleep(0.2)
    try:
        yield process.pid
    finally:
        process.terminate()
        process.wait(10)
        log.close()


@pytest.fixture(scope="module")
def floor_hop(floor: tuple[str, int], scratch_dir: Path) -> Iterator[tuple[str, int]]:
    """The floor behind one HTTP hop (`load/floor_hop_app.py`), serving; its URL and pid."""
    yield from _serve("floor_hop_app", {"FLOOR_URL": floor[0]}, scratch_dir / "floor-hop.log")


# --- the system ---------------------------------------------------------------------------


@dataclass
class System:
    """The running system, its kiosk, its members and their tokens."""

    stack: Stack
    supervisor: Supervisor
    kiosk_token: str
    badges: list[str]
    pins: list[str]
    tokens: list[str]
    reader_tokens: list[str]
    """Members who trained one session today, whose plan GET today reads."""
    trainer_token: str

    def pids(self) -> dict[str, int]:
        """Every process of the system, by name."""
        return {name: self.supervisor.pid(name) for name in self.supervisor.names}

    def query(self, service: str, sql: str, **params: Any) -> list[Any]:
        """Rows of a service's database."""
        engine = create_engine(database_url(f"{self.stack.db_prefix}{service}"))
        try:
            with engine.connect() as conn:
                return list(conn.execute(text(sql), params).all())
        finally:
            engine.dispose()


def _trainer_token(http: httpx.Client, credentials: dict[str, Any]) -> str:
    """The demo trainer's bearer token."""
    signed_in = http.post(
        "/v1/auth/token",
        data={
            "username": credentials["trainer_email"],
            "password": credentials["trainer_password"],
        },
    )
    assert signed_in.status_code == 200, signed_in.text
    token: str = signed_in.json()["access_token"]
    return token


def _add_members(
    stack: Stack, redis_url: str, credentials: dict[str, Any], *, count: int, prefix: str
) -> list[dict[str, str]]:
    """`count` members of the demo gym (made with the gateway's own use case, in-process),
    each on the demo program (assigned through the trainer API)."""
    settings = Settings(
        database_url=stack.database_url, db_prefix=stack.db_prefix, redis_url=redis_url
    )
    deps = bootstrap(settings)
    http = httpx.Client(base_url=stack.url("gateway"), timeout=15)
    try:
        http.headers["Authorization"] = f"Bearer {_trainer_token(http, credentials)}"
        gym_id = uuid.UUID(http.get("/v1/members").json()[0]["home_gym_id"])
        program = next(
            p for p in http.get("/v1/programs").json() if p["name"].startswith(PROGRAM_PREFIX)
        )
        members = []
        for i in range(count):
            badge, pin = f"{prefix}{i:04d}", f"{271828 + 7919 * i:06d}"[-6:]
            made = identity.create_member(
                deps.unit_of_work(), gym_id, name=f"{prefix} {i}", badge=badge, pin=pin, unit="kg"
            )
            assigned = http.post(
                f"/v1/members/{made.id}/assignments",
                json={
                    "program_id": program["id"],
                    "start_date": date.today().isoformat(),
                    "weekdays": [1, 2, 3, 4, 5, 6, 7],
                },
            )
            assert assigned.status_code == 201, assigned.text
            members.append({"badge": badge, "pin": pin})
        return members
    finally:
        http.close()
        deps.close()


def _identify(http: httpx.Client, kiosk: dict[str, str], member: dict[str, str]) -> str:
    """The member token of a member identified at the kiosk."""
    answer = http.post("/v1/kiosk/identify", json=member, headers=kiosk)
    assert answer.status_code == 200, answer.text
    token: str = answer.json()["member_token"]
    return token


def _train_a_session(http: httpx.Client, token: str) -> None:
    """Log a session today: `READER_SETS_PER_EXERCISE` sets of four exercises of the plan."""
    member = {"Authorization": f"Bearer {token}"}
    plan = http.get("/v1/kiosk/today", headers=member)
    assert plan.status_code == 200, plan.text
    for exercise in plan.json()["exercises"][:4]:
        for _ in range(READER_SETS_PER_EXERCISE):
            logged = http.post(
                "/v1/kiosk/sets",
                json={"exercise": exercise["exercise"], "load": 40, "unit": "kg", "reps": 10},
                headers={**member, "Idempotency-Key": str(uuid.uuid4())},
            )
            assert logged.status_code == 201, logged.text


@pytest.fixture(scope="module")
def system(scratch_dir: Path) -> Iterator[System]:
    """The whole system with the demo chain and `MEMBERS` identified members."""
    home = scratch_dir / "bench-system"
    redis = EmbeddedRedis(home / "redis", free_port(), persistent=False).start()
    stack = Stack(
        os.environ["DATABASE_URL"],
        redis.url,
        home,
        db_prefix=os.environ["DB_PREFIX"] + "bench_",
        ports={s: free_port() for s in SERVICES},
        environment="test",
    )
    log = (home / "processes.log").open("w")
    supervisor = Supervisor(os.environ, log=log, cwd=ROOT)
    try:
        stack.migrate(os.environ)
        for spec in stack.process_specs():
            scaled = {"API_PROCESSES": API_PROCESSES} if spec.name in SCALED else {}
            supervisor.add(replace(spec, env={**spec.env, **UNLIMITED, **scaled}))
        supervisor.start_all()
        supervisor.wait_ready(timeout=120)
        credentials = stack.seed_demo(
            os.environ, home / "demo-credentials.json", timezone=midday_zone()
        )
        members = _add_members(stack, redis.url, credentials, count=MEMBERS, prefix="BENCH")
        readers = _add_members(stack, redis.url, credentials, count=READERS, prefix="READER")
        with httpx.Client(base_url=stack.url("gateway"), timeout=15) as http:
            kiosk = {"Authorization": f"Bearer {credentials['kiosk_token']}"}
            tokens = [_identify(http, kiosk, member) for member in members]
            reader_tokens = [_identify(http, kiosk, reader) for reader in readers]
            for token in reader_tokens:
                _train_a_session(http, token)
            trainer_token = _trainer_token(http, credentials)
        yield System(
            stack,
            supervisor,
            credentials["kiosk_token"],
            [m["badge"] for m in members],
            [m["pin"] for m in members],
            tokens,
            reader_tokens,
            trainer_token,
        )
    finally:
        supervisor.stop_all()
        log.close()
        redis.stop()


def _lag(system: System, since: datetime) -> tuple[list[float], datetime | None]:
    """Seconds from each SetLogged's outbox row (since `since`) to progression's inbox row,
    and when the last one was applied; waits until every one is applied."""
    events = dict(
        system.query(
            "logging",
            "SELECT event_id, created_at FROM outbox "
            "WHERE event_type = 'SetLogged' AND created_at >= :since",
            since=since,
        )
    )
    deadline = time.monotonic() + 300
    while True:
        applied = dict(
            system.query(
                "progression",
                "SELECT event_id, processed_at FROM inbox "
                "WHERE event_type = 'SetLogged' AND processed_at >= :since",
                since=since,
            )
        )
        if set(events) <= set(applied) or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    missing = set(events) - set(applied)
    assert not missing, f"{len(missing)} sets never reached progression"
    # In the order the sets came, to show how the lag moved through the burst.
    lags = [
        (applied[e] - events[e]).total_seconds() for e in sorted(events, key=events.__getitem__)
    ]
    last = max((applied[e] for e in events), default=None)
    return lags, last


def _percentile(values: list[float], p: int) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return quantiles(values, n=100, method="inclusive")[p - 1]


def test_load(
    floor: tuple[str, int],
    floor_hop: tuple[str, int],
    floor_events: FloorEvents,
    floor_worker: int,
    system: System,
) -> None:
    """The whole benchmark, in one run, printed as one report."""
    floor_url, floor_pid = floor
    hop_url, hop_pid = floor_hop
    lines: list[str] = []

    # The floor: POST /sets, one process.
    wrk(floor_url, "post_sets.lua", {"BODY_PATH": "/sets"}, seconds=2, name="warm-up")
    before, db_before = cpu_seconds({"floor": floor_pid}), DatabaseUse.now()
    floor_load = wrk(floor_url, "post_sets.lua", {"BODY_PATH": "/sets"}, name="floor")
    floor_cpu = spent(before, cpu_seconds({"floor": floor_pid}))["floor"] / floor_load.requests
    floor_db = DatabaseUse.now().since(db_before)
    floor_paced = paced(
        floor_url, "post_sets.lua", {"BODY_PATH": "/sets"}, floor_load.rps, TODAY_P99_MS, "floor"
    )

    # The floor behind one hop: the least a write through the gateway to a service costs.
    wrk(hop_url, "post_sets.lua", {"BODY_PATH": "/sets"}, seconds=2, name="warm-up")
    before = cpu_seconds({"hop": hop_pid, "floor": floor_pid})
    hop_load = wrk(hop_url, "post_sets.lua", {"BODY_PATH": "/sets"}, name="floor behind one hop")
    hop_cpu = sum(spent(before, cpu_seconds({"hop": hop_pid, "floor": floor_pid})).values())

    # The shape's floor: the hop, and each set sent on as an event to a bare worker that
    # stores it. The least a set costs in the system's shape, with none of its work.
    shape = {"hop": hop_pid, "floor": floor_pid, "worker": floor_worker}
    with_event = {"BODY_PATH": "/sets/with-event"}
    applied = floor_events.applied()
    warm = wrk(hop_url, "post_sets.lua", with_event, seconds=2, name="warm-up")
    applied += warm.requests - warm.non_2xx
    floor_events.wait_applied(applied)
    before = cpu_seconds(shape)
    shape_load = wrk(hop_url, "post_sets.lua", with_event, name="floor: hop + event + worker")
    floor_events.wait_applied(applied + shape_load.requests - shape_load.non_2xx)
    shape_cpu = sum(spent(before, cpu_seconds(shape)).values()) / max(shape_load.requests, 1)

    gateway = system.stack.url("gateway")
    member_env = {"MEMBER_TOKENS": ",".join(system.tokens)}
    wrk(gateway, "post_sets.lua", member_env, seconds=2, name="warm-up")

    # Writes: the burst at full rate, with every process's CPU.
    time.sleep(3)
    started_at = datetime.now().astimezone()
    before, db_before = cpu_seconds(system.pids()), DatabaseUse.now()
    spies = profile(system.pids(), BURST_SECONDS, "sets")
    sets = wrk(
        gateway, "post_sets.lua", member_env, seconds=BURST_SECONDS, name="POST /v1/kiosk/sets"
    )
    for spy in spies:
        spy.wait(30)
    burst_end = datetime.now().astimezone()
    lags, last_applied = _lag(system, started_at)
    cpu = spent(before, cpu_seconds(system.pids()))
    sets_db = DatabaseUse.now().since(db_before)
    stored = sets.requests - sets.non_2xx

    # Half the rate: fewer connections, each waiting between requests.
    time.sleep(3)
    half_started = datetime.now().astimezone()
    half = wrk(
        gateway,
        "post_sets.lua",
        {**member_env, "DELAY_MS": str(int(1000 * CONNECTIONS / max(sets.rps, 1)))},
        connections=CONNECTIONS // 2,
        name="POST /v1/kiosk/sets, half rate",
    )
    half_lags, _ = _lag(system, half_started)
    paced_started = datetime.now().astimezone()
    sets_paced = paced(
        gateway, "post_sets.lua", member_env, floor_load.rps, SETS_P99_MS, "POST /v1/kiosk/sets"
    )
    # Today's CPU is counted once progression has caught up with these sets.
    _lag(system, paced_started)

    readers = {"GET_PATH": "/v1/kiosk/today", "BEARER_TOKENS": ",".join(system.reader_tokens)}
    spies = profile(system.pids(), SECONDS, "today")
    before, db_before = cpu_seconds(system.pids()), DatabaseUse.now()
    today = wrk(
        gateway,
        "get_as.lua",
        readers,
        name="GET /v1/kiosk/today",
    )
    today_cpu = spent(before, cpu_seconds(system.pids()))
    today_db = DatabaseUse.now().since(db_before)
    for spy in spies:
        spy.wait(30)
    today_paced = paced(
        gateway,
        "get_as.lua",
        readers,
        floor_load.rps,
        TODAY_P99_MS,
        "GET /v1/kiosk/today",
    )
    # A read the gateway answers alone, from its own tables (a trainer's gyms): the least a
    # read model of today kept in the gateway could cost.
    trainer = {"GET_PATH": "/v1/gyms", "BEARER_TOKENS": system.trainer_token}
    spies = profile(system.pids(), SECONDS, "gyms")
    before = cpu_seconds(system.pids())
    alone = wrk(gateway, "get_as.lua", trainer, name="GET /v1/gyms (gateway alone)")
    alone_cpu = spent(before, cpu_seconds(system.pids()))["gateway-api"]
    for spy in spies:
        spy.wait(30)
    alone_paced = paced(gateway, "get_as.lua", trainer, floor_load.rps, TODAY_P99_MS, alone.name)
    identify = wrk(
        gateway,
        "identify.lua",
        {
            "KIOSK_TOKEN": system.kiosk_token,
            "BADGES": ",".join(system.badges),
            "PINS": ",".join(system.pins),
        },
        # Each identify checks an argon2 PIN hash (tens of ms of CPU by design): a few
        # seconds see few answers, so identify always gets ten.
        seconds=max(SECONDS, 10),
        name="POST /v1/kiosk/identify",
    )

    lines.append(
        f"load at {CONNECTIONS} connections, {THREADS} wrk threads, this machine; "
        f"gateway and logging APIs with {API_PROCESSES} process(es) each"
    )
    lines.append(
        f"{'call':36} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'of floor':>9} {'errors':>7}"
    )
    for load in (floor_load, hop_load, shape_load, sets, half, today, alone, identify):
        ratio = load.rps / floor_load.rps
        lines.append(
            f"{load.name:36} {load.rps:8.1f} {load.p50_ms:8.1f} {load.p99_ms:8.1f} "
            f"{ratio:8.0%} {load.non_2xx + load.socket_errors:7d}"
        )
    lines.append(
        f"paced at {CONNECTIONS} connections, random gaps; p99 ms at each offered share of "
        "the floor's rate"
    )
    lines.append(f"{'call':36} " + " ".join(f"{share:>7.0%}" for share in PACED_SHARES))
    for run in (floor_paced, sets_paced, today_paced, alone_paced):
        p99s = [f"{load.p99_ms:7.1f}" for load in run.steps]
        lines.append(f"{run.name:36} " + " ".join(p99s))
    for run, target in (
        (floor_paced, ""),
        (sets_paced, "; target: 50%"),
        (today_paced, ""),
        (alone_paced, ""),
    ):
        held = run.held
        lines.append(
            f"  {run.name} holds p99 <= {run.bound_ms:.0f} ms up to "
            + (
                f"{held.rps:.1f} req/s ({held.rps / floor_load.rps:.0%} of the floor{target})"
                if held
                else f"none of the rates tried{target}"
            )
        )
    lines.append(
        f"lag, full rate ({len(lags)} sets): p50 {_percentile(lags, 50):.3f} s, "
        f"p99 {_percentile(lags, 99):.3f} s, max {max(lags, default=0):.3f} s; "
        f"last applied {(last_applied - burst_end).total_seconds() if last_applied else 0:.2f} s "
        "after the burst's end (target: within 2 s)"
    )
    tenth = max(len(lags) // 10, 1)
    lines.append(
        "  lag through the burst (p50 of each tenth of the sets, in the order they came): "
        + ", ".join(
            f"{_percentile(lags[i : i + tenth], 50):.2f}" for i in range(0, len(lags), tenth)
        )
    )
    lines.append(
        f"lag, half rate ({len(half_lags)} sets, {half.rps:.0f}/s): "
        f"p50 {_percentile(half_lags, 50):.3f} s, p99 {_percentile(half_lags, 99):.3f} s "
        "(target: p99 <= 1 s)"
    )
    total = sum(cpu.values())
    lines.append(
        f"CPU per set: {1000 * total / max(stored, 1):.1f} ms all processes, floor "
        f"{1000 * floor_cpu:.1f} ms a request ({total / max(stored, 1) / floor_cpu:.1f}x; "
        "target <= 3x)"
    )
    for name, seconds in sorted(cpu.items(), key=lambda item: -item[1]):
        lines.append(f"  {name:24} {1000 * seconds / max(stored, 1):7.2f} ms")
    with_db = (total + sets_db.cpu_seconds) / max(stored, 1)
    floor_db_cpu = floor_db.cpu_seconds / floor_load.requests
    lines.append(
        f"  PostgreSQL {1000 * sets_db.cpu_seconds / max(stored, 1):.2f} ms a set, the floor's "
        f"{1000 * floor_db_cpu:.2f} ms a request; counting it: {1000 * with_db:.1f} ms against "
        f"{1000 * (floor_cpu + floor_db_cpu):.1f} ms ({with_db / (floor_cpu + floor_db_cpu):.1f}x)"
    )
    lines.append(
        f"  sessions opened on PostgreSQL: {sets_db.sessions} in the burst, "
        f"{floor_db.sessions} by the floor, {today_db.sessions} by GET today"
    )
    lines.append(
        f"CPU of the floor behind one hop: {1000 * hop_cpu / max(hop_load.requests, 1):.1f} ms "
        f"a request, both processes ({hop_cpu / max(hop_load.requests, 1) / floor_cpu:.1f}x)"
    )
    lines.append(
        f"CPU of the floor with hop, event and worker: {1000 * shape_cpu:.1f} ms a set, "
        f"the three processes ({shape_cpu / floor_cpu:.1f}x)"
    )
    lines.append(
        f"CPU per GET today: {1000 * sum(today_cpu.values()) / max(today.requests, 1):.1f} ms "
        "all processes"
    )
    for name, seconds in sorted(today_cpu.items(), key=lambda item: -item[1]):
        lines.append(f"  {name:24} {1000 * seconds / max(today.requests, 1):7.2f} ms")
    lines.append(f"  PostgreSQL {1000 * today_db.cpu_seconds / max(today.requests, 1):.2f} ms")
    lines.append(
        f"CPU per GET /v1/gyms (gateway alone): {1000 * alone_cpu / max(alone.requests, 1):.1f} ms "
        f"in the gateway ({alone_cpu / max(alone.requests, 1) / floor_cpu:.1f}x the floor's)"
    )
    lines.append(
        f"GET today read the plans of {READERS} members, each with one session of "
        f"{4 * READER_SETS_PER_EXERCISE} sets today (four exercises), every set in the answer"
    )
    lines.append(
        "targets: POST sets >= 50% of the floor with p99 <= 100 ms; GET today p99 <= 50 ms"
    )
    report = "\n".join(lines)
    print("\n" + report)
    (Path(ROOT) / ".data").mkdir(exist_ok=True)
    (Path(ROOT) / ".data" / "bench-load.txt").write_text(report + "\n")
    assert stored > 0 and today.requests > 0 and identify.requests > 0
