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

from gateway_service import credentials, queries
from gateway_service.domain.accounts import check_timezone, pin_problem
from gateway_service.handlers import identity
from gateway_service.principals import system_caller
from gateway_service.repository import GatewayRepository
from gateway_service.schemas.identity import ChainOut, GymOut
from gateway_service.schemas.members import MemberOut
from gateway_service.service_clients import Services
from myokine.problems import InvalidInput, Unauthorized
from myokine.unit_of_work import UnitOfWork

Uow = UnitOfWork[GatewayRepository]

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


def _chain(uow: Uow) -> ChainOut:
    return queries.chain_named(uow, CHAIN) or identity.create_chain(uow, CHAIN)


def _gym(uow: Uow, chain: ChainOut, timezone: str) -> GymOut:
    return queries.gym_named(uow, chain.id, GYM) or identity.create_gym(
        uow, chain.id, GYM, timezone, "kg"
    )


def _kiosk_token(uow: Uow, gym: GymOut, previous: str | None) -> str:
    kiosk = queries.kiosk_named(uow, gym.id, KIOSK)
    if kiosk is None:
        return identity.create_kiosk(uow, gym.id, KIOSK)[1]
    holder = queries.authenticate_kiosk(uow, previous) if previous else None
    if holder is not None and holder.kiosk_id == kiosk.id and previous:
        return previous
    return identity.rotate_kiosk_token(uow, kiosk.id)


def _trainer_password(uow: Uow, chain: ChainOut, previous: str | None) -> str:
    if previous:
        try:
            queries.authenticate_trainer(uow, TRAINER_EMAIL, previous)
            return previous
        except Unauthorized:
            pass
    password = credentials.new_password()
    if queries.trainer_named(uow, TRAINER_EMAIL) is None:
        identity.create_trainer(
            uow,
            chain.id,
            email=TRAINER_EMAIL,
            name=TRAINER_NAME,
            password=password,
            role="chain_admin",
        )
    else:
        identity.set_trainer_password(uow, TRAINER_EMAIL, password)
    return password


def _member(
    uow: Uow, chain: ChainOut, gym: GymOut, demo: DemoMember, previous: str | None
) -> tuple[MemberOut, str]:
    if previous is not None and pin_problem(previous) is not None:
        # A PIN from before weak PINs were refused: the demo hands out a new one.
        previous = None
    if queries.member_with_badge(uow, chain.id, demo.badge) is None:
        pin = previous or credentials.new_pin()
        created = identity.create_member(
            uow, gym.id, name=demo.name, badge=demo.badge, pin=pin, unit=demo.unit
        )
        return created, pin
    if previous and queries.pin_works(uow, chain.id, demo.badge, previous):
        # The PIN still works; forget the wrong PINs demo visitors may have typed.
        return identity.reset_pin(uow, chain.id, demo.badge, previous), previous
    pin = credentials.new_pin()
    return identity.reset_pin(uow, chain.id, demo.badge, pin), pin


def _assign_program(
    services: Services, chain: ChainOut, gym: GymOut, members: list[MemberOut]
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
    uow: Uow,
    services: Services,
    *,
    gateway_url: str,
    output: Path,
    timezone: str = GYM_TIMEZONE,
) -> dict[str, Any]:
    """Seed (or refresh) the demo chain and write its credentials to `output`; the demo gym
    is made in `timezone` (a gym seeded before keeps its own).

    Each step is a use case of its own on `uow` (a unit of work is re-entered per step).
    """
    # Checked even when the gym exists and keeps its own: a mistyped zone is said, not ignored.
    check_timezone(timezone)
    previous = _previous(output)
    old_pins = {
        str(m.get("badge")): str(m.get("pin"))
        for m in previous.get("members", [])
        if isinstance(m, dict)
    }
    chain = _chain(uow)
    gym = _gym(uow, chain, timezone)
    kiosk_token = _kiosk_token(uow, gym, previous.get("kiosk_token"))
    password = _trainer_password(uow, chain, previous.get("trainer_password"))
    seeded = [_member(uow, chain, gym, d, old_pins.get(d.badge)) for d in MEMBERS]
    document = {
        "gateway_url": gateway_url,
        "kiosk_token": kiosk_token,
        "trainer_email": TRAINER_EMAIL,
        "trainer_password": password,
        "members": [
            {"badge": m.badge, "pin": pin, "name": m.name, "id": str(m.id), "unit": m.unit.value}
            for m, pin in seeded
        ],
        "chain_id": str(chain.id),
        "gym_id": str(gym.id),
        "gym_timezone": gym.timezone,
    }
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(document, indent=2) + "\n")
    output.chmod(0o600)
    # The credentials are written first: they work even if the program service is down,
    # and a re-run (with it up) assigns the programs still missing.
    _assign_program(services, chain, gym, [member for member, _ in seeded])
    return document
