"""Trainers and chain admins manage the chain in the dashboard (issue 13): members added,
edited, deactivated, given new PINs and imported from a file; programs edited into new
versions, assignments ended and moved; sets corrected and voided with reasons; trainers and
kiosks (chain admins only); a member exported and erased; the session kept over an expired
access token; every page at a laptop's and a desk's size. Each test makes members of its own.
"""

from __future__ import annotations

import csv
import io
import json
import re
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, FilePayload, Locator, Page, ViewportSize, expect

from devstack.testing import WebhookReceiver
from gateway_service.demo import CHAIN, TRAINER_NAME
from gateway_service.domain.webhooks import verify

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.timeout(600)]

LAPTOP: ViewportSize = {"width": 1366, "height": 768}
DESK: ViewportSize = {"width": 1920, "height": 1080}
PORTRAIT: ViewportSize = {"width": 1080, "height": 1920}
SQUAT = "barbell-back-squat"
PIN = "2468"


def sign_in(page: Page, email: str, password: str) -> None:
    """The dashboard's sign-in form, then the members page."""
    page.goto("/dashboard")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Members", level=1).wait_for()


@contextmanager
def api_as(system: Any, email: str, password: str) -> Iterator[httpx.Client]:
    """The API as this trainer."""
    with httpx.Client(base_url=system.url, timeout=15) as client:
        answer = client.post("/v1/auth/token", data={"username": email, "password": password})
        assert answer.status_code == 200, answer.text
        client.headers["Authorization"] = f"Bearer {answer.json()['access_token']}"
        yield client


def identify(system: Any, badge: str, pin: str, kiosk_token: str) -> int:
    """The status a kiosk gets for this badge and PIN (200: the member is signed in)."""
    answer = httpx.post(
        f"{system.url}/v1/kiosk/identify",
        json={"badge": badge, "pin": pin},
        headers={"Authorization": f"Bearer {kiosk_token}"},
        timeout=15,
    )
    return answer.status_code


def badge() -> str:
    return str(uuid.uuid4().int)[:10]


def add_member(
    api: httpx.Client, system: Any, name: str, *, gym_id: str | None = None
) -> dict[str, str]:
    """A member of the demo chain made through the API, with PIN 2468."""
    body = {
        "name": name,
        "badge": badge(),
        "pin": PIN,
        "home_gym_id": gym_id or system.credentials["gym_id"],
    }
    answer = api.post("/v1/members", json=body)
    assert answer.status_code == 201, answer.text
    return {**answer.json(), "pin": PIN}


def dialog(page: Page, name: str) -> Locator:
    found = page.get_by_role("dialog", name=name)
    expect(found).to_be_visible()
    return found


def confirm(page: Page, title: str, action: str) -> None:
    """Say yes in the confirmation dialog, which opens with the focus on Cancel."""
    box = dialog(page, title)
    expect(box.get_by_role("button", name="Cancel")).to_be_focused()
    box.get_by_role("button", name=action, exact=True).click()
    expect(box).to_have_count(0)


def downloaded(page: Page, click: Callable[[], None]) -> tuple[str, str]:
    """What the browser saved when `click` ran: its file name and text."""
    with page.expect_download() as info:
        click()
    saved = info.value
    return saved.suggested_filename, Path(saved.path()).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def admin_api(system: Any) -> Iterator[httpx.Client]:
    """The API as the demo chain admin, signed in once: sign-ins are rate limited."""
    with api_as(
        system, system.credentials["trainer_email"], system.credentials["trainer_password"]
    ) as api:
        yield api


@pytest.fixture(scope="module")
def kiosk(system: Any, admin_api: httpx.Client) -> str:
    """The token of a kiosk of the demo gym for these tests' sign-ins, so that they count
    against no other test's kiosk limit (sign-ins are limited per kiosk)."""
    made = admin_api.post(
        "/v1/kiosks", json={"gym_id": system.credentials["gym_id"], "name": "Squat rack 1"}
    )
    assert made.status_code == 201, made.text
    token: str = made.json()["token"]
    return token


@pytest.fixture(scope="module")
def second_gym(system: Any) -> dict[str, str]:
    """Another gym of the demo chain, for trainers' gyms and kiosks."""
    name = "Myokine Riverside"
    made = system.cli("create-gym", "--chain", CHAIN, "--name", name, "--timezone", "Europe/Berlin")
    return {"id": str(made["id"]), "name": name}


@pytest.fixture
def admin_page(browser: Browser, system: Any) -> Iterator[Page]:
    """The dashboard at a laptop's size, signed in as the demo chain admin."""
    context = browser.new_context(viewport=LAPTOP, base_url=system.url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    sign_in(page, system.credentials["trainer_email"], system.credentials["trainer_password"])
    try:
        yield page
    finally:
        context.close()


# --- members -------------------------------------------------------------------------------


def test_a_trainer_adds_edits_deactivates_and_resets_the_pin_of_a_member(
    admin_page: Page, system: Any, screenshots: Path, kiosk: str
) -> None:
    page = admin_page
    page.get_by_role("link", name="Add a member").click()
    expect(page.get_by_role("heading", name="Member list", level=1)).to_be_visible()
    form = page.locator("#add-member-form")
    expect(form).to_be_visible()
    expect(page.locator("#add-member summary")).to_be_focused()

    # Nothing typed: the API's words for each field stand beside it.
    form.get_by_role("button", name="Add member").click()
    name_input = form.get_by_label("Name", exact=True)
    expect(name_input).to_have_attribute("aria-invalid", "true")
    expect(name_input).to_be_focused()
    expect(form.locator('.field:has([data-field="name"]) .field-error')).to_contain_text(
        "at least 1 character"
    )
    expect(form.locator(".form-error")).to_have_text("Not saved: see the fields marked.")

    # A badge the chain has already: the conflict is said in words.
    form.get_by_label("Name", exact=True).fill("Dora Duplicate")
    form.get_by_label("Badge", exact=True).fill(system.credentials["members"][0]["badge"])
    form.get_by_role("button", name="Add member").click()
    expect(form.locator(".form-error")).to_contain_text("badge")

    number = badge()
    form.get_by_label("Name", exact=True).fill("Nora Newcomer")
    form.get_by_label("Badge", exact=True).fill(number)
    form.get_by_label("Unit").select_option("lb")
    form.get_by_role("button", name="Add member").click()
    secret = page.get_by_role("group", name="PIN of Nora Newcomer")
    expect(secret).to_be_focused()
    expect(secret).to_contain_text("it is not shown again")
    pin = secret.get_by_role("textbox").input_value()
    assert re.fullmatch(r"\d{4,8}", pin), pin
    assert identify(system, number, pin, kiosk) == 200, "the PIN shown is the member's"
    row = page.locator("tr", has=page.get_by_role("link", name="Nora Newcomer"))
    expect(row).to_contain_text(number)
    expect(row).to_contain_text("lb")
    page.get_by_label("Find").fill("Newcomer")
    expect(page.locator("#roster-count")).to_have_text("1 member.")
    page.screenshot(path=str(screenshots / "dashboard-roster.png"), full_page=True)

    # Edit: a new name and unit; the row follows and the focus comes back to Edit.
    row.get_by_role("button", name="Edit Nora Newcomer").click()
    edit = dialog(page, "Edit Nora Newcomer")
    edit.get_by_label("Name", exact=True).fill("")
    edit.get_by_role("button", name="Save").click()
    expect(edit.get_by_label("Name", exact=True)).to_have_attribute("aria-invalid", "true")
    edit.get_by_label("Name", exact=True).fill("Nora Nextdoor")
    edit.get_by_label("Unit", exact=True).select_option("kg")
    edit.get_by_role("button", name="Save").click()
    expect(edit).to_have_count(0)
    row = page.locator("tr", has=page.get_by_role("link", name="Nora Nextdoor"))
    expect(row.get_by_role("button", name="Edit Nora Nextdoor")).to_be_focused()
    expect(row).to_contain_text("kg")
    page.get_by_label("Find").fill(number)
    expect(page.locator("#roster-count")).to_have_text("1 member.")

    # A PIN reset: the generated one is shown once and works; the old one does not.
    row.get_by_role("button", name="Reset the PIN of Nora Nextdoor").click()
    reset = dialog(page, "New PIN for Nora Nextdoor")
    reset.get_by_label("PIN (optional)").fill("12")
    reset.get_by_role("button", name="Reset PIN").click()
    expect(reset.get_by_label("PIN (optional)")).to_have_attribute("aria-invalid", "true")
    reset.get_by_label("PIN (optional)").fill("")
    reset.get_by_role("button", name="Reset PIN").click()
    new_pin = reset.get_by_role("group", name="New PIN").get_by_role("textbox").input_value()
    assert new_pin != pin
    reset.get_by_role("button", name="Done").click()
    assert identify(system, number, new_pin, kiosk) == 200
    assert identify(system, number, pin, kiosk) == 401

    # Deactivated after a confirmation, the badge stops at once; reactivated, it works again.
    row.get_by_role("button", name="Deactivate Nora Nextdoor").click()
    confirm(page, "Deactivate Nora Nextdoor?", "Deactivate")
    expect(row.locator("td.status")).to_have_text("Deactivated")
    expect(row.get_by_role("button", name="Reactivate Nora Nextdoor")).to_be_focused()
    assert identify(system, number, new_pin, kiosk) != 200
    page.get_by_label("Status").select_option("active")
    expect(page.locator("#roster-count")).to_have_text("0 members.")
    page.get_by_label("Status").select_option("inactive")
    row.get_by_role("button", name="Reactivate Nora Nextdoor").click()
    expect(row.locator("td.status")).to_have_text("Active")
    assert identify(system, number, new_pin, kiosk) == 200


def test_members_are_imported_from_a_file_with_each_bad_row_named_and_the_pins_to_download(
    admin_page: Page, system: Any, screenshots: Path, kiosk: str
) -> None:
    page = admin_page
    run = uuid.uuid4().hex[:6]
    gym = "Myokine Downtown"
    rows = [
        ["name", "badge", "pin", "home_gym", "unit", "external_id"],
        [f"Ivy Import {run}", badge(), "", gym, "kg", f"crm-{run}-1"],
        [f"Ike Import {run}", badge(), "5831", gym, "lb", f"crm-{run}-2"],
        [f"Ida Import {run}", badge(), "", gym, "", f"crm-{run}-3"],
        [f"Bad Pin {run}", badge(), "12", gym, "kg", f"crm-{run}-4"],
        [f"No Gym {run}", badge(), "", "Nowhere Gym", "kg", f"crm-{run}-5"],
    ]
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows(rows)
    upload: FilePayload = {
        "name": "members.csv",
        "mimeType": "text/csv",
        "buffer": text.getvalue().encode(),
    }

    page.goto("/dashboard#/roster/import")
    form = page.locator("#import-form")
    form.get_by_role("button", name="Import", exact=True).click()
    expect(form.locator(".form-error")).to_have_text("Choose a CSV or JSON-lines file first.")
    form.get_by_label("File").set_input_files(files=upload)
    form.get_by_role("button", name="Import", exact=True).click()
    summary = page.locator(".import-summary")
    expect(summary).to_have_text("3 created · 0 updated · 0 unchanged · 2 rows left out")
    expect(summary).to_be_focused()

    errors = page.locator("#import-errors tbody tr")
    expect(errors).to_have_count(2)
    expect(errors.nth(0).locator("td").nth(0)).to_have_text("4")
    expect(errors.nth(0).locator("td").nth(1)).to_have_text("pin")
    expect(errors.nth(1).locator("td").nth(0)).to_have_text("5")
    expect(errors.nth(1).locator("td").nth(1)).to_have_text("home_gym")

    pins = page.locator("#import-pins tbody tr")
    expect(pins).to_have_count(2)
    page.screenshot(path=str(screenshots / "dashboard-import.png"), full_page=True)
    name, saved = downloaded(
        page, lambda: page.get_by_role("button", name="Download the PINs (CSV)").click()
    )
    assert name == "member-pins.csv"
    listed = list(csv.reader(io.StringIO(saved)))
    assert listed[0] == ["row", "badge", "pin"]
    assert [r[0] for r in listed[1:]] == ["1", "3"]
    assert {r[1] for r in listed[1:]} == {rows[1][1], rows[3][1]}
    for _, number, pin in listed[1:]:
        assert identify(system, number, pin, kiosk) == 200, "each PIN downloaded is its member's"
    assert identify(system, rows[2][1], "5831", kiosk) == 200

    # The imported members are in the list; the same file again changes nothing.
    page.get_by_label("Find").fill(f"Import {run}")
    expect(page.locator("#roster-count")).to_have_text("3 members.")
    form.get_by_role("button", name="Import", exact=True).click()
    expect(summary).to_have_text("0 created · 0 updated · 3 unchanged · 2 rows left out")
    expect(page.locator("#import-pins")).to_have_count(0)

    # JSON lines too, matched on external id: one row renames a member.
    line = {
        "name": f"Ivy Renamed {run}",
        "badge": rows[1][1],
        "home_gym": gym,
        "external_id": rows[1][5],
    }
    ndjson: FilePayload = {
        "name": "members.jsonl",
        "mimeType": "",
        "buffer": (json.dumps(line) + "\n").encode(),
    }
    form.get_by_label("File").set_input_files(files=ndjson)
    form.get_by_role("button", name="Import", exact=True).click()
    expect(summary).to_have_text("0 created · 1 updated · 0 unchanged · no rows left out")
    page.get_by_label("Find").fill(f"Ivy Renamed {run}")
    expect(page.locator("#roster-count")).to_have_text("1 member.")


# --- programs, assignments and sets --------------------------------------------------------


def program_body(name: str, rep_max: int = 12) -> dict[str, Any]:
    return {
        "name": name,
        "sessions_per_week": 3,
        "days": [
            {
                "name": "A",
                "exercises": [
                    {"exercise": SQUAT, "sets": 3, "rep_min": 6, "rep_max": rep_max},
                    {"exercise": "bench-press", "sets": 3, "rep_min": 6, "rep_max": 12},
                    {"exercise": "barbell-row", "sets": 3, "rep_min": 6, "rep_max": 12},
                ],
            },
            {
                "name": "B",
                "exercises": [
                    {
                        "exercise": "deadlift",
                        "sets": 3,
                        "rep_min": 6,
                        "rep_max": 10,
                        "notes": "Brace first",
                    },
                    {"exercise": SQUAT, "sets": 3, "rep_min": 6, "rep_max": 12},
                    {"exercise": "overhead-press", "sets": 3, "rep_min": 6, "rep_max": 12},
                    {"exercise": "pull-up", "sets": 3, "rep_min": 6, "rep_max": 12},
                ],
            },
        ],
    }


def test_a_program_is_edited_into_a_new_version_and_a_member_moved_to_it_then_ended(
    admin_page: Page, system: Any, screenshots: Path, admin_api: httpx.Client
) -> None:
    page = admin_page
    name = f"Strength A/B {uuid.uuid4().hex[:4]}"
    made = admin_api.post(
        "/v1/programs", json=program_body(name), headers={"Idempotency-Key": uuid.uuid4().hex}
    )
    assert made.status_code == 201, made.text
    program_id = made.json()["id"]
    member = add_member(admin_api, system, "Vera Versions")
    assigned = admin_api.post(
        f"/v1/members/{member['id']}/assignments",
        json={
            "program_id": program_id,
            "start_date": datetime.now(system.timezone).date().isoformat(),
            "weekdays": [1, 3, 5],
        },
    )
    assert assigned.status_code == 201, assigned.text

    page.get_by_role("link", name="Programs", exact=True).click()
    row = page.locator(f'tr[data-program="{program_id}"]')
    expect(row.locator("td").first).to_have_text("1")
    page.screenshot(path=str(screenshots / "dashboard-programs.png"))
    row.get_by_role("link", name=f"Edit {name}").click()
    expect(page.get_by_role("heading", name=f"Edit “{name}”")).to_be_visible()
    expect(page.get_by_role("link", name="Programs", exact=True)).to_have_attribute(
        "aria-current", "page"
    )
    expect(page.locator("#verdict")).to_have_text("✓ Conforms to the protocol")
    page.locator('.day[data-day="0"]').get_by_label("to").first.fill("10")
    expect(page.locator("#verdict")).to_have_text("✓ Conforms to the protocol")
    page.get_by_role("button", name="Save as version 2").click()
    expect(page.locator("#save-result")).to_contain_text(f"Saved “{name}” as version 2.")
    expect(page.get_by_role("button", name="Save as version 3")).to_be_visible()

    saved = admin_api.get(f"/v1/programs/{program_id}").json()
    assert saved["version"] == 2
    assert saved["days"][0]["exercises"][0]["rep_max"] == 10
    assert saved["days"][1]["exercises"][0]["notes"] == "Brace first", "an edit keeps the notes"

    page.get_by_role("link", name="See the versions").click()
    versions = page.locator("article.version")
    expect(versions).to_have_count(2)
    expect(versions.first.get_by_role("heading", level=2)).to_have_text("Version 2current")
    expect(versions.first.locator(".changes")).to_contain_text(
        "Day A: Barbell back squat 3\u00d76\u201312 \u2192 3\u00d76\u201310."
    )
    expect(versions.last.locator(".changes")).to_have_text("First version.")
    page.screenshot(path=str(screenshots / "dashboard-versions.png"), full_page=True)

    # The member stays on version 1 until moved.
    page.goto(f"/dashboard#/members/{member['id']}")
    detail = page.locator("#assignment-detail")
    expect(detail).to_contain_text("Version 1 from")
    expect(detail).to_contain_text("Version 2 is out.")
    expect(page.locator("#member-program")).to_have_text(f"Program: {name}")
    page.get_by_role("button", name="Move to version 2").click()
    expect(detail).to_contain_text("Version 2 from")
    expect(detail).not_to_contain_text("is out")
    history = page.locator("#assignment-history tbody tr")
    expect(history).to_have_count(2)
    expect(history.first.locator("td").nth(1)).to_have_text("2")
    expect(history.first.locator("td").last).to_have_text("Current")
    expect(history.last.locator("td").last).to_contain_text("Ended")
    page.locator("#program-panel").screenshot(
        path=str(screenshots / "dashboard-member-program.png")
    )

    page.get_by_role("button", name="End program").click()
    confirm(page, "End Vera Versions's program?", "End program")
    expect(page.locator("#current-assignment")).to_have_text(
        "Vera Versions has no program: assign one below."
    )
    expect(page.locator("#member-program")).to_have_text("")
    expect(page.locator("#assign-program")).to_be_focused()
    listed = admin_api.get(f"/v1/members/{member['id']}/assignments").json()
    assert [a["active"] for a in listed] == [False, False]
    assert [a["program_version"] for a in listed] == [2, 1]


def test_a_trainer_corrects_and_voids_a_members_sets_with_reasons_and_pages_back(
    admin_page: Page, system: Any, screenshots: Path, member_api: Any, admin_api: httpx.Client
) -> None:
    page = admin_page
    member = add_member(admin_api, system, "Sam Sets")
    ids = []
    with member_api(member) as api:
        for reps in [8] * 22 + [9, 10, 11]:
            logged = api.post(
                "/v1/kiosk/sets",
                json={"exercise": SQUAT, "load": 40, "unit": "kg", "reps": reps},
                headers={"Idempotency-Key": uuid.uuid4().hex},
            )
            assert logged.status_code == 201, logged.text
            ids.append(logged.json()["id"])

    page.goto(f"/dashboard#/members/{member['id']}")
    rows = page.locator("#sets-panel tbody tr")
    expect(rows).to_have_count(20)
    expect(rows.first).to_have_attribute("data-set", ids[-1])
    page.get_by_role("button", name="Older sets").click()
    expect(rows).to_have_count(25)
    expect(rows.nth(20)).to_have_attribute("data-set", ids[4])
    expect(page.get_by_role("button", name="Older sets")).to_be_hidden()

    newest = page.locator(f'tr[data-set="{ids[-1]}"]')
    expect(newest.locator(".set-load")).to_have_text("40 kg \u00d7 11")
    newest.get_by_role("button", name=re.compile("^Correct")).click()
    fix = dialog(page, "Correct a set of Barbell back squat")
    fix.get_by_label("Reps").fill("10")
    fix.get_by_role("button", name="Save correction").click()
    reason = fix.get_by_label("Reason")
    expect(reason).to_have_attribute("aria-invalid", "true")
    expect(reason).to_be_focused()
    reason.fill("Counted 10 on the video")
    fix.get_by_role("button", name="Save correction").click()
    expect(fix).to_have_count(0)
    expect(newest.locator(".set-load")).to_have_text("40 kg \u00d7 10")
    expect(newest.locator(".trail")).to_contain_text(f"Corrected by {TRAINER_NAME}")
    expect(newest.locator(".trail")).to_contain_text("reps 11 → 10")
    expect(newest.locator(".trail")).to_contain_text("Reason: Counted 10 on the video")
    expect(newest.get_by_role("button", name=re.compile("^Correct"))).to_be_focused()
    expect(rows).to_have_count(25)

    second = page.locator(f'tr[data-set="{ids[-2]}"]')
    second.get_by_role("button", name=re.compile("^Void")).click()
    void = dialog(page, "Void a set of Barbell back squat?")
    void.get_by_label("Reason").fill("Logged twice")
    void.get_by_role("button", name="Void set").click()
    expect(void).to_have_count(0)
    expect(second.locator("td").nth(2)).to_have_text("Void")
    expect(second.locator(".trail")).to_contain_text("Reason: Logged twice")
    expect(second.get_by_role("button")).to_have_count(0)
    box = page.locator("#sets-panel").bounding_box()
    assert box is not None
    top = box["y"] + page.evaluate("window.scrollY")
    # The panel's first rows: the corrected and the voided set, and a few as logged.
    page.screenshot(
        path=str(screenshots / "dashboard-sets.png"),
        full_page=True,
        clip={"x": box["x"], "y": top, "width": box["width"], "height": min(box["height"], 640)},
    )

    corrected = system.stored_set(member["id"], ids[-1])
    assert corrected["reps"] == 10
    assert [(c["action"], c["reason"]) for c in corrected["changes"]] == [
        ("corrected", "Counted 10 on the video")
    ]
    voided = system.stored_set(member["id"], ids[-2])
    assert voided["voided_at"] is not None
    assert voided["changes"][-1]["reason"] == "Logged twice"


# --- a chain admin's pages -----------------------------------------------------------------


def test_a_chain_admin_adds_a_trainer_changes_their_gyms_and_role_and_deactivates_them(
    admin_page: Page, system: Any, screenshots: Path, second_gym: dict[str, str]
) -> None:
    page = admin_page
    page.get_by_role("link", name="Trainers").click()
    expect(page.get_by_role("heading", name="Trainers", level=1)).to_be_visible()
    page.locator("#add-trainer summary").click()
    form = page.locator("#add-trainer-form")
    email = f"robin-{uuid.uuid4().hex[:6]}@demo.myokine.dev"
    form.get_by_label("Email").fill("not an email")
    form.get_by_label("Name", exact=True).fill("Robin Rookie")
    form.get_by_role("button", name="Add trainer").click()
    expect(form.locator(".form-error")).not_to_be_empty()

    form.get_by_label("Email").fill(email)
    form.get_by_role("group", name="Gyms they work in").get_by_label(second_gym["name"]).check()
    form.get_by_role("button", name="Add trainer").click()
    secret = page.get_by_role("group", name="Password of Robin Rookie")
    expect(secret).to_be_focused()
    password = secret.get_by_role("textbox").input_value()
    row = page.locator("tr", has_text=email)
    expect(row).to_contain_text(second_gym["name"])
    expect(row).to_contain_text("Trainer")
    with api_as(system, email, password) as api:
        assert [g["id"] for g in api.get("/v1/gyms").json()] == [second_gym["id"]]
    page.screenshot(path=str(screenshots / "dashboard-trainers.png"), full_page=True)

    row.get_by_role("button", name="Edit Robin Rookie").click()
    edit = dialog(page, "Edit Robin Rookie")
    edit.get_by_label("Myokine Downtown").check()
    edit.get_by_label(second_gym["name"]).uncheck()
    edit.get_by_role("button", name="Save").click()
    expect(edit).to_have_count(0)
    expect(row.locator("td").nth(2)).to_have_text("Myokine Downtown")
    with api_as(system, email, password) as api:
        assert [g["id"] for g in api.get("/v1/gyms").json()] == [system.credentials["gym_id"]]

    row.get_by_role("button", name="Edit Robin Rookie").click()
    edit = dialog(page, "Edit Robin Rookie")
    edit.get_by_label("Role").select_option("chain_admin")
    edit.get_by_role("button", name="Save").click()
    expect(row.locator("td").nth(1)).to_have_text("Chain admin")
    expect(row.locator("td").nth(2)).to_have_text("Every gym (chain admin)")

    row.get_by_role("button", name="Deactivate Robin Rookie").click()
    confirm(page, "Deactivate Robin Rookie?", "Deactivate")
    expect(row.locator("td.status")).to_have_text("Deactivated")
    refused = httpx.post(
        f"{system.url}/v1/auth/token", data={"username": email, "password": password}, timeout=15
    )
    assert refused.status_code == 401


def test_a_chain_admin_adds_rotates_and_revokes_a_kiosk(
    admin_page: Page,
    browser: Browser,
    system: Any,
    screenshots: Path,
    second_gym: dict[str, str],
    admin_api: httpx.Client,
) -> None:
    page = admin_page
    member = add_member(admin_api, system, "Kim Kiosk", gym_id=second_gym["id"])
    page.get_by_role("link", name="Kiosks").click()
    section = page.locator(f'section[data-gym="{second_gym["id"]}"]')
    expect(section).to_contain_text("No kiosk here yet.")
    section.get_by_role("button", name="Add kiosk").click()
    expect(section.get_by_label("New kiosk's name")).to_have_attribute("aria-invalid", "true")
    section.get_by_label("New kiosk's name").fill("Rack 2")
    section.get_by_role("button", name="Add kiosk").click()
    secret = section.get_by_role("group", name="Kiosk URL of Rack 2")
    expect(secret).to_be_focused()
    url = secret.get_by_role("textbox").input_value()
    assert url.startswith(f"{system.url}/kiosk#kiosk_token="), url
    token = url.split("kiosk_token=", 1)[1]
    assert identify(system, member["badge"], PIN, token) == 200
    page.screenshot(path=str(screenshots / "dashboard-kiosks.png"), full_page=True)

    # The URL sets a kiosk up: its page asks for a badge.
    kiosk = browser.new_context(viewport=PORTRAIT, base_url=system.url)
    try:
        screen = kiosk.new_page()
        screen.goto(url)
        expect(screen.get_by_label("Badge", exact=True)).to_be_visible()
    finally:
        kiosk.close()

    row = section.locator("tr", has_text="Rack 2")
    row.get_by_role("button", name="New token for Rack 2").click()
    confirm(page, "New token for Rack 2?", "Make a new token")
    renewed_box = section.get_by_role("group", name="Kiosk URL of Rack 2").get_by_role("textbox")
    expect(renewed_box).not_to_have_value(url)
    renewed = renewed_box.input_value()
    new_token = renewed.split("kiosk_token=", 1)[1]
    assert new_token != token
    assert identify(system, member["badge"], PIN, token) == 401
    assert identify(system, member["badge"], PIN, new_token) == 200

    section.locator("tr", has_text="Rack 2").get_by_role("button", name="Revoke Rack 2").click()
    confirm(page, "Revoke Rack 2?", "Revoke")
    row = section.locator("tr", has_text="Rack 2")
    expect(row.locator("td.status")).to_contain_text("Revoked")
    expect(row.get_by_role("button", name="Bring back Rack 2")).to_be_focused()
    assert identify(system, member["badge"], PIN, new_token) == 401


def test_a_chain_admin_adds_a_webhook_watches_its_deliveries_and_deletes_it(
    admin_page: Page,
    system: Any,
    screenshots: Path,
    admin_api: httpx.Client,
    kiosk: str,
) -> None:
    page = admin_page
    crm = WebhookReceiver().start()
    try:
        for hook in admin_api.get("/v1/webhooks").json():
            admin_api.delete(f"/v1/webhooks/{hook['id']}")
        page.get_by_role("link", name="Webhooks").click()
        expect(page.get_by_text("No webhook yet.")).to_be_visible()
        form = page.get_by_role("form", name="Add a webhook")
        form.get_by_label("Receiver's URL").fill("ftp://crm.example.com/x")
        form.get_by_role("button", name="Add webhook").click()
        expect(form.get_by_label("Receiver's URL")).to_have_attribute("aria-invalid", "true")
        form.get_by_label("Receiver's URL").fill(crm.url)
        form.get_by_role("button", name="Add webhook").click()
        secret_box = page.get_by_role("group", name=f"Signing secret of {crm.url}")
        expect(secret_box).to_be_focused()
        secret = secret_box.get_by_role("textbox").input_value()
        assert secret.startswith("whsec_")

        member = add_member(admin_api, system, "Wes Webhook")
        assert identify(system, member["badge"], PIN, kiosk) == 200
        panel = page.locator("section[data-webhook]", has_text=crm.url)
        refresh = panel.get_by_role("button", name=f"Refresh the deliveries to {crm.url}")
        for _ in range(30):
            refresh.click()
            if panel.locator("td.status", has_text="Delivered").count():
                break
            page.wait_for_timeout(500)
        row = panel.locator("tr", has_text="member.checked_in")
        expect(row.locator("td.status")).to_have_text("Delivered")
        expect(row).to_contain_text("HTTP 200")
        [got] = [r for r in crm.got if b"member.checked_in" in r.body]
        assert verify(secret, got.headers["Myokine-Signature"], got.body, now=int(time.time()))
        page.screenshot(path=str(screenshots / "dashboard-webhooks.png"), full_page=True)

        panel.get_by_role("button", name=f"Delete the webhook to {crm.url}").click()
        confirm(page, f"Delete the webhook to {crm.url}?", "Delete")
        expect(page.get_by_text("No webhook yet.")).to_be_visible()
        assert admin_api.get("/v1/webhooks").json() == []
    finally:
        crm.stop()


def test_a_plain_trainer_sees_no_chain_admin_pages(
    browser: Browser, system: Any, admin_api: httpx.Client
) -> None:
    email = f"pat-{uuid.uuid4().hex[:6]}@demo.myokine.dev"
    password = f"pw-{uuid.uuid4().hex}"
    made = admin_api.post(
        "/v1/trainers",
        json={
            "email": email,
            "name": "Pat Plain",
            "gym_ids": [system.credentials["gym_id"]],
            "password": password,
        },
    )
    assert made.status_code == 201, made.text
    member = system.credentials["members"][0]
    context = browser.new_context(viewport=LAPTOP, base_url=system.url)
    try:
        page = context.new_page()
        sign_in(page, email, password)
        page.wait_for_load_state("networkidle")
        nav = page.get_by_role("navigation", name="Dashboard")
        expect(nav.get_by_role("link", name="Member list")).to_be_visible()
        expect(nav.get_by_role("link", name="Trainers")).to_be_hidden()
        expect(nav.get_by_role("link", name="Kiosks")).to_be_hidden()
        expect(nav.get_by_role("link", name="Webhooks")).to_be_hidden()
        page.goto("/dashboard#/trainers")
        expect(page.locator("#view p.error")).to_contain_text("Only a chain admin")
        page.goto(f"/dashboard#/members/{member['id']}")
        expect(page.get_by_role("heading", name=member["name"], level=1)).to_be_visible()
        expect(page.get_by_role("button", name="Export (JSON)")).to_be_visible()
        expect(page.get_by_role("button", name="Erase member")).to_have_count(0)
    finally:
        context.close()


def test_a_member_is_exported_and_erased_after_their_name_is_typed(
    admin_page: Page, system: Any, admin_api: httpx.Client, kiosk: str
) -> None:
    page = admin_page
    member = add_member(admin_api, system, "Erin Erase")
    page.goto(f"/dashboard#/members/{member['id']}")
    expect(page.get_by_role("heading", name="Erin Erase", level=1)).to_be_visible()
    name, saved = downloaded(page, lambda: page.get_by_role("button", name="Export (JSON)").click())
    assert name == f"member-{member['id']}.json"
    assert json.loads(saved)["profile"]["name"] == "Erin Erase"
    name, saved = downloaded(
        page, lambda: page.get_by_role("button", name="Export sets (CSV)").click()
    )
    assert name.endswith(".csv")

    page.get_by_role("button", name="Erase member").click()
    erase = dialog(page, "Erase Erin Erase?")
    go = erase.get_by_role("button", name="Erase for good")
    expect(go).to_be_disabled()
    erase.get_by_label("Type Erin Erase to confirm").fill("Erin")
    expect(go).to_be_disabled()
    erase.get_by_label("Type Erin Erase to confirm").fill("Erin Erase")
    go.click()
    expect(page.get_by_role("heading", name="Members", level=1)).to_be_visible()
    expect(page.locator(".flash")).to_contain_text("Erin Erase is erased")
    assert admin_api.get(f"/v1/members/{member['id']}").status_code == 404
    assert identify(system, member["badge"], PIN, kiosk) == 401


# --- the session and the fit ---------------------------------------------------------------


def test_a_garbage_access_token_is_refreshed_silently(admin_page: Page) -> None:
    page = admin_page
    page.evaluate("sessionStorage.setItem('myokine.dashboard.token', 'garbage')")
    page.goto("/dashboard#/roster")
    page.reload()
    expect(page.get_by_role("heading", name="Member list", level=1)).to_be_visible()
    expect(page.locator("tr[data-member]").first).to_be_visible()
    expect(page.get_by_role("link", name="Trainers")).to_be_visible()
    assert page.evaluate("sessionStorage.getItem('myokine.dashboard.token')") != "garbage"


@pytest.mark.parametrize("size", [LAPTOP, DESK], ids=["1366x768", "1920x1080"])
def test_every_management_page_fits_and_names_its_controls(
    browser: Browser, system: Any, size: ViewportSize, layout_problems: Any, admin_api: httpx.Client
) -> None:
    member = system.credentials["members"][0]
    program_id = admin_api.get("/v1/programs").json()[0]["id"]
    context = browser.new_context(viewport=size, base_url=system.url)
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        sign_in(page, system.credentials["trainer_email"], system.credentials["trainer_password"])
        drawn = {
            "#/members": "tr[data-member]",
            "#/roster/add": "#add-member-form",
            "#/roster/import": "#import-form",
            "#/programs": "tr[data-program]",
            f"#/programs/{program_id}": "article.version",
            f"#/builder/{program_id}": "#verdict",
            "#/trainers": "tr[data-trainer]",
            "#/kiosks": "tr[data-kiosk]",
            f"#/members/{member['id']}": "#assignment-history table",
        }
        for route, sign in drawn.items():
            page.goto(f"/dashboard{route}")
            expect(page.locator(sign).first).to_be_visible()
            page.wait_for_load_state("networkidle")
            assert layout_problems(page) == [], route
        # A dialog, too, and Escape closes it with the focus back where it was.
        edit = page.get_by_role("button", name=f"Edit {member['name']}")
        edit.click()
        expect(dialog(page, f"Edit {member['name']}")).to_be_visible()
        assert layout_problems(page) == []
        page.keyboard.press("Escape")
        expect(page.get_by_role("dialog")).to_have_count(0)
        expect(edit).to_be_focused()
    finally:
        context.close()
