"""A member and a trainer use the pages in a real browser, against the running system."""

from __future__ import annotations

import re
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, Request, Route, expect

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.timeout(600)]

NEXT_TARGETS_TIMEOUT_MS = 60_000


def identify(page: Page, badge: str, pin: str) -> None:
    """Badge on the on-screen keypad, PIN typed, OK: the workout shows."""
    page.get_by_label("Badge", exact=True).click()
    for digit in badge:
        page.get_by_role("group", name="Numeric keypad").get_by_role("button", name=digit).click()
    page.get_by_label("PIN", exact=True).fill(pin)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#workout")).to_be_visible()
    expect(page.locator("li.exercise").first).to_be_visible()


def logged_counts(client: httpx.Client) -> dict[str, int]:
    today = client.get("/v1/kiosk/today")
    assert today.status_code == 200, today.text
    return {e["exercise"]: len(e["logged"]) for e in today.json()["exercises"]}


def test_a_member_logs_a_whole_workout_and_sees_the_next_targets_move(
    kiosk_page: Page, system: Any, screenshots: Path, member_api: Any
) -> None:
    page = kiosk_page
    member = system.credentials["members"][0]
    expect(page.get_by_role("heading", name=re.compile("Welcome"))).to_be_visible()
    page.screenshot(path=str(screenshots / "kiosk-identify.png"))
    identify(page, member["badge"], member["pin"])
    expect(page.locator("#who")).to_have_text(member["name"])
    expect(page.locator("#week")).to_contain_text("this week")
    page.screenshot(path=str(screenshots / "kiosk-workout.png"))

    cards = page.locator("li.exercise")
    slugs = [cards.nth(i).get_attribute("data-exercise") for i in range(cards.count())]
    assert slugs, "the demo member has today's exercises"
    for slug in slugs:
        card = page.locator(f'li.exercise[data-exercise="{slug}"]')
        sets = int(re.findall(r"of (\d+) sets", card.locator('[data-role="sets"]').inner_text())[0])
        # One quick step up in reps, to use the steppers as a member would.
        before = card.locator('output[data-field="reps"]').inner_text()
        card.get_by_role("button", name="More reps").click()
        expect(card.locator('output[data-field="reps"]')).not_to_have_text(before)
        for done in range(1, sets + 1):
            card.locator('[data-role="log"]').click()
            expect(card.locator(".chip:not(.waiting)")).to_have_count(done)
        expect(card.locator('[data-role="sets"]')).to_have_text(f"{sets} of {sets} sets")
        expect(card).to_have_class(re.compile("complete"))
    expect(page.locator("#outbox")).to_be_hidden()

    # Undo takes back the last set; logging it again puts it back.
    last = page.locator(f'li.exercise[data-exercise="{slugs[-1]}"]')
    sets_last = last.locator(".chip").count()
    page.get_by_role("button", name="Undo last set").click()
    expect(last.locator(".chip")).to_have_count(sets_last - 1)
    last.locator('[data-role="log"]').click()
    expect(last.locator(".chip:not(.waiting)")).to_have_count(sets_last)

    page.get_by_role("button", name="Finish workout").click()
    expect(page.get_by_role("heading", name="Workout finished")).to_be_visible()
    moved = page.locator("#next-targets li.moved")
    expect(moved).to_have_count(len(slugs), timeout=NEXT_TARGETS_TIMEOUT_MS)
    for slug in slugs:
        expect(page.locator(f'#next-targets li[data-exercise="{slug}"]')).to_contain_text("today")
    page.screenshot(path=str(screenshots / "kiosk-finished.png"))

    with member_api(system.credentials["members"][0]) as api:
        progress = api.get("/v1/kiosk/progress").json()["exercises"]
    for slug in slugs:
        assert progress[slug]["next"]["load_kg"] is not None
        # Each next target says which rule made it and why, as the API does.
        row = page.locator(f'#next-targets li[data-exercise="{slug}"]')
        expect(row).to_have_attribute("data-rule", progress[slug]["next"]["rule"])
        expect(row.locator(".why")).to_have_text(progress[slug]["next"]["why"])


def test_a_set_logged_during_an_outage_is_sent_once_when_the_gateway_is_back(
    kiosk_page: Page, system: Any, screenshots: Path, member_api: Any
) -> None:
    page = kiosk_page
    member = system.credentials["members"][1]
    identify(page, member["badge"], member["pin"])
    card = page.locator("li.exercise").first
    slug = card.get_attribute("data-exercise")
    assert slug
    with member_api(system.credentials["members"][1]) as api:
        stored_before = logged_counts(api)[slug]

    page.context.set_offline(True)
    card.locator('[data-role="log"]').click()
    expect(card.locator(".chip.waiting")).to_have_count(1)
    expect(page.locator("#outbox")).to_have_text("1 set waiting to be sent")
    page.wait_for_timeout(5_000)  # a retry round passes while offline: still waiting
    expect(card.locator(".chip.waiting")).to_have_count(1)
    page.screenshot(path=str(screenshots / "kiosk-offline.png"))

    # The network is back but the gateway still refuses sets, and the page is reloaded:
    # the waiting set survives in the browser.
    page.route("**/v1/kiosk/sets", lambda route: route.abort("connectionrefused"))
    page.context.set_offline(False)
    page.reload()
    expect(page.get_by_role("heading", name=re.compile("Welcome"))).to_be_visible()
    expect(page.locator("#outbox")).to_have_text("1 set waiting to be sent")
    page.unroute("**/v1/kiosk/sets")

    # The gateway is back, but the first answer is lost on its way: the server stored the
    # set, the browser did not hear it, and sends the same set again.
    keys: list[str] = []

    def lose_first_answer(route: Route, request: Request) -> None:
        keys.append(request.headers["idempotency-key"])
        if len(keys) == 1:
            route.fetch()
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route("**/v1/kiosk/sets", lose_first_answer)
    expect(page.locator("#outbox")).to_be_hidden(timeout=30_000)
    identify(page, member["badge"], member["pin"])
    card = page.locator(f'li.exercise[data-exercise="{slug}"]')
    expect(card.locator(".chip.waiting")).to_have_count(0)
    expect(card.locator(".chip")).to_have_count(stored_before + 1)

    assert len(keys) >= 2, "the set was sent again after its answer was lost"
    assert len(set(keys)) == 1, "every attempt carried the same Idempotency-Key"
    with member_api(system.credentials["members"][1]) as api:
        assert logged_counts(api)[slug] == stored_before + 1, "stored exactly once"


def test_a_trainer_builds_checks_and_assigns_a_program(
    dashboard_page: Page, system: Any, screenshots: Path, member_api: Any
) -> None:
    page = dashboard_page
    for member in system.credentials["members"]:
        expect(page.locator(f'tr[data-member="{member["id"]}"]')).to_have_count(1)
    # Every gym's attention list answered (whoever is on it); other tests may add gyms.
    gyms = page.locator("section.panel")
    expect(gyms.first).to_be_visible()
    for i in range(gyms.count()):
        expect(gyms.nth(i).locator(".attention, p.ok")).to_have_count(1)
    page.screenshot(path=str(screenshots / "dashboard-members.png"))

    page.get_by_role("link", name="Program builder").click()
    expect(page.get_by_role("heading", name="Program builder")).to_be_visible()
    verdict = page.locator("#verdict")
    # Day A alone, squat only, three sessions a week: the protocol is not met.
    expect(verdict).to_have_text("✗ Does not conform yet")
    expect(page.locator("#violations li").first).to_be_visible()

    name = f"Browser A/B {uuid.uuid4().hex[:6]}"
    page.get_by_label("Name", exact=True).fill(name)
    day_a = page.locator('.day[data-day="0"]')
    for slug in ("bench-press", "barbell-row"):
        day_a.get_by_role("button", name="+ Exercise").click()
        day_a.locator(".ex-row select").last.select_option(slug)
    page.get_by_role("button", name="+ Day").click()
    day_b = page.locator('.day[data-day="1"]')
    for slug in ("deadlift", "barbell-back-squat", "overhead-press", "pull-up"):
        day_b.get_by_role("button", name="+ Exercise").click()
        day_b.locator(".ex-row select").last.select_option(slug)
    expect(verdict).to_have_text("✓ Conforms to the protocol")
    expect(page.locator("#violations li")).to_have_count(0)

    # A rep range outside 6-12 is caught live, and putting it back clears it.
    rep_max = day_a.get_by_label("to").first
    rep_max.fill("15")
    expect(verdict).to_have_text("✗ Does not conform yet")
    expect(page.locator("#violations")).to_contain_text("6")
    rep_max.fill("12")
    expect(verdict).to_have_text("✓ Conforms to the protocol")
    page.screenshot(path=str(screenshots / "dashboard-builder.png"))

    page.get_by_role("button", name="Save program").click()
    expect(page.locator("#save-result")).to_have_text(f"Saved “{name}”.")
    target = system.credentials["members"][2]
    page.get_by_label("Member").select_option(target["id"])
    page.get_by_role("button", name="Assign").click()
    expect(page.locator("#assign-box .result")).to_contain_text(f"to {target['name']}")

    with member_api(system.credentials["members"][2]) as api:
        today = api.get("/v1/kiosk/today").json()
    assert today["program_name"] == name
    assert today["day"] == "A"
    assert [e["exercise"] for e in today["exercises"]] == [
        "barbell-back-squat",
        "bench-press",
        "barbell-row",
    ]


def test_a_trainer_sees_a_members_charts(
    dashboard_page: Page, system: Any, screenshots: Path, member_api: Any
) -> None:
    page = dashboard_page
    member = system.credentials["members"][0]
    with member_api(system.credentials["members"][0]) as api:
        slug = next(e["exercise"] for e in api.get("/v1/kiosk/today").json()["exercises"])
        for reps in (8, 9):
            logged = api.post(
                "/v1/kiosk/sets",
                json={"exercise": slug, "load": 40, "unit": "kg", "reps": reps},
                headers={"Idempotency-Key": uuid.uuid4().hex},
            )
            assert logged.status_code == 201, logged.text
        finished = api.post("/v1/kiosk/finish", headers={"Idempotency-Key": uuid.uuid4().hex})
        assert finished.status_code == 200, finished.text
        deadline = time.monotonic() + 60
        while not api.get("/v1/kiosk/progress").json()["exercises"].get(slug, {}).get("series"):
            assert time.monotonic() < deadline, "progression never drew an e1RM series"
            time.sleep(0.5)

    page.locator("tr[data-member]").get_by_role("link", name=member["name"]).click()
    expect(page.get_by_role("heading", name=member["name"], level=1)).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("Weekly pattern adherence"))).to_be_visible()
    chart = page.locator(f'figure.chart[data-exercise="{slug}"]')
    expect(chart.locator("circle").first).to_be_attached()
    expect(chart.locator("figcaption")).to_contain_text("best e1RM")
    expect(page.get_by_role("heading", name="Assign a program")).to_be_visible()
    # The two sets just logged, newest first, head the page's set history.
    logged = page.locator("#sets-panel tbody tr .set-load")
    expect(logged.nth(0)).to_have_text("40 kg \u00d7 9")
    expect(logged.nth(1)).to_have_text("40 kg \u00d7 8")
    page.screenshot(path=str(screenshots / "dashboard-member.png"), full_page=True)


def test_a_personal_record_is_celebrated(
    kiosk_page: Page, system: Any, screenshots: Path, member_api: Any
) -> None:
    page = kiosk_page
    member = system.credentials["members"][2]
    with member_api(system.credentials["members"][2]) as api:
        slug = next(e["exercise"] for e in api.get("/v1/kiosk/today").json()["exercises"])
        # A baseline two days ago (the first exposure sets no record).
        earlier = (datetime.now(UTC) - timedelta(days=2)).isoformat()
        baseline = api.post(
            "/v1/kiosk/sets",
            json={"exercise": slug, "load": 20, "unit": "kg", "reps": 8, "performed_at": earlier},
            headers={"Idempotency-Key": uuid.uuid4().hex},
        )
        assert baseline.status_code == 201, baseline.text
        deadline = time.monotonic() + 60
        while (
            api.get("/v1/kiosk/progress").json()["exercises"].get(slug, {}).get("best_e1rm_kg")
            is None
        ):
            assert time.monotonic() < deadline, "progression never took the baseline in"
            time.sleep(0.5)

    identify(page, member["badge"], member["pin"])
    card = page.locator(f'li.exercise[data-exercise="{slug}"]')
    for _ in range(6):
        card.get_by_role("button", name="More load").click()
    card.locator('[data-role="log"]').click()
    dialog = page.get_by_role("alertdialog", name="New personal record!")
    expect(dialog).to_be_visible(timeout=30_000)
    expect(dialog).to_contain_text("estimated 1RM")
    page.screenshot(path=str(screenshots / "kiosk-pr.png"))
    dialog.get_by_role("button", name="Keep going").click()
    expect(dialog).to_be_hidden()


VIEWPORTS = {
    "portrait": {"width": 1080, "height": 1920},
    "landscape": {"width": 1920, "height": 1080},
}


@pytest.mark.parametrize("shape", sorted(VIEWPORTS))
def test_the_pages_fit_the_screen_work_by_keyboard_and_name_every_control(
    browser: Browser, system: Any, shape: str, layout_problems: Any
) -> None:
    context = browser.new_context(viewport=VIEWPORTS[shape], base_url=system.url)  # type: ignore[arg-type]
    try:
        kiosk = context.new_page()
        kiosk.goto(f"/kiosk#kiosk_token={system.credentials['kiosk_token']}")
        member = system.credentials["members"][1]
        # Keyboard only: the badge field has the focus, Enter moves on, Enter signs in.
        expect(kiosk.get_by_label("Badge", exact=True)).to_be_focused()
        kiosk.keyboard.type(member["badge"])
        kiosk.keyboard.press("Enter")
        expect(kiosk.get_by_label("PIN", exact=True)).to_be_focused()
        kiosk.keyboard.type(member["pin"])
        kiosk.keyboard.press("Enter")
        card = kiosk.locator("li.exercise").first
        expect(card).to_be_visible()
        more = card.get_by_role("button", name="More reps")
        reps = card.locator('output[data-field="reps"]').inner_text()
        more.focus()
        kiosk.keyboard.press("Enter")
        expect(card.locator('output[data-field="reps"]')).not_to_have_text(reps)
        expect(more).to_be_focused()  # the redrawn card keeps the focus where it was
        assert layout_problems(kiosk, min_target=64) == []

        dashboard = context.new_page()
        dashboard.goto("/dashboard")
        dashboard.get_by_label("Email").fill(system.credentials["trainer_email"])
        dashboard.get_by_label("Password").fill(system.credentials["trainer_password"])
        dashboard.keyboard.press("Enter")
        expect(dashboard.locator("tr[data-member]").first).to_be_visible()
        drawn = {
            "#/members": "tr[data-member]",
            "#/builder": "#verdict",
            f"#/members/{member['id']}": "#assign-program",
            f"#/gyms/{system.credentials['gym_id']}": "#save-equipment",
        }
        for route, sign in drawn.items():
            dashboard.goto(f"/dashboard{route}")
            expect(dashboard.locator(sign).first).to_be_visible()
            dashboard.wait_for_load_state("networkidle")
            assert layout_problems(dashboard) == [], route
    finally:
        context.close()


def test_the_week_box_says_on_protocol_only_when_every_pattern_is_in_range(
    kiosk_page: Page, system: Any
) -> None:
    """docs/protocol.md §1: squat 4 of 2-3 is "above", and the week is not on protocol."""
    page = kiosk_page
    member = system.credentials["members"][2]

    def squat_above(route: Route) -> None:
        response = route.fetch()
        today = response.json()
        for pattern, low, high in (
            ("squat", 2, 3),
            ("hinge", 1, 2),
            ("push", 2, 3),
            ("pull", 2, 3),
        ):
            done = 4 if pattern == "squat" else low
            status = "above" if pattern == "squat" else "in_range"
            today["week"][pattern] = {"done": done, "min": low, "max": high, "status": status}
        route.fulfill(response=response, json=today)

    page.route(re.compile(r"/v1/kiosk/today(\?.*)?$"), squat_above)
    identify(page, member["badge"], member["pin"])
    week = page.locator("#week")
    expect(week).to_contain_text("squat: 4 of 2\u20133 this week, above")
    expect(week).not_to_contain_text("on protocol")
