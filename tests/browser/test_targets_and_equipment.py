"""Plate math and the roam marker at the kiosk; a gym's equipment, a lift's decisions and an
off-protocol program in the dashboard. Each test trains members of its own."""

from __future__ import annotations

import re
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, Route, expect

from gateway_service.demo import CHAIN

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.timeout(600)]

PROGRESSION_TIMEOUT_S = 60


def sign_in(page: Page, member: dict[str, str]) -> None:
    page.get_by_label("Badge", exact=True).fill(member["badge"])
    page.get_by_label("PIN", exact=True).fill(member["pin"])
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("li.exercise").first).to_be_visible()


def number(value: float) -> str:
    """A weight as the pages write it: `20`, `1.25`."""
    return f"{value:g}"


def plates_text(plates: dict[str, Any]) -> str:
    bar = f"{number(plates['bar'])} {plates['unit']}"
    if not plates["per_side"]:
        return f"Empty bar, {bar}"
    return f"Bar {bar} · each side: {' + '.join(number(p) for p in plates['per_side'])}"


def test_a_barbell_card_shows_the_plates_on_each_side(
    kiosk_page: Page, system: Any, screenshots: Path, member_api: Any
) -> None:
    member = system.new_member("Pat Plates")
    # Squat from 62.5 kg and bench from 40 kg; the row is calibrated from the empty bar.
    system.assign_program(member, starting_loads={"barbell-back-squat": 62.5, "bench-press": 40})
    with member_api(member) as api:
        # The starting loads reach progression as an event, a moment after the assignment.
        deadline = time.monotonic() + PROGRESSION_TIMEOUT_S
        while True:
            today = api.get("/v1/kiosk/today").json()
            exercises = {e["exercise"]: e for e in today["exercises"]}
            if exercises["barbell-back-squat"]["target_rule"] == "start":
                break
            assert time.monotonic() < deadline, "progression never took the starting loads in"
            time.sleep(0.5)
    assert exercises["barbell-back-squat"]["plates"] == {
        "unit": "kg",
        "bar": 20,
        "per_side": [20, 1.25],
    }

    sign_in(kiosk_page, member)
    for slug, exercise in exercises.items():
        shown = kiosk_page.locator(f'li.exercise[data-exercise="{slug}"] [data-role="plates"]')
        if exercise["equipment"] == "barbell" and exercise["plates"]:
            expect(shown).to_have_text(plates_text(exercise["plates"]))
        else:
            expect(shown).to_have_count(0)
    card = kiosk_page.locator('li.exercise[data-exercise="barbell-back-squat"]')
    expect(card.locator('[data-role="plates"]')).to_have_text("Bar 20 kg · each side: 20 + 1.25")
    expect(
        kiosk_page.locator('li.exercise[data-exercise="bench-press"] [data-role="plates"]')
    ).to_have_text("Bar 20 kg · each side: 10")
    expect(
        kiosk_page.locator('li.exercise[data-exercise="barbell-row"] [data-role="plates"]')
    ).to_have_text("Empty bar, 20 kg")
    kiosk_page.screenshot(path=str(screenshots / "kiosk-plates.png"))


def test_a_target_for_another_gym_is_marked_and_only_barbells_get_plates(
    kiosk_page: Page, system: Any
) -> None:
    page = kiosk_page
    member = system.credentials["members"][2]
    why = "Your next step is 62.5 kg; the nearest this gym's equipment makes is 63.5 kg."

    def roaming(route: Route) -> None:
        response = route.fetch()
        today = response.json()
        first, *others = today["exercises"]
        first.update(target_rule="roam", target_why=why)
        for other in others:
            other.update(equipment="dumbbell", plates=None)
        route.fulfill(response=response, json=today)

    page.route(re.compile(r"/v1/kiosk/today(\?.*)?$"), roaming)
    sign_in(page, member)
    cards = page.locator("li.exercise")
    note = cards.first.locator('[data-role="why"]')
    expect(note).to_have_attribute("data-rule", "roam")
    expect(note).to_have_text(why)
    marker = note.evaluate("(e) => getComputedStyle(e, '::before').content")
    assert "⇄ this gym" in marker
    for i in range(1, cards.count()):
        expect(cards.nth(i).locator('[data-role="plates"]')).to_have_count(0)
        assert cards.nth(i).locator('[data-role="why"]').evaluate(
            "(e) => getComputedStyle(e, '::before').content"
        ) in ("none", "normal")


def test_a_trainer_sets_a_gyms_equipment(
    dashboard_page: Page, system: Any, screenshots: Path
) -> None:
    page = dashboard_page
    name = f"Myokine Harbor {uuid.uuid4().hex[:4]}"
    gym = system.cli(
        "create-gym",
        "--chain",
        CHAIN,
        "--name",
        name,
        "--timezone",
        "America/New_York",
        "--unit",
        "lb",
    )
    # The overview lists the gyms members call home.
    system.new_member("Harper Harbor", gym=name, unit="lb")
    page.reload()
    page.get_by_role("link", name=f"Gym equipment of {name}").click()
    expect(page.get_by_role("heading", name=f"Gym equipment · {name}", level=1)).to_be_visible()
    version = page.locator("#equipment-version")
    expect(version).to_have_text(
        "Version 0 · on defaults: Barbell, Dumbbells, Kettlebells, Machines and cables, "
        "Bodyweight exercises"
    )
    save = page.get_by_role("button", name="Save equipment")
    status = page.locator("#equipment-status")

    kettlebells = page.locator('input[data-field="kettlebells"]')
    expect(kettlebells).to_be_disabled()
    page.get_by_label("Use defaults for kettlebells").uncheck()
    kettlebells.fill("18, 26, 35, 44, 53")
    save.click()
    expect(status).to_have_text("Saved: version 1.")
    expect(version).to_contain_text("Version 1 · on defaults: Barbell, Dumbbells, Machines")
    with system.trainer_api() as api:
        stored = api.get(f"/v1/gyms/{gym['id']}/inventory").json()
    assert stored["version"] == 1
    assert stored["kettlebells"] == [18, 26, 35, 44, 53]
    assert "kettlebells" not in stored["defaults"]

    # A bar too heavy for the API: its error shows beside the bar, and nothing is saved.
    page.get_by_label("Use defaults for barbell").uncheck()
    bar = page.locator('input[data-field="barbell.bar"]')
    bar.fill("70")
    save.click()
    expect(bar).to_have_attribute("aria-invalid", "true")
    error = page.locator(f"#{bar.get_attribute('aria-describedby')}")
    expect(error).to_contain_text("less than or equal to 60")
    expect(page.locator("#equipment-error")).to_have_text("Not saved: see the fields marked.")
    with system.trainer_api() as api:
        assert api.get(f"/v1/gyms/{gym['id']}/inventory").json()["version"] == 1

    # A 35 lb bar, without the 2.5 lb pair but with two pairs of 1.25 lb plates.
    bar.fill("35")
    rows = page.locator(".plate-row")
    last = rows.count() - 1
    expect(rows.nth(last).locator('input[data-field$=".weight"]')).to_have_value("2.5")
    page.get_by_role("button", name=f"Remove plate {last + 1}").click()
    page.get_by_role("button", name="+ Plate").click()
    rows.last.locator('input[data-field$=".weight"]').fill("1.25")
    rows.last.locator('input[data-field$=".pairs"]').fill("2")
    save.click()
    expect(status).to_have_text("Saved: version 2.")
    expect(page.locator("[aria-invalid]")).to_have_count(0)
    with system.trainer_api() as api:
        stored = api.get(f"/v1/gyms/{gym['id']}/inventory").json()
    assert stored["barbell"]["bar"] == 35
    assert stored["barbell"]["plates"][-1] == {"weight": 1.25, "pairs": 2}
    assert 2.5 not in [p["weight"] for p in stored["barbell"]["plates"]]
    assert stored["defaults"] == ["dumbbells", "machine", "bodyweight_step"]
    page.screenshot(path=str(screenshots / "dashboard-equipment.png"), full_page=True)


def test_a_trainer_reads_each_lifts_decisions_newest_first(
    dashboard_page: Page, system: Any, member_api: Any
) -> None:
    page = dashboard_page
    member = system.new_member("Dana Decisions")
    system.assign_program(member)
    slug = "barbell-back-squat"
    now = datetime.now(system.timezone)
    with member_api(member) as api:
        # Four workouts on four days up to today: a set of another day finishes the session
        # before it, and finishing ends today's.
        for days_ago in (3, 2, 1, 0):
            for reps in (8, 8, 8):
                logged = api.post(
                    "/v1/kiosk/sets",
                    json={
                        "exercise": slug,
                        "load": 40,
                        "unit": "kg",
                        "reps": reps,
                        "performed_at": (now - timedelta(days=days_ago)).isoformat(),
                    },
                    headers={"Idempotency-Key": uuid.uuid4().hex},
                )
                assert logged.status_code == 201, logged.text
        finished = api.post("/v1/kiosk/finish", headers={"Idempotency-Key": uuid.uuid4().hex})
        assert finished.status_code == 200, finished.text
    with system.trainer_api() as trainer:
        deadline = time.monotonic() + PROGRESSION_TIMEOUT_S
        while True:
            progress = trainer.get(f"/v1/members/{member['id']}/progress").json()
            decisions = progress["exercises"].get(slug, {}).get("decisions", [])
            if len(decisions) >= 4:
                break
            assert time.monotonic() < deadline, f"progression decided {len(decisions)} of 4"
            time.sleep(0.5)
    assert all(d["why"] for d in decisions)

    page.goto(f"/dashboard#/members/{member['id']}")
    lift = page.locator(f'article.lift[data-exercise="{slug}"]')
    rows = lift.locator(".decisions tbody tr")
    expect(rows).to_have_count(len(decisions))
    newest_first = decisions[::-1]
    visible = lift.locator(".decisions tbody tr:visible")
    expect(visible).to_have_count(3)
    for row, decision in zip(visible.all(), newest_first, strict=False):
        expect(row.locator("td.date")).to_have_text(decision["date"])
        expect(row.locator(".why")).to_have_text(decision["why"])
        expect(row).to_have_attribute("data-rule", decision["rule"])
        expect(row.locator(".target")).to_contain_text(f"{number(decision['load'])} kg \u00d7 ")
    more = lift.locator(".decisions button.more")
    expect(more).to_have_text(f"Show all {len(decisions)}")
    more.click()
    expect(visible).to_have_count(len(decisions))
    expect(more).to_have_attribute("aria-expanded", "true")
    expect(more).to_have_text("Show the latest only")
    expect(rows.last.locator(".why")).to_have_text(decisions[0]["why"])


def test_an_off_protocol_program_is_marked_on_the_member_page(
    dashboard_page: Page, system: Any
) -> None:
    page = dashboard_page
    member = system.new_member("Olive Offprotocol")
    name = f"Squats only {uuid.uuid4().hex[:4]}"
    reason = "Knee rehab: squats only for four weeks"
    with system.trainer_api() as api:
        saved = api.post(
            "/v1/programs",
            json={
                "name": name,
                "sessions_per_week": 3,
                "days": [
                    {
                        "name": "A",
                        "exercises": [
                            {
                                "exercise": "barbell-back-squat",
                                "sets": 3,
                                "rep_min": 6,
                                "rep_max": 12,
                            }
                        ],
                    }
                ],
                "exception_reason": reason,
            },
            headers={"Idempotency-Key": uuid.uuid4().hex},
        )
        assert saved.status_code == 201, saved.text
        assert saved.json()["exception_reason"] == reason

    page.goto(f"/dashboard#/members/{member['id']}")
    expect(page.get_by_role("heading", name=member["name"], level=1)).to_be_visible()
    page.get_by_label("Program", exact=True).select_option(label=f"{name} (off protocol)")
    page.get_by_role("button", name="Assign", exact=True).click()
    note = page.locator("#member-program")
    expect(note).to_have_text(f"Program: {name} (off protocol) · reason: {reason}")
    expect(note.locator(".off-protocol")).to_have_text("(off protocol)")


def test_the_load_buttons_step_through_loads_the_gym_makes(
    kiosk_page: Page, system: Any, member_api: Any
) -> None:
    """A pound member at a kg gym: + from 20 kg (44.09 lb) goes to 22.5 kg (49.6 lb), a load
    the plates make, not to 49.09 lb."""
    member = system.new_member("Lee Pounds", unit="lb")
    system.assign_program(member)
    with member_api(member) as api:
        squat = next(
            e for e in api.get("/v1/kiosk/today").json()["exercises"] if e["equipment"] == "barbell"
        )
    assert squat["target_load"] == 44.09
    sign_in(kiosk_page, member)
    card = kiosk_page.locator(f'li.exercise[data-exercise="{squat["exercise"]}"]')
    card.get_by_role("button", name="More load").click()
    expect(card.get_by_role("button", name="Log 49.6 lb", exact=False)).to_be_visible()
    card.get_by_role("button", name="Less load").click()
    card.get_by_role("button", name="Less load").click()
    # Below the bar no load exists: the quick step takes over.
    expect(card.get_by_role("button", name="Log 39.09 lb", exact=False)).to_be_visible()
