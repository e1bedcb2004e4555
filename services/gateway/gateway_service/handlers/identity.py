"""Identity and tenancy use cases: chains, gyms, kiosks, trainers, members, signing in.

Each function is one use case in one transaction.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from gateway_service import credentials
from gateway_service import repository as repo
from gateway_service.domain.pin_lock import PinLockPolicy, PinState
from gateway_service.principals import KioskPrincipal, MemberPrincipal, TrainerPrincipal
from myokine.db import transaction
from myokine.problems import Conflict, InvalidInput, Locked, NotFound, Unauthorized
from myokine.units import Unit

Sessions = sessionmaker[Session]
TrainerRole = Literal["trainer", "chain_admin"]

PIN_FORMAT = re.compile(r"^[0-9]{4,8}$")


def _now() -> datetime:
    return datetime.now(UTC)


def _field_error(field: str, message: str) -> InvalidInput:
    return InvalidInput(
        f"Invalid value for: {field}", errors=[{"field": field, "message": message}]
    )


def _check_timezone(name: str) -> None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise _field_error("timezone", f"{name!r} is not an IANA time zone") from exc


def _check_pin(pin: str) -> None:
    if not PIN_FORMAT.match(pin):
        raise _field_error("pin", "a PIN is 4 to 8 digits")


def _check_unit(unit: str) -> Unit:
    try:
        return Unit(unit)
    except ValueError as exc:
        raise _field_error("unit", "the unit is kg or lb") from exc


def create_chain(sessions: Sessions, name: str) -> repo.Chain:
    """A new chain; Conflict when the name is taken."""
    try:
        with transaction(sessions) as session:
            chain = repo.Chain(id=uuid.uuid4(), name=name)
            session.add(chain)
        return chain
    except IntegrityError as exc:
        raise Conflict(f"A chain named {name!r} exists already.") from exc


def find_chain(sessions: Sessions, name: str) -> repo.Chain:
    """The chain of that name; NotFound otherwise."""
    with transaction(sessions) as session:
        chain = repo.chain_by_name(session, name)
    if chain is None:
        raise NotFound(f"No chain named {name!r}.")
    return chain


def create_gym(
    sessions: Sessions, chain_id: uuid.UUID, name: str, timezone: str, unit: str
) -> repo.Gym:
    """A new gym of a chain, with its IANA time zone and default unit."""
    _check_timezone(timezone)
    checked = _check_unit(unit)
    try:
        with transaction(sessions) as session:
            if session.get(repo.Chain, chain_id) is None:
                raise NotFound("No such chain.")
            gym = repo.Gym(
                id=uuid.uuid4(), chain_id=chain_id, name=name, timezone=timezone, unit=checked
            )
            session.add(gym)
        return gym
    except IntegrityError as exc:
        raise Conflict(f"The chain has a gym named {name!r} already.") from exc


def create_kiosk(sessions: Sessions, gym_id: uuid.UUID, name: str) -> tuple[repo.Kiosk, str]:
    """A new kiosk of a gym and its device token, which is returned this once only."""
    token = credentials.new_kiosk_token()
    try:
        with transaction(sessions) as session:
            gym = session.get(repo.Gym, gym_id)
            if gym is None:
                raise NotFound("No such gym.")
            kiosk = repo.Kiosk(
                id=uuid.uuid4(),
                chain_id=gym.chain_id,
                gym_id=gym.id,
                name=name,
                token_hash=credentials.kiosk_token_hash(token),
            )
            session.add(kiosk)
        return kiosk, token
    except IntegrityError as exc:
        raise Conflict(f"The gym has a kiosk named {name!r} already.") from exc


def rotate_kiosk_token(sessions: Sessions, kiosk_id: uuid.UUID) -> str:
    """A new device token for a kiosk; the old one stops working at once."""
    token = credentials.new_kiosk_token()
    with transaction(sessions) as session:
        kiosk = session.get(repo.Kiosk, kiosk_id)
        if kiosk is None:
            raise NotFound("No such kiosk.")
        kiosk.token_hash = credentials.kiosk_token_hash(token)
        kiosk.revoked_at = None
    return token


def create_trainer(
    sessions: Sessions,
    chain_id: uuid.UUID,
    *,
    email: str,
    name: str,
    password: str,
    role: TrainerRole = "trainer",
) -> repo.Trainer:
    """A new trainer (or chain admin) of a chain."""
    if "@" not in email:
        raise _field_error("email", "not an email address")
    if len(password) < 8:
        raise _field_error("password", "at least 8 characters")
    try:
        with transaction(sessions) as session:
            if session.get(repo.Chain, chain_id) is None:
                raise NotFound("No such chain.")
            if repo.trainer_by_email(session, email) is not None:
                raise Conflict(f"A trainer with email {email!r} exists already.")
            trainer = repo.Trainer(
                id=uuid.uuid4(),
                chain_id=chain_id,
                email=email.lower(),
                name=name,
                password_hash=credentials.hash_secret(password),
                role=role,
            )
            session.add(trainer)
        return trainer
    except IntegrityError as exc:
        raise Conflict(f"A trainer with email {email!r} exists already.") from exc


def set_trainer_password(sessions: Sessions, email: str, password: str) -> None:
    """Replace a trainer's password."""
    if len(password) < 8:
        raise _field_error("password", "at least 8 characters")
    with transaction(sessions) as session:
        trainer = repo.trainer_by_email(session, email)
        if trainer is None:
            raise NotFound(f"No trainer with email {email!r}.")
        trainer.password_hash = credentials.hash_secret(password)


def create_member(
    sessions: Sessions,
    home_gym_id: uuid.UUID,
    *,
    name: str,
    badge: str,
    pin: str,
    unit: str | None = None,
) -> repo.Member:
    """A new member of the home gym's chain; the unit defaults to the gym's."""
    _check_pin(pin)
    if not badge.strip():
        raise _field_error("badge", "a badge is required")
    try:
        with transaction(sessions) as session:
            gym = session.get(repo.Gym, home_gym_id)
            if gym is None:
                raise NotFound("No such gym.")
            if repo.member_by_badge(session, gym.chain_id, badge) is not None:
                raise Conflict(f"The chain has a member with badge {badge!r} already.")
            member = repo.Member(
                id=uuid.uuid4(),
                chain_id=gym.chain_id,
                home_gym_id=gym.id,
                name=name,
                badge=badge,
                pin_hash=credentials.hash_secret(pin),
                unit=_check_unit(unit or gym.unit),
                failed_pins=0,
            )
            session.add(member)
        return member
    except IntegrityError as exc:
        raise Conflict(f"The chain has a member with badge {badge!r} already.") from exc


def reset_pin(sessions: Sessions, chain_id: uuid.UUID, badge: str, pin: str) -> repo.Member:
    """Give a member a new PIN and lift any lockout."""
    _check_pin(pin)
    with transaction(sessions) as session:
        member = repo.member_by_badge(session, chain_id, badge, for_update=True)
        if member is None:
            raise NotFound(f"No member with badge {badge!r} in this chain.")
        member.pin_hash = credentials.hash_secret(pin)
        member.failed_pins = 0
        member.locked_until = None
    return member


@dataclass(frozen=True)
class _PinOutcome:
    member: repo.Member | None
    verdict: Literal["ok", "wrong", "locked"]
    locked_until: datetime | None = None
    failures: int = 0


def identify_member(
    sessions: Sessions,
    kiosk: KioskPrincipal,
    badge: str,
    pin: str,
    policy: PinLockPolicy,
) -> MemberPrincipal:
    """Badge and PIN at a kiosk: the member, or Unauthorized (wrong) / Locked.

    Each wrong PIN answers 401; the one that reaches the limit locks the badge, and every
    attempt while it is locked (even with the right PIN) answers 423. The run of wrong
    PINs is committed before the refusal is raised, so it survives. A badge of another
    chain is simply not found: the same 401 as a wrong PIN.
    """
    now = _now()
    with transaction(sessions) as session:
        member = repo.member_by_badge(session, kiosk.chain_id, badge, for_update=True)
        outcome = _check_member_pin(member, pin, now, policy)
    if outcome.verdict == "locked":
        assert outcome.locked_until is not None
        seconds = max(1, int((outcome.locked_until - now).total_seconds()))
        raise Locked(
            "Too many wrong PINs: this badge is locked for now. Try again later.",
            headers={"Retry-After": str(seconds)},
            locked_until=outcome.locked_until.isoformat(),
        )
    if outcome.verdict == "wrong" or outcome.member is None:
        # The wrong PIN that starts a lock says so; the next attempt will answer 423.
        lock: dict[str, Any] = (
            {"locked_until": outcome.locked_until.isoformat()} if outcome.locked_until else {}
        )
        raise Unauthorized("Wrong badge or PIN.", **lock)
    member = outcome.member
    return MemberPrincipal(
        member_id=member.id, name=member.name, unit=Unit(member.unit), kiosk=kiosk
    )


def _check_member_pin(
    member: repo.Member | None, pin: str, now: datetime, policy: PinLockPolicy
) -> _PinOutcome:
    if member is None:
        credentials.verify_secret(None, pin)
        return _PinOutcome(None, "wrong")
    state = PinState(member.failed_pins, member.locked_until)
    if state.is_locked(now):
        return _PinOutcome(member, "locked", state.locked_until, state.failures)
    if credentials.verify_secret(member.pin_hash, pin):
        member.failed_pins, member.locked_until = 0, None
        return _PinOutcome(member, "ok")
    state = state.after_failure(now, policy)
    member.failed_pins, member.locked_until = state.failures, state.locked_until
    return _PinOutcome(member, "wrong", state.locked_until, state.failures)


def authenticate_trainer(sessions: Sessions, email: str, password: str) -> TrainerPrincipal:
    """Email and password: the trainer, or Unauthorized."""
    with transaction(sessions) as session:
        trainer = repo.trainer_by_email(session, email)
    if not credentials.verify_secret(trainer.password_hash if trainer else None, password):
        raise Unauthorized("Wrong email or password.", headers={"WWW-Authenticate": "Bearer"})
    assert trainer is not None
    return TrainerPrincipal(
        trainer_id=trainer.id, chain_id=trainer.chain_id, role=cast(TrainerRole, trainer.role)
    )


def authenticate_kiosk(sessions: Sessions, token: str) -> KioskPrincipal | None:
    """The kiosk holding this device token, or None."""
    with transaction(sessions) as session:
        kiosk = repo.kiosk_by_token_hash(session, credentials.kiosk_token_hash(token))
        if kiosk is None:
            return None
        gym = session.get(repo.Gym, kiosk.gym_id)
        assert gym is not None
        return KioskPrincipal(
            kiosk_id=kiosk.id, chain_id=kiosk.chain_id, gym_id=gym.id, timezone=gym.timezone
        )


def member_at_kiosk(
    sessions: Sessions, member_id: uuid.UUID, kiosk_id: uuid.UUID, chain_id: uuid.UUID
) -> MemberPrincipal | None:
    """The member of a member token, at the kiosk it is bound to; None if either is gone."""
    with transaction(sessions) as session:
        member = repo.member_in_chain(session, chain_id, member_id)
        kiosk = session.get(repo.Kiosk, kiosk_id)
        if member is None or kiosk is None or kiosk.revoked_at is not None:
            return None
        if kiosk.chain_id != chain_id:
            return None
        gym = session.get(repo.Gym, kiosk.gym_id)
        assert gym is not None
        principal = KioskPrincipal(
            kiosk_id=kiosk.id, chain_id=kiosk.chain_id, gym_id=gym.id, timezone=gym.timezone
        )
        return MemberPrincipal(
            member_id=member.id, name=member.name, unit=Unit(member.unit), kiosk=principal
        )


def trainer_exists(
    sessions: Sessions, trainer_id: uuid.UUID, chain_id: uuid.UUID
) -> TrainerPrincipal | None:
    """The trainer of an access token as they stand now; None if removed or moved."""
    with transaction(sessions) as session:
        trainer = session.get(repo.Trainer, trainer_id)
        if trainer is None or trainer.chain_id != chain_id:
            return None
        return TrainerPrincipal(
            trainer_id=trainer.id, chain_id=trainer.chain_id, role=cast(TrainerRole, trainer.role)
        )
