"""`make run` (`python -m devstack.run`) as a newcomer runs it: embedded servers, data kept.

Started twice on the same data folder: the first run seeds the demo and takes a set,
the second finds that set again. Each run is stopped the way a person stops it (SIGTERM,
then Ctrl-C) and must leave no process and no open port behind.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from devstack.embedded import free_port, port_open
from devstack.stack import ROOT, SERVICES
from gateway_service import demo

pytestmark = pytest.mark.e2e

BANNER = "Myokine is running."
STARTED = re.compile(r"started (\S+) \(pid (\d+)\)")


def alive(pid: int) -> bool:
    """Whether a process exists and is not a zombie."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state not in ("Z", "X")


class MakeRun:
    """One `python -m devstack.run`, its output in a file."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.log = log
        self.handle = log.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "devstack.run"],
            env=env,
            cwd=ROOT,
            stdout=self.handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for_banner(self, timeout: float = 240) -> None:
        deadline = time.monotonic() + timeout
        while BANNER not in self.output():
            assert self.process.poll() is None, f"make run exited early:\n{self.output()[-5000:]}"
            assert time.monotonic() < deadline, f"no banner:\n{self.output()[-5000:]}"
            time.sleep(0.5)

    def child_pids(self) -> dict[str, int]:
        return {name: int(pid) for name, pid in STARTED.findall(self.output())}

    def stop(self, sig: signal.Signals, timeout: float = 120) -> int:
        self.process.send_signal(sig)
        try:
            return self.process.wait(timeout)
        finally:
            self.handle.close()

    def kill(self) -> None:
        """Last resort when a test fails half way: no process may outlive the test."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(120)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
        for pid in self.child_pids().values():
            if alive(pid):
                os.killpg(pid, signal.SIGKILL)
        self.handle.close()


def kiosk_member(credentials: dict[str, Any]) -> tuple[httpx.Client, dict[str, str]]:
    """A client on the gateway and the member headers of the first demo member."""
    client = httpx.Client(base_url=credentials["gateway_url"], timeout=15)
    member = credentials["members"][0]
    identified = client.post(
        "/v1/kiosk/identify",
        json={"badge": member["badge"], "pin": member["pin"]},
        headers={"Authorization": f"Bearer {credentials['kiosk_token']}"},
    )
    assert identified.status_code == 200, identified.text
    return client, {"Authorization": f"Bearer {identified.json()['member_token']}"}


def assert_nothing_left(run: MakeRun, ports: list[int], data: Path) -> None:
    pids = run.child_pids()
    assert len(pids) == 3 * len(SERVICES) + 1, "API, worker, relay of each service; Flower"
    assert [name for name, pid in pids.items() if alive(pid)] == []
    assert [port for port in ports if port_open(port)] == []
    assert not (data / "postgres" / "postmaster.pid").exists(), "PostgreSQL was stopped"


def assert_the_cli_finds_the_stack(env: dict[str, str], data: Path, cwd: Path) -> None:
    """`myokine`, with no database named anywhere, talks to the running stack's."""
    assert "DATABASE_URL" not in env
    shown = subprocess.run(
        [
            str(Path(sys.executable).parent / "myokine"),
            "show-inventory",
            *("--chain", demo.CHAIN, "--gym", demo.GYM),
            "--json",
        ],
        env=env,
        cwd=cwd,  # no .env here
        capture_output=True,
        text=True,
        check=False,
    )
    assert shown.returncode == 0, shown.stdout + shown.stderr
    assert json.loads(shown.stdout)["unit"] in ("kg", "lb")
    assert str(data / "stack.env") in shown.stderr


def test_make_run_twice_on_the_same_data(scratch_dir: Path) -> None:
    data = scratch_dir / "make-run"
    ports = [free_port() for _ in range(7)]
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "REDIS_URL", "DB_PREFIX", "MYOKINE_ENV")
    }
    env.update(
        DEVSTACK_DATA_DIR=str(data),
        DEVSTACK_POSTGRES_PORT=str(ports[4]),
        DEVSTACK_REDIS_PORT=str(ports[5]),
        DEVSTACK_FLOWER_PORT=str(ports[6]),
        # Eight ports from here on: the workers' and relays' metrics.
        DEVSTACK_METRICS_BASE_PORT=str(free_port()),
        **{f"{s.upper()}_HTTP_PORT": str(p) for s, p in zip(SERVICES, ports, strict=False)},
    )

    first = MakeRun(env, scratch_dir / "make-run-1.log")
    try:
        first.wait_for_banner()
        credentials = json.loads((data / "demo-credentials.json").read_text())
        assert credentials["gateway_url"].endswith(f":{ports[0]}")
        assert credentials["members"] and credentials["kiosk_token"]
        output = first.output()
        for path in ("/kiosk", "/dashboard", "/docs"):
            assert f"http://127.0.0.1:{ports[0]}{path}" in output
        monitor = httpx.get(f"http://127.0.0.1:{ports[6]}/healthcheck", timeout=10)
        assert f"http://127.0.0.1:{ports[6]}" in output and monitor.status_code == 200
        client, member = kiosk_member(credentials)
        try:
            plan = client.get("/v1/kiosk/today", headers=member).json()
            a_set = {"exercise": plan["exercises"][0]["exercise"], "load": 24, "reps": 9}
            key = str(uuid.uuid4())
            logged = client.post(
                "/v1/kiosk/sets", json=a_set, headers={**member, "Idempotency-Key": key}
            )
        finally:
            client.close()
        assert logged.status_code == 201, logged.text
        set_id = logged.json()["id"]
        assert_the_cli_finds_the_stack(env, data, scratch_dir)

        assert first.stop(signal.SIGTERM) == 0
        assert_nothing_left(first, ports, data)
    finally:
        first.kill()

    second = MakeRun(env, scratch_dir / "make-run-2.log")
    try:
        second.wait_for_banner()
        credentials = json.loads((data / "demo-credentials.json").read_text())
        client, member = kiosk_member(credentials)
        try:
            today = client.get("/v1/kiosk/today", headers=member)
            # The kiosk's retry of the first run's set: answered from the first run's data.
            # (Today's sets would say so too, unless midnight at the gym fell between runs.)
            again = client.post(
                "/v1/kiosk/sets", json=a_set, headers={**member, "Idempotency-Key": key}
            )
        finally:
            client.close()
        assert today.status_code == 200, today.text
        assert again.status_code == 201, again.text
        assert again.json()["id"] == set_id, "the second run reuses the first run's data"

        assert second.stop(signal.SIGINT) == 0
        assert_nothing_left(second, ports, data)
        assert not (data / "stack.env").exists(), "a stopped stack is not found"
    finally:
        second.kill()
