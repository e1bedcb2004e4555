"""A whole session at the kiosk (issue 12): the rest timer, the idle limit, members taking
turns at one rack, correcting and voiding sets, swapping an exercise, training without a
program, the progress and timeline screen, the finished screen and the fit at both sizes.
Each test trains members of its own; the clock of the page is Playwright's where minutes
must pass."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Locator, Page, Route, expect

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.timeout(600)]

PROGRESSION_TIMEOUT_S = 60
SQUAT = "barbell-back-squat"
# Words that would turn an education card into a promise or medical advice.
CLAIM_WORDS = ("cure", "guarantee", "detox", "prescri", "diagnos", "will make you", "hormone level")
# Counts the tones the page plays: the beep at the end of a rest is three of them.
COUNT_TONES = """
window.__tones = 0;
const make = AudioContext.prototype.createOscillator;
AudioContext.prototype.createOscillator = function () {
  window.__tones += 1;
  return make.call(this);
};
"""


def identify(page: Page, member: dict[str, str]) -> None:
    """Badge and PIN, OK: the member's workout shows."""
    page.get_by_label("Badge", exact=True).fill(member["badge"])
    page.get_by_label("PIN", exact=True).fill(member["pin"])
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#workout")).to_be_visible()
    expect(page.locator("#who")).to_have_text(member["name"])


def trained_member(system: Any, name: str, **kwargs: Any) -> dict[str, str]:
    """A new member of the demo chain on the demo program (day A: squat, bench, row)."""
    member: dict[str, str] = system.new_member(name, **kwargs)
    system.assign_program(member)
    return member


def card(page: Page, slug: str) -> Locator:
    return page.locator(f'li.exercise[data-exercise="{slug}"]')


def log_sets(page: Page, slug: str, count: int) -> None:
    """Tap Log `count` times on a card and wait until the server has each set."""
    shown = card(page, slug)
    before = shown.locator("button.chip").count()
    for done in range(before + 1, before + count + 1):
        shown.locator('[data-role="log"]').click()
        expect(shown.locator("button.chip")).to_have_count(done)


def wait_for(what: str, check: Callable[[], Any]) -> Any:
    """Poll `check` until it answers something true (progression works a moment later)."""
    deadline = time.monotonic() + PROGRESSION_TIMEOUT_S
    while not (found := check()):
        assert time.monotonic() < deadline, f"never: {what}"
        time.sleep(0.5)
    return found


def test_a_set_starts_the_programs_rest_which_can_be_extended_or_skipped(
    kiosk_page: Page, system: Any, screenshots: Path
) -> None:
    page = kiosk_page
    member = system.new_member("Rhea Rest")
    notes = "Brace, then sit between your heels."
    with system.trainer_api() as api:
        saved = api.post(
            "/v1/programs",
            json={
                "name": "Squat focus",
                "sessions_per_week": 3,
                "days": [
                    {
                        "name": "A",
                        "exercises": [
                            {
                                "exercise": SQUAT,
                                "sets": 3,
                                "rep_min": 8,
                                "rep_max": 12,
                                "rest_seconds": 150,
                                "notes": notes,
                            }
                        ],
                    }
                ],
                "exception_reason": "A four-week squat technique block",
            },
            headers={"Idempotency-Key": uuid.uuid4().hex},
        )
        assert saved.status_code == 201, saved.text
    system.assign_program(member, program_id=saved.json()["id"])

    page.add_init_script(COUNT_TONES)
    page.clock.install()
    page.reload()
    identify(page, member)
    squat = card(page, SQUAT)
    expect(squat.locator('[data-role="facts"]')).to_have_text(
        re.compile("8\u201312 reps.*Rest 2 min 30 s")
    )
    expect(squat.locator('[data-role="notes"]')).to_have_text(f"Trainer: {notes}")
    expect(squat.locator('[data-role="sets"]')).to_have_text("0 of 3 sets")

    rest = page.get_by_role("region", name=re.compile("^Rest"))
    timer = page.get_by_role("timer")
    expect(rest).to_be_hidden()
    squat.locator('[data-role="log"]').click()
    expect(rest).to_be_visible()
    expect(rest).to_contain_text("Rest · Barbell back squat")
    expect(timer).to_have_text(re.compile(r"^2:(30|29|28)$"))
    expect(squat.locator('[data-role="sets"]')).to_have_text("1 of 3 sets")
    expect(squat.locator("button.chip")).to_have_count(1)
    page.screenshot(path=str(screenshots / "kiosk-rest.png"))

    page.get_by_role("button", name="Rest 30 seconds more").click()
    expect(timer).to_have_text(re.compile(r"^(3:00|2:5\d)$"))
    page.get_by_role("button", name="Skip rest").click()
    expect(rest).to_be_hidden()

    squat.locator('[data-role="log"]').click()
    expect(timer).to_have_text(re.compile(r"^2:(30|29|28)$"))
    page.clock.run_for(151_000)
    expect(timer).to_have_text("0:00")
    expect(rest).to_have_class(re.compile(r"\bover\b"))
    expect(rest.get_by_role("status")).to_have_text("Rest over: time for your next set.")
    assert page.evaluate("window.__tones") >= 3, "a beep at the end of the rest"
    # Resting for minutes keeps the member signed in.
    expect(page.locator("#who")).to_have_text(member["name"])
    page.get_by_role("button", name="Close").click()
    expect(rest).to_be_hidden()


def test_the_member_stays_signed_in_past_a_minute_and_leaves_after_the_idle_limit(
    kiosk_page: Page, system: Any
) -> None:
    page = kiosk_page
    member = trained_member(system, "Ida Idle")
    answer = httpx.post(
        f"{system.url}/v1/kiosk/identify",
        json={"badge": member["badge"], "pin": member["pin"]},
        headers={"Authorization": f"Bearer {system.credentials['kiosk_token']}"},
    )
    assert answer.status_code == 200, answer.text
    limits = answer.json()["session"]
    idle_ms, warning_ms = limits["idle_seconds"] * 1000, limits["warning_seconds"] * 1000
    assert idle_ms > 180_000, "the idle limit covers a long rest"

    page.clock.install()
    page.reload()
    identify(page, member)
    warning = page.locator("#idle-warning")
    page.clock.run_for(61_000)
    expect(page.locator("#workout")).to_be_visible()
    expect(warning).to_be_hidden()

    page.clock.run_for(idle_ms - warning_ms - 61_000 + 1_000)
    expect(warning).to_be_visible()
    expect(warning).to_have_text(
        re.compile(rf"Signing out {member['name']} in \d+ s\. Touch the screen to stay\.")
    )
    page.clock.run_for(warning_ms)
    expect(page.get_by_role("heading", name=re.compile("Welcome"))).to_be_visible()
    expect(page.locator("#who")).to_have_text("")
    expect(page.get_by_role("navigation", name="Members signed in at this kiosk")).to_be_hidden()


def test_members_take_turns_at_one_kiosk_and_switch_without_a_pin(
    kiosk_page: Page, system: Any, member_api: Any, screenshots: Path
) -> None:
    page = kiosk_page
    ann, ben, cam = (trained_member(system, name) for name in ("Ann Alt", "Ben Alt", "Cam Alt"))
    members = page.get_by_role("navigation", name="Members signed in at this kiosk")
    add = members.get_by_role("button", name="+ Add member")

    identify(page, ann)
    squat = card(page, SQUAT)
    squat.get_by_role("button", name="More reps").click()
    ann_log = squat.locator('[data-role="log"]').inner_text()
    log_sets(page, SQUAT, 1)
    expect(page.get_by_role("timer")).to_be_visible()

    add.click()
    expect(page.get_by_role("button", name=f"Back to {ann['name']}")).to_be_visible()
    identify(page, ben)
    expect(members.locator("button.member")).to_have_count(2)
    expect(members.get_by_role("button", name=re.compile(ben["name"]))).to_have_attribute(
        "aria-pressed", "true"
    )
    # Ben's session is his own: no sets, no rest, the target's reps.
    expect(card(page, SQUAT).locator("button.chip")).to_have_count(0)
    expect(page.get_by_role("timer")).to_be_hidden()
    expect(card(page, SQUAT).locator('[data-role="log"]')).not_to_have_text(ann_log)
    ann_button = members.get_by_role("button", name=re.compile(ann["name"]))
    expect(ann_button).to_contain_text("resting")

    ann_button.click()
    expect(page.locator("#who")).to_have_text(ann["name"])
    expect(page.get_by_label("PIN", exact=True)).to_be_hidden()
    expect(card(page, SQUAT).locator("button.chip")).to_have_count(1)
    expect(card(page, SQUAT).locator('[data-role="log"]')).to_have_text(ann_log)
    expect(page.get_by_role("timer")).to_be_visible()
    page.screenshot(path=str(screenshots / "kiosk-members.png"))

    add.click()
    identify(page, cam)
    expect(members.locator("button.member")).to_have_count(3)
    expect(add).to_be_disabled()
    expect(members.get_by_role("status")).to_contain_text("This kiosk is full")

    # Sign out closes Cam only; the one who touched the kiosk last before Cam comes back.
    page.get_by_role("button", name="Sign out").click()
    expect(members.locator("button.member")).to_have_count(2)
    expect(page.locator("#who")).to_have_text(ann["name"])
    expect(add).to_be_enabled()

    with member_api(ann) as api:
        squat_sets = next(
            e for e in api.get("/v1/kiosk/today").json()["exercises"] if e["exercise"] == SQUAT
        )
        assert len(squat_sets["logged"]) == 1
    with member_api(ben) as api:
        assert all(not e["logged"] for e in api.get("/v1/kiosk/today").json()["exercises"])


def test_a_member_corrects_one_set_and_voids_another_with_a_reason(
    kiosk_page: Page, system: Any, screenshots: Path
) -> None:
    page = kiosk_page
    member = trained_member(system, "Eve Edit")
    identify(page, member)
    log_sets(page, SQUAT, 2)
    chips = card(page, SQUAT).locator("button.chip")
    first_id, second_id = (chips.nth(i).get_attribute("data-set") for i in range(2))
    assert first_id and second_id
    stored = system.stored_set(member["id"], first_id)

    chips.first.click()
    editor = page.get_by_role("dialog", name="Edit set 1 of Barbell back squat")
    expect(editor).to_be_visible()
    editor.get_by_role("button", name="More reps").click()
    editor.get_by_role("button", name="More reps").click()
    editor.get_by_role("button", name="More RPE").click()
    expect(editor.locator('output[data-field="rpe"]')).to_have_text("RPE 7")
    editor.get_by_role("button", name="Typo").click()
    expect(editor.get_by_label("Reason (optional, kept with the change)")).to_have_value("typo")
    page.screenshot(path=str(screenshots / "kiosk-edit-set.png"))
    editor.get_by_role("button", name="Save changes").click()
    expect(editor).to_be_hidden()
    reps = stored["reps"] + 2
    expect(chips.first).to_have_text(re.compile(rf" \u00d7 {reps} @7$"))

    corrected = system.stored_set(member["id"], first_id)
    assert (corrected["reps"], float(corrected["rpe"])) == (reps, 7)
    assert corrected["changes"][-1]["action"] == "corrected"
    assert corrected["changes"][-1]["reason"] == "typo"

    chips.nth(1).click()
    editor = page.get_by_role("dialog", name="Edit set 2 of Barbell back squat")
    editor.get_by_label("Reason (optional, kept with the change)").fill("counted twice")
    editor.get_by_role("button", name="Void this set").click()
    expect(editor).to_be_hidden()
    expect(chips).to_have_count(1)
    voided = system.stored_set(member["id"], second_id)
    assert voided["voided_at"]
    assert voided["changes"][-1]["action"] == "voided"
    assert voided["changes"][-1]["reason"] == "counted twice"

    # Undo is still one tap, for the last set that counts.
    page.get_by_role("button", name="Undo last set").click()
    expect(chips).to_have_count(0)
    assert system.stored_set(member["id"], first_id)["voided_at"]


def test_a_member_swaps_an_exercise_for_one_the_gym_has(
    kiosk_page: Page, system: Any, member_api: Any, screenshots: Path
) -> None:
    page = kiosk_page
    member = trained_member(system, "Sam Swap")
    identify(page, member)
    card(page, SQUAT).get_by_role("button", name="Swap Barbell back squat").click()
    picker = page.get_by_role("dialog", name="Swap Barbell back squat")
    expect(picker).to_contain_text("counts for squat")
    options = picker.locator("button.option")
    expect(options.first).to_be_visible()
    substitute = options.first.get_attribute("data-exercise")
    name = options.first.locator("strong").inner_text()
    assert substitute and substitute != SQUAT
    page.screenshot(path=str(screenshots / "kiosk-swap.png"))
    options.first.click()
    expect(picker).to_be_hidden()

    swapped = card(page, substitute)
    expect(swapped).to_have_attribute("data-planned", SQUAT)
    expect(swapped.locator('[data-role="instead"]')).to_have_text("Instead of Barbell back squat")
    expect(swapped.get_by_role("heading", level=2)).to_have_text(name)
    expect(card(page, SQUAT)).to_have_count(0)
    log_sets(page, substitute, 1)

    with member_api(member) as api:
        today = api.get("/v1/kiosk/today").json()
        assert [s["exercise"] for s in today["other_logged"]] == [substitute]
        # Logged as the substitute, counted for the planned pattern.
        wait_for(
            "the substitute counts for squat",
            lambda: api.get("/v1/kiosk/today").json()["week"]["squat"]["done"] == 1,
        )

    # Back to the plan: the set of the substitute stays, on a card of its own.
    swapped.get_by_role("button", name=f"Swap {name}").click()
    page.get_by_role("dialog", name="Swap Barbell back squat").get_by_role(
        "button", name=re.compile("Back to Barbell back squat")
    ).click()
    expect(card(page, SQUAT)).to_be_visible()
    expect(card(page, substitute).locator("button.chip")).to_have_count(1)


def test_a_member_without_a_program_logs_a_catalog_exercise(
    kiosk_page: Page, system: Any, member_api: Any, screenshots: Path
) -> None:
    page = kiosk_page
    member = system.new_member("Nia Noprogram")
    identify(page, member)
    note = page.locator("#no-program")
    expect(note).to_contain_text("A trainer will assign you a program")
    expect(page.locator("li.exercise")).to_have_count(0)
    expect(page.locator("#workout")).not_to_contain_text("UUID")

    note.get_by_role("button", name="Log an exercise").click()
    picker = page.get_by_role("dialog", name="Log an exercise")
    for pattern in ("squat", "hinge", "push", "pull"):
        expect(picker.get_by_role("heading", name=pattern, exact=True)).to_be_visible()
    with member_api(member) as api:
        catalog = api.get("/v1/kiosk/exercises").json()
    assert picker.locator("button.option").count() == len(catalog)
    picker.locator('button.option[data-exercise="goblet-squat"]').click()
    expect(picker).to_be_hidden()

    goblet = card(page, "goblet-squat")
    expect(goblet.get_by_role("heading", level=2)).to_have_text("Goblet squat")
    expect(goblet.locator('[data-role="facts"]')).to_contain_text("Rest")
    log_sets(page, "goblet-squat", 2)
    page.screenshot(path=str(screenshots / "kiosk-no-program.png"))
    with member_api(member) as api:
        today = api.get("/v1/kiosk/today").json()
    assert today["no_program"] is True
    assert [s["exercise"] for s in today["other_logged"]] == ["goblet-squat"] * 2


def test_the_timeline_shows_streaks_milestones_lifts_and_education(
    kiosk_page: Page, system: Any, member_api: Any, screenshots: Path
) -> None:
    page = kiosk_page
    member = trained_member(system, "Tia Timeline")
    with member_api(member) as api:
        # Two workouts: one two days ago and one today, heavier.
        for days_ago, load in ((2, 40), (0, 45)):
            when = (datetime.now(UTC) - timedelta(days=days_ago)).isoformat()
            for _ in range(3):
                logged = api.post(
                    "/v1/kiosk/sets",
                    json={
                        "exercise": SQUAT,
                        "load": load,
                        "unit": "kg",
                        "reps": 8,
                        "performed_at": when,
                    },
                    headers={"Idempotency-Key": uuid.uuid4().hex},
                )
                assert logged.status_code == 201, logged.text
        finished = api.post("/v1/kiosk/finish", headers={"Idempotency-Key": uuid.uuid4().hex})
        assert finished.status_code == 200, finished.text
        timeline = wait_for(
            "a first workout and two e1RM points on the timeline",
            lambda: (
                t
                if (t := api.get("/v1/kiosk/timeline").json())["milestones"]
                and any(len(lift["series"]) == 2 for lift in t["lifts"])
                else None
            ),
        )

    identify(page, member)
    page.get_by_role("button", name="My progress").click()
    screen = page.locator("#progress")
    expect(page.get_by_role("heading", name="My progress", level=1)).to_be_visible()
    streak = timeline["streaks"]
    expect(screen.locator('[data-role="streak"] strong')).to_have_text(str(streak["current"]))
    expect(screen.locator('[data-role="longest"] strong')).to_have_text(str(streak["longest"]))
    expect(screen.locator('[data-role="weeks"] strong')).to_have_text(
        str(timeline["weeks_on_protocol"])
    )
    for milestone in timeline["milestones"]:
        expect(
            screen.locator(f'.reached li[data-milestone="{milestone["milestone"]}"]')
        ).to_have_text(f"✓ {milestone['title']} · {milestone['reached_on']}")
    upcoming = timeline["next_milestone"]
    expect(screen.locator(".next-milestone")).to_have_text(
        f"Next: {upcoming['title']} · {upcoming['needs']}"
    )

    lift = screen.locator(f'article.lift[data-exercise="{SQUAT}"]')
    expect(
        lift.get_by_role("img", name=re.compile("estimated one-rep max \\(kg\\)"))
    ).to_be_visible()
    expect(lift.locator("circle")).to_have_count(2)
    squat = next(entry for entry in timeline["lifts"] if entry["exercise"] == SQUAT)
    expect(lift.locator('[data-role="best"]')).to_have_text(
        f"Best estimated 1RM: {squat['best_e1rm']:g} kg"
    )
    expect(lift.locator(".prs li")).to_have_count(len(squat["prs"]))

    cards = screen.locator("article.lesson")
    expect(cards).to_have_count(len(timeline["education"]))
    for i, lesson in enumerate(timeline["education"]):
        shown = cards.nth(i)
        expect(shown.get_by_role("heading", level=3)).to_have_text(lesson["title"])
        expect(shown).to_contain_text(lesson["text"])
        expect(shown).to_have_class(
            re.compile("unlocked") if lesson["unlocked"] else re.compile("^lesson$")
        )
    assert any(lesson["unlocked"] for lesson in timeline["education"]), (
        "the first session opens one"
    )
    words = screen.locator(".education").inner_text().lower()
    assert not [w for w in CLAIM_WORDS if w in words], words
    page.screenshot(path=str(screenshots / "kiosk-timeline.png"), full_page=True)

    page.get_by_role("button", name="Back to my workout").click()
    expect(page.locator("#workout")).to_be_visible()


def test_the_finished_screen_groups_what_moved_and_why(
    kiosk_page: Page, system: Any, screenshots: Path
) -> None:
    """Progression's answer is rewritten here so each kind of move shows once."""
    page = kiosk_page
    member = trained_member(system, "Fay Finish")
    moves = {
        SQUAT: ("up", 22.5, 6, "All 3 sets reached 10: up to 22.5 kg."),
        "bench-press": ("bridge", 20, 11, "The next load is a big jump: more reps first."),
        "barbell-row": ("hold", 20, 9, "Aim for one more rep on each set."),
        "deadlift": ("deload_miss", 17.5, 6, "Two workouts in a row with a miss: down 10%."),
    }

    def decided(route: Route) -> None:
        response = route.fetch()
        progress = response.json()
        for slug, (rule, load, reps, why) in moves.items():
            progress["exercises"].setdefault(slug, {})["next"] = {
                "load": load,
                "reps": reps,
                "rule": rule,
                "why": why,
            }
        route.fulfill(response=response, json=progress)

    page.route("**/v1/kiosk/progress", decided)
    identify(page, member)
    page.get_by_role("button", name="Log another exercise").click()
    page.get_by_role("dialog", name="Log an exercise").locator(
        'button.option[data-exercise="deadlift"]'
    ).click()
    for slug in moves:
        log_sets(page, slug, 1)
    page.get_by_role("button", name="Finish workout").click()
    expect(page.get_by_role("heading", name="Workout finished")).to_be_visible()
    titles = {"up": "↑ Up", "bridge": "↗ Bridge", "hold": "→ Hold", "deload": "↓ Deload"}
    for slug, (rule, load, reps, why) in moves.items():
        kind = "deload" if rule.startswith("deload") else rule
        group = page.locator(f'#next-targets section.move[data-kind="{kind}"]')
        expect(group.get_by_role("heading", level=3)).to_contain_text(titles[kind])
        row = group.locator(f'li[data-exercise="{slug}"]')
        expect(row).to_have_attribute("data-rule", rule)
        expect(row).to_contain_text(f"{load:g} kg \u00d7 {reps}")
        expect(row.locator(".why")).to_have_text(why)
    expect(page.locator("#finished")).not_to_contain_text("null")
    page.screenshot(path=str(screenshots / "kiosk-finished-moves.png"))
    page.get_by_role("button", name="Done").click()
    expect(page.get_by_role("heading", name=re.compile("Welcome"))).to_be_visible()


def test_a_personal_record_is_named_in_the_members_unit(kiosk_page: Page, system: Any) -> None:
    """Records are kept in kg; a pound member reads theirs in pounds."""
    page = kiosk_page
    member = trained_member(system, "Paul Pounds", unit="lb")
    record = {
        "kind": "e1rm",
        "exercise": SQUAT,
        "set_id": str(uuid.uuid4()),
        "value": 100,
        "occurred_at": datetime.now(UTC).isoformat(),
    }
    calls: list[int] = []

    def with_a_record(route: Route) -> None:
        response = route.fetch()
        today = response.json()
        calls.append(1)
        if len(calls) > 1:  # the first look at today is what was there before the set
            today["news"] = [record]
        route.fulfill(response=response, json=today)

    # After the first look the kiosk asks for the day it shows (`?day=A`).
    page.route(re.compile(r"/v1/kiosk/today(\?.*)?$"), with_a_record)
    identify(page, member)
    card(page, SQUAT).locator('[data-role="log"]').click()
    dialog = page.get_by_role("alertdialog", name="New personal record!")
    expect(dialog).to_be_visible(timeout=30_000)
    expect(dialog).to_contain_text("Barbell back squat: estimated 1RM 220.46 lb")
    dialog.get_by_role("button", name="Keep going").click()
    expect(dialog).to_be_hidden()


@pytest.mark.parametrize("shape", ["portrait", "landscape"])
def test_every_kiosk_screen_fits_names_its_controls_and_suits_gloves(
    browser: Browser, system: Any, shape: str, layout_problems: Any
) -> None:
    viewport = {
        "portrait": {"width": 1080, "height": 1920},
        "landscape": {"width": 1920, "height": 1080},
    }
    context = browser.new_context(viewport=viewport[shape], base_url=system.url)  # type: ignore[arg-type]
    try:
        page = context.new_page()
        page.goto(f"/kiosk#kiosk_token={system.credentials['kiosk_token']}")
        member = trained_member(system, f"Gil Gloves {shape}")
        assert layout_problems(page, min_target=64) == [], "identify"
        identify(page, member)
        log_sets(page, SQUAT, 1)
        expect(page.get_by_role("timer")).to_be_visible()
        assert layout_problems(page, min_target=64) == [], "workout, resting"

        card(page, SQUAT).locator("button.chip").first.click()
        expect(page.get_by_role("dialog", name=re.compile("Edit set 1"))).to_be_visible()
        assert layout_problems(page, min_target=64) == [], "set editor"
        page.get_by_role("button", name="Cancel").click()

        card(page, SQUAT).get_by_role("button", name="Swap Barbell back squat").click()
        expect(page.get_by_role("dialog", name="Swap Barbell back squat")).to_be_visible()
        assert layout_problems(page, min_target=64) == [], "swap"
        page.get_by_role("button", name="Cancel").click()

        page.get_by_role("button", name="My progress").click()
        expect(page.locator("article.lesson").first).to_be_visible()
        assert layout_problems(page, min_target=64) == [], "progress"
        page.get_by_role("button", name="Back to my workout").click()

        page.get_by_role("button", name="+ Add member").click()
        expect(page.get_by_role("button", name=f"Back to {member['name']}")).to_be_visible()
        assert layout_problems(page, min_target=64) == [], "adding a member"
        page.get_by_role("button", name=f"Back to {member['name']}").click()

        page.get_by_role("button", name="Finish workout").click()
        expect(page.get_by_role("heading", name="Workout finished")).to_be_visible()
        expect(page.locator("#next-targets li").first).to_be_visible()
        assert layout_problems(page, min_target=64) == [], "finished"
    finally:
        context.close()
