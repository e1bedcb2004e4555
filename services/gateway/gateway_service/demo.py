"""The demo chain `make run` seeds: a gym, a kiosk, a trainer and members on a program.

Seeding is idempotent: a re-run reuses what exists, keeps the credentials of the previous
credentials file when they still work, and replaces those that do not, so the file it
writes always holds working credentials.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from gateway_service import credentials
from gateway_service import repository as repo
from gateway_service.handlers import identity
from gateway_service.handlers.identity import Sessions
from gateway_service.principals import system_caller
from gateway_service.service_clients import Services
from myokine.db import transaction
from myokine.problems import InvalidInput

CHAIN = "Myokine Demo Gyms"
GYM = "Myokine Downtown"
GYM_TIMEZONE = "Europe/Berlin"
KIOSK = "Front desk"
TRAINER_EMAIL = "coach@demo.myokine.dev"
TRAINER_NAME = "Casey Coach"
PROGRAM_PREFIX = "Myokine Protocol: 3 sessions a week"
WEEKDAYS = [1, 3, 5]


@dataclass(frozen=True)
class DemoMember:
    """One demo member."""

    badge: str
    name: str
    unit: str


MEMBERS = (
    DemoMember("1001", "Ada Demo", "kg"),
    DemoMember("1002", "Ben Demo", "lb"),
    DemoMember("1003", "Chloe Demo", "kg"),
)


def _previous(path: Path) -> dict[str, Any]:
    try:
        loaded = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


def _chain(sessions: Sessions) -> repo.Chain:
    with transaction(sessions) as session:
        chain = repo.chain_by_name(session, CHAIN)
    return chain or identity.create_chain(sessions, CHAIN)


def _gym(sessions: Sessions, chain: repo.Chain) -> repo.Gym:
    with transaction(sessions) as session:
        gym = repo.gym_by_name(session, chain.id, GYM)
    return gym or identity.create_gym(sessions, chain.id, GYM, GYM_TIMEZONE, "kg")


def _kiosk_token(sessions: Sessions, gym: repo.Gym, previous: str | None) -> str:
    with transaction(sessions) as session:
        kiosk = repo.kiosk_by_name(session, gym.id, KIOSK)
        still_works = (
            kiosk is not None
            and previous is not None
            and kiosk.revoked_at is None
            and kiosk.token_hash == credentials.kiosk_token_hash(previous)
        )
    if still_works and previous:
        return previous
    if kiosk is None:
        return identity.create_kiosk(sessions, gym.id, KIOSK)[1]
    return identity.rotate_kiosk_token(sessions, kiosk.id)


def _trainer_password(sessions: Sessions, chain: repo.Chain, previous: str | None) -> str:
    with transaction(sessions) as session:
        trainer = repo.trainer_by_email(session, TRAINER_EMAIL)
    if (
        trainer is not None
        and previous
        and credentials.verify_secret(trainer.password_hash, previous)
    ):
        return previous
    password = credentials.new_password()
    if trainer is None:
        identity.create_trainer(
            sessions,
            chain.id,
            email=TRAINER_EMAIL,
            name=TRAINER_NAME,
            password=password,
            role="chain_admin",
        )
    else:
        identity.set_trainer_password(sessions, TRAINER_EMAIL, password)
    return password


def _member(
    sessions: Sessions, chain: repo.Chain, gym: repo.Gym, demo: DemoMember, previous: str | None
) -> tuple[repo.Member, str]:
    with transaction(sessions) as session:
        member = repo.member_by_badge(session, chain.id, demo.badge)
    if member is None:
        pin = previous or credentials.new_pin()
        created = identity.create_member(
            sessions, gym.id, name=demo.name, badge=demo.badge, pin=pin, unit=demo.unit
        )
        return created, pin
    if previous and credentials.verify_secret(member.pin_hash, previous):
        # The PIN still works; lift any lockout a demo visitor may have caused.
        return identity.reset_pin(sessions, chain.id, demo.badge, previous), previous
    pin = credentials.new_pin()
    return identity.reset_pin(sessions, chain.id, demo.badge, pin), pin


def _assign_program(
    services: Services, chain: repo.Chain, gym: repo.Gym, members: list[repo.Member]
) -> None:
    caller = system_caller(chain.id)
    programs = services.program.call("GET", "/programs", caller)
    program = next((p for p in programs if str(p["name"]).startswith(PROGRAM_PREFIX)), None)
    if program is None:
        raise InvalidInput(f"The program service has no program named {PROGRAM_PREFIX!r}.")
    today = datetime.now(UTC).astimezone(ZoneInfo(gym.timezone)).date().isoformat()
    for member in members:
        history = services.program.call("GET", f"/members/{member.id}/assignments", caller)
        if any(a.get("active") for a in history):
            continue
        services.program.call(
            "POST",
            f"/members/{member.id}/assignments",
            caller,
            json={"program_id": program["id"], "start_date": today, "weekdays": WEEKDAYS},
            idempotency_key=f"demo-assignment-{member.id}",
        )


def seed_demo(
    sessions: Sessions, services: Services, *, gateway_url: str, output: Path
) -> dict[str, Any]:
    """Seed (or refresh) the demo chain and write its credentials to `output`."""
    previous = _previous(output)
    old_pins = {
        str(m.get("badge")): str(m.get("pin"))
        for m in previous.get("members", [])
        if isinstance(m, dict)
    }
    chain = _chain(sessions)
    gym = _gym(sessions, chain)
    kiosk_token = _kiosk_token(sessions, gym, previous.get("kiosk_token"))
    password = _trainer_password(sessions, chain, previous.get("trainer_password"))
    seeded = [_member(sessions, chain, gym, d, old_pins.get(d.badge)) for d in MEMBERS]
    document = {
        "gateway_url": gateway_url,
        "kiosk_token": kiosk_token,
        "trainer_email": TRAINER_EMAIL,
        "trainer_password": password,
        "members": [
            {"badge": m.badge, "pin": pin, "name": m.name, "id": str(m.id), "unit": m.unit}
            for m, pin in seeded
        ],
        "chain_id": str(chain.id),
        "gym_id": str(gym.id),
    }
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(document, indent=2) + "\n")
    output.chmod(0o600)
    # The credentials are written first: they work even if the program service is down,
    # and a re-run (with it up) assigns the programs still missing.
    _assign_program(services, chain, gym, [member for member, _ in seeded])
    return document
