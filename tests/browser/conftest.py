"""The kiosk and dashboard pages in headless Chromium, against the whole system running.

The system is started as real processes by the devstack supervisor, as `make run` does,
on this run's PostgreSQL (databases `<DB_PREFIX>browser_<service>`, dropped by the root
conftest) and a Redis server of its own; the demo chain is seeded with the operator CLI.
The browser is Debian's `chromium`, driven by Playwright: nothing downloads a browser.
Without chromium the tests skip, except under CI=true, where they fail.

    UPDATE_SCREENSHOTS=1 .venv/bin/pytest tests/browser   # refresh docs/screenshots
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from devstack.embedded import EmbeddedRedis, free_port
from devstack.stack import ROOT, SERVICES, Stack
from devstack.supervisor import Supervisor
from gateway_service.demo import CHAIN, GYM

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = ROOT / "docs" / "screenshots"
PORTRAIT = {"width": 1080, "height": 1920}
LANDSCAPE = {"width": 1920, "height": 1080}


@dataclass
class System:
    """The running system and its seeded demo credentials."""

    stack: Stack
    supervisor: Supervisor
    credentials: dict[str, Any]
    log_path: Path

    @property
    def url(self) -> str:
        """The gateway, which serves the pages."""
        return self.stack.url("gateway")

    def log_tail(self, lines: int = 120) -> str:
        """What the processes logged last."""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def cli(self, *args: str) -> Any:
        """The operator CLI (`myokine`) run against this system: what it printed, as JSON."""
        done = subprocess.run(
            [str(self.stack.python.parent / "myokine"), *args],
            env={**os.environ, **self.stack.env()},
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, f"myokine {' '.join(args)}: {done.stderr}"
        return json.loads(done.stdout)

    def new_member(self, name: str, *, gym: str = GYM, unit: str = "kg") -> dict[str, str]:
        """A member of the demo chain for one test, so its workouts change no other test's."""
        badge, pin = str(uuid.uuid4().int)[:9], "2468"
        shown = self.cli(
            "create-member",
            *("--chain", CHAIN, "--gym", gym, "--name", name),
            *("--badge", badge, "--pin", pin, "--unit", unit),
        )
        return {"id": str(shown["id"]), "badge": badge, "pin": pin, "name": name, "unit": unit}

    @contextmanager
    def trainer_api(self) -> Iterator[httpx.Client]:
        """The API as the demo trainer."""
        with httpx.Client(base_url=self.url, timeout=15) as client:
            answer = client.post(
                "/v1/auth/token",
                data={
                    "username": self.credentials["trainer_email"],
                    "password": self.credentials["trainer_password"],
                },
            )
            assert answer.status_code == 200, answer.text
            client.headers["Authorization"] = f"Bearer {answer.json()['access_token']}"
            yield client


def _chromium_or_skip() -> Path:
    if CHROMIUM.exists():
        return CHROMIUM
    found = shutil.which("chromium")
    if found:
        return Path(found)
    message = f"no Chromium at {CHROMIUM} (apt-get install -y chromium)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    """Debian's chromium binary."""
    return _chromium_or_skip()


@pytest.fixture(scope="session")
def system(scratch_dir: Path, chromium_path: Path) -> Iterator[System]:
    """The whole system as processes, stopped (every process) at the end of the run."""
    home = scratch_dir / "browser"
    redis = EmbeddedRedis(home / "redis", free_port(), persistent=True).start()
    ports: list[int] = []
    while len(ports) < len(SERVICES):
        port = free_port()
        if port not in ports:
            ports.append(port)
    stack = Stack(
        os.environ["DATABASE_URL"],
        redis.url,
        home,
        db_prefix=os.environ["DB_PREFIX"] + "browser_",
        ports=dict(zip(SERVICES, ports, strict=True)),
        environment="test",
    )
    log_path = home / "processes.log"
    with log_path.open("w") as log:
        supervisor = Supervisor(os.environ, log=log, cwd=ROOT)
        try:
            stack.migrate(os.environ)
            for spec in stack.process_specs():
                supervisor.add(spec)
            supervisor.start_all()
            supervisor.wait_ready(timeout=120)
            credentials = stack.seed_demo(os.environ, home / "demo-credentials.json")
            assert credentials is not None, "the operator CLI (myokine seed-demo) is missing"
            yield System(stack, supervisor, credentials, log_path)
        finally:
            supervisor.stop_all()
            redis.stop()


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    """Playwright's driver (shipped in its wheel)."""
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright, chromium_path: Path) -> Iterator[Browser]:
    """Headless Debian chromium."""
    launched = playwright.chromium.launch(
        executable_path=str(chromium_path), args=CHROMIUM_ARGS, headless=True
    )
    try:
        yield launched
    finally:
        launched.close()


def new_context(browser: Browser, system: System, viewport: dict[str, int]) -> BrowserContext:
    """A fresh browser profile (its own localStorage) on the gateway's origin."""
    context = browser.new_context(viewport=viewport, base_url=system.url)  # type: ignore[arg-type]
    context.set_default_timeout(15_000)
    return context


@pytest.fixture
def kiosk_page(browser: Browser, system: System) -> Iterator[Page]:
    """The kiosk page in portrait, set up with the demo kiosk's device token."""
    context = new_context(browser, system, PORTRAIT)
    page = context.new_page()
    page.goto(f"/kiosk#kiosk_token={system.credentials['kiosk_token']}")
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def dashboard_page(browser: Browser, system: System) -> Iterator[Page]:
    """The dashboard in landscape, signed in as the demo trainer."""
    context = new_context(browser, system, LANDSCAPE)
    page = context.new_page()
    page.goto("/dashboard")
    page.get_by_label("Email").fill(system.credentials["trainer_email"])
    page.get_by_label("Password").fill(system.credentials["trainer_password"])
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Members", level=1).wait_for()
    try:
        yield page
    finally:
        context.close()


@pytest.fixture(scope="session")
def screenshots(scratch_dir: Path) -> Path:
    """Where the screenshots of the main screens go.

    With UPDATE_SCREENSHOTS=1 that is docs/screenshots (committed, shown in the README);
    otherwise the run's scratch folder, so a test run leaves the work tree as it was.
    """
    folder = SCREENSHOTS if os.environ.get("UPDATE_SCREENSHOTS") == "1" else scratch_dir / "shots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """On a failure, show what the processes logged last."""
    report = yield
    running = getattr(item, "funcargs", {}).get("system")
    if report.failed and isinstance(running, System):
        report.sections.append(("processes (last lines)", running.log_tail()))
    return report
