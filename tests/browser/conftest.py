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
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from devstack.embedded import EmbeddedRedis, free_port
from devstack.stack import ROOT, SERVICES, Stack
from devstack.supervisor import Supervisor
from devstack.testing import midday_zone
from gateway_service.demo import CHAIN, GYM, PROGRAM_PREFIX
from myokine.internal_auth import Caller, sign_internal_token
from myokine.settings import ServiceSettings

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

    @property
    def timezone(self) -> ZoneInfo:
        """The demo gym's time zone (`midday_zone` at the run's start)."""
        return ZoneInfo(self.credentials["gym_timezone"])

    def log_tail(self, lines: int = 120) -> str:
        """What the processes logged last."""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def cli(self, *args: str) -> Any:
        """The operator CLI (`myokine`) run against this system: its JSON document."""
        done = subprocess.run(
            [str(self.stack.python.parent / "myokine"), *args, "--json"],
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

    def assign_program(
        self,
        member: Mapping[str, str],
        *,
        program_id: str | None = None,
        starting_loads: Mapping[str, float] | None = None,
    ) -> None:
        """A program (the demo chain's 3-a-week one unless `program_id`) from today, as the
        trainer assigns it, with starting loads in kg if given."""
        today = datetime.now(self.timezone).date().isoformat()
        with self.trainer_api() as api:
            if program_id is None:
                programs = api.get("/v1/programs").json()
                program_id = next(p["id"] for p in programs if p["name"].startswith(PROGRAM_PREFIX))
            body: dict[str, Any] = {
                "program_id": program_id,
                "start_date": today,
                "weekdays": [1, 3, 5],
            }
            if starting_loads:
                body["starting_loads"] = dict(starting_loads)
            answer = api.post(
                f"/v1/members/{member['id']}/assignments",
                json=body,
                headers={"Idempotency-Key": uuid.uuid4().hex},
            )
            assert answer.status_code == 201, answer.text

    def stored_set(self, member_id: str, set_id: str) -> dict[str, Any]:
        """A set as logging keeps it (voided ones too), with its audit trail in `changes`.

        The public API shows no audit trail, so this asks the logging service as the
        system, with an internal token like the gateway's.
        """
        caller = Caller(
            sub="browser-tests", role="system", chain_id=uuid.UUID(self.credentials["chain_id"])
        )
        token = sign_internal_token(caller, ServiceSettings().internal_token_secret, ttl_seconds=60)
        answer = httpx.get(
            f"{self.stack.url('logging')}/internal/v1/members/{member_id}/sets/{set_id}",
            headers={"Authorization": f"Bearer {token}"},
            timeout=15,
        )
        assert answer.status_code == 200, answer.text
        stored: dict[str, Any] = answer.json()
        return stored

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
        # The suite signs members in and logs sets at one kiosk far faster than a gym does;
        # the limiter itself is tested in the gateway's tests and must not fail a page here.
        env = {
            **os.environ,
            "LOGIN_RATE_LIMIT_PER_MINUTE": "1000",
            "KIOSK_RATE_LIMIT_PER_MINUTE": "5000",
        }
        supervisor = Supervisor(env, log=log, cwd=ROOT)
        try:
            stack.migrate(os.environ)
            for spec in stack.process_specs():
                supervisor.add(spec)
            supervisor.start_all()
            supervisor.wait_ready(timeout=120)
            credentials = stack.seed_demo(
                os.environ, home / "demo-credentials.json", timezone=midday_zone()
            )
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


MemberApi = Callable[[Mapping[str, str]], AbstractContextManager[httpx.Client]]
"""`with member_api(member) as api:` the public API as that member at the demo kiosk."""


@pytest.fixture
def member_api(system: System) -> MemberApi:
    """The API as a member (badge and PIN) at the demo kiosk, to see what the server stored."""

    @contextmanager
    def signed_in(member: Mapping[str, str]) -> Iterator[httpx.Client]:
        with httpx.Client(base_url=system.url, timeout=15) as client:
            answer = client.post(
                "/v1/kiosk/identify",
                json={"badge": member["badge"], "pin": member["pin"]},
                headers={"Authorization": f"Bearer {system.credentials['kiosk_token']}"},
            )
            assert answer.status_code == 200, answer.text
            client.headers["Authorization"] = f"Bearer {answer.json()['member_token']}"
            yield client

    return signed_in


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


LAYOUT_PROBLEMS = """(minTarget) => {
  const shown = [...document.querySelectorAll("input, select, button, textarea, a")]
    .filter((e) => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== "hidden");
  const unnamed = shown
    .filter((e) => !(e.labels && e.labels.length) && !e.getAttribute("aria-label")
      && !e.getAttribute("aria-labelledby") && !e.textContent.trim())
    .map((e) => `unnamed: ${e.outerHTML.slice(0, 120)}`);
  const small = shown
    .filter((e) => e.tagName === "BUTTON")
    .map((e) => [e, e.getBoundingClientRect()])
    .filter(([, r]) => r.width < minTarget - 0.5 || r.height < minTarget - 0.5)
    .map(([e, r]) => `${Math.round(r.width)}x${Math.round(r.height)}: ${e.outerHTML.slice(0, 90)}`);
  const wider = document.documentElement.scrollWidth - window.innerWidth;
  return [...unnamed, ...small, ...(wider > 0 ? [`${wider} px wider than the window`] : [])];
}"""

LayoutProblems = Callable[..., list[str]]
"""`layout_problems(page, min_target=64)`: what is wrong with the page as drawn now."""


@pytest.fixture
def layout_problems() -> LayoutProblems:
    """Controls without a name, buttons smaller than `min_target` px (gloved fingers at the
    kiosk), and a page wider than its window: each as one line, none when all is well."""

    def problems(page: Page, min_target: int = 0) -> list[str]:
        found: list[str] = page.evaluate(LAYOUT_PROBLEMS, min_target)
        return found

    return problems


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
