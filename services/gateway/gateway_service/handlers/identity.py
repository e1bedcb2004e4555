"""Identity and tenancy use cases: chains, gyms, kiosks, trainers, members, identifying.

Each function is one use case in one transaction of its unit of work. The operator's
commands create the tenants and credentials; kiosks identify members.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast
from zoneinfo import ZoneInfo

from gateway_service import credentials
from gateway_service.domain import pin_lock
from gateway_service.domain import webhooks as webhook_rules
from gateway_service.domain.accounts import (
    InvalidField,
    check_badge,
    check_email,
    check_password,
    check_pin,
    check_timezone,
    check_unit,
)
from gateway_service.domain.pin_lock import Backoff, FailureRun, PinPolicy
from gateway_service.handlers import webhooks
from gateway_service.handlers.equipment import announce_new_gym
from gateway_service.principals import KioskPrincipal, MemberPrincipal
from gateway_service.repository import (
    Chain,
    DuplicateError,
    GatewayRepository,
    Gym,
    Kiosk,
    Member,
    PinFailureRun,
    Trainer,
)
from gateway_service.schemas.identity import ChainOut, GymOut, KioskOut, TrainerOut, TrainerRole
from gateway_service.schemas.members import MemberOut
from myokine.problems import Conflict, InvalidInput, NotFound, TooManyRequests, Unauthorized
from myokine.unit_of_work import UnitOfWork
from myokine.units import Unit

Uow = UnitOfWork[GatewayRepository]


@contextmanager
def fields_checked() -> Iterator[None]:
    """A field that breaks its rule refuses the request, naming the field."""
    try:
        yield
    except InvalidField as exc:
        raise InvalidInput(
            f"Invalid value for: {exc.field}", errors=[{"field": exc.field, "message": exc.message}]
        ) from exc


def create_chain(uow: Uow, name: str) -> ChainOut:
    """A new chain; Conflict when the name is taken."""
    with uow:
        chain = Chain(id=uuid.uuid4(), name=name)
        try:
            uow.repo.add_chain(chain)
        except DuplicateError as exc:
            raise Conflict(f"A chain named {name!r} exists already.") from exc
        uow.commit()
        return ChainOut.model_validate(chain, from_attributes=True)


def create_gym(uow: Uow, chain_id: uuid.UUID, name: str, timezone: str, unit: str) -> GymOut:
    """A new gym of a chain, with its IANA time zone and default unit."""
    with fields_checked():
        check_timezone(timezone)
        checked = check_unit(unit)
    with uow:
        if uow.repo.chain(chain_id) is None:
            raise NotFound("No such chain.")
        gym = Gym(id=uuid.uuid4(), chain_id=chain_id, name=name, timezone=timezone, unit=checked)
        try:
            uow.repo.add_gym(gym)
        except DuplicateError as exc:
            raise Conflict(f"The chain has a gym named {name!r} already.") from exc
        announce_new_gym(uow, gym)
        uow.commit()
        return GymOut.model_validate(gym, from_attributes=True)


def create_kiosk(uow: Uow, gym_id: uuid.UUID, name: str) -> tuple[KioskOut, str]:
    """A new kiosk of a gym and its device token, which is returned this once only."""
    token = credentials.new_kiosk_token()
    with uow:
        gym = uow.repo.gym(gym_id)
        if gym is None:
            raise NotFound("No such gym.")
        kiosk = Kiosk(
            id=uuid.uuid4(),
            chain_id=gym.chain_id,
            gym_id=gym.id,
            name=name,
            token_hash=credentials.kiosk_token_hash(token),
        )
        try:
            uow.repo.add_kiosk(kiosk)
        except DuplicateError as exc:
            raise Conflict(f"The gym has a kiosk named {name!r} already.") from exc
        uow.commit()
        return KioskOut.model_validate(kiosk, from_attributes=True), token


def rotate_kiosk_token(uow: Uow, kiosk_id: uuid.UUID) -> str:
    """A new device token for a kiosk; the old one stops working at once."""
    token = credentials.new_kiosk_token()
    with uow:
        kiosk = uow.repo.kiosk(kiosk_id)
        if kiosk is None:
            raise NotFound("No such kiosk.")
        kiosk.token_hash = credentials.kiosk_token_hash(token)
        kiosk.revoked_at = None
        uow.commit()
    return token


def create_trainer(
    uow: Uow,
    chain_id: uuid.UUID,
    *,
    email: str,
    name: str,
    password: str,
    role: TrainerRole = "trainer",
    gym_ids: Collection[uuid.UUID] = (),
) -> TrainerOut:
    """A new trainer (or chain admin) of a chain, working in `gym_ids` (gyms of the chain)."""
    with fields_checked():
        stored_email = check_email(email)
        check_password(password)
    taken = Conflict(f"A trainer with email {email!r} exists already.")
    with uow:
        if uow.repo.chain(chain_id) is None:
            raise NotFound("No such chain.")
        check_gyms_of_chain(uow.repo, chain_id, gym_ids)
        if uow.repo.trainer_by_email(email) is not None:
            raise taken
        trainer = Trainer(
            id=uuid.uuid4(),
            chain_id=chain_id,
            email=stored_email,
            name=name,
            password_hash=credentials.hash_secret(password),
            role=role,
        )
        try:
            uow.repo.add_trainer(trainer)
        except DuplicateError as exc:
            raise taken from exc
        uow.repo.set_trainer_gyms(trainer.id, gym_ids)
        uow.commit()
        return trainer_out(trainer, set(gym_ids))


def check_gyms_of_chain(
    repo: GatewayRepository, chain_id: uuid.UUID, gym_ids: Collection[uuid.UUID]
) -> None:
    """InvalidInput naming `gym_ids` unless every one is a gym of the chain."""
    known = {g.id for g in repo.gyms_in_chain(chain_id, gym_ids)}
    unknown = [str(g) for g in gym_ids if g not in known]
    if unknown:
        raise InvalidInput(
            "Not gyms of this chain.",
            errors=[{"field": "gym_ids", "message": f"no such gym: {', '.join(unknown)}"}],
        )


def trainer_out(trainer: Trainer, gym_ids: Collection[uuid.UUID]) -> TrainerOut:
    """A trainer as answered, with the gyms they work in."""
    return TrainerOut(
        id=trainer.id,
        chain_id=trainer.chain_id,
        email=trainer.email,
        name=trainer.name,
        role=cast(TrainerRole, trainer.role),
        gym_ids=sorted(gym_ids, key=str),
        active=trainer.active is not False,
    )


def set_trainer_password(uow: Uow, email: str, password: str) -> None:
    """Replace a trainer's password."""
    with fields_checked():
        check_password(password)
    with uow:
        trainer = uow.repo.trainer_by_email(email)
        if trainer is None:
            raise NotFound(f"No trainer with email {email!r}.")
        trainer.password_hash = credentials.hash_secret(password)
        uow.commit()


def create_member(
    uow: Uow,
    home_gym_id: uuid.UUID,
    *,
    name: str,
    badge: str,
    pin: str,
    unit: str | None = None,
    external_id: str | None = None,
) -> MemberOut:
    """A new member of the home gym's chain; the unit defaults to the gym's."""
    with fields_checked():
        check_pin(pin)
        check_badge(badge)
        stored_unit = check_unit(unit) if unit else None
    taken = Conflict(f"The chain has a member with badge {badge!r} already.")
    with uow:
        gym = uow.repo.gym(home_gym_id)
        if gym is None:
            raise NotFound("No such gym.")
        if uow.repo.member_by_badge(gym.chain_id, badge) is not None:
            raise taken
        if external_id and uow.repo.member_by_external_id(gym.chain_id, external_id):
            raise Conflict(f"The chain has a member with id {external_id!r} already.")
        member = Member(
            id=uuid.uuid4(),
            chain_id=gym.chain_id,
            home_gym_id=gym.id,
            name=name,
            badge=badge,
            pin_hash=credentials.hash_pin(pin),
            unit=stored_unit or gym.unit,
            external_id=external_id,
            active=True,
        )
        try:
            uow.repo.add_member(member)
        except DuplicateError as exc:
            raise taken from exc
        # Strangers may have tried the badge before it was given: its holder starts afresh.
        uow.repo.forget_pin_failures(gym.chain_id, [pin_lock.badge_digest(badge)])
        uow.commit()
        return MemberOut.model_validate(member, from_attributes=True)


def reset_pin(uow: Uow, chain_id: uuid.UUID, badge: str, pin: str) -> MemberOut:
    """Give a member a new PIN; the badge's wrong PINs are forgotten at every kiosk."""
    with fields_checked():
        check_pin(pin)
    with uow:
        member = uow.repo.member_by_badge(chain_id, badge, for_update=True)
        if member is None:
            raise NotFound(f"No member with badge {badge!r} in this chain.")
        member.pin_hash = credentials.hash_pin(pin)
        uow.repo.forget_pin_failures(chain_id, [pin_lock.badge_digest(badge)])
        uow.commit()
        return MemberOut.model_validate(member, from_attributes=True)


def identify_member(
    uow: Uow,
    kiosk: KioskPrincipal,
    badge: str,
    pin: str,
    policy: PinPolicy,
    *,
    now: datetime,
) -> MemberPrincipal:
    """Badge and PIN at a kiosk: the member, or Unauthorized (wrong) / TooManyRequests.

    A wrong badge or PIN answers 401, unless it starts a wait of the PIN backoff
    (domain/pin_lock.py): then, and for every attempt during the wait (even with the right
    PIN), 429 with Retry-After. An unknown badge, one of another chain or a deactivated
    member's counts and answers exactly as a real badge with a wrong PIN.

    Most attempts are a member's right PIN where their badge has no run to start afresh:
    those only read the runs and write none of them. The runs are read (unlocked: an
    attempt during a wait is refused unchecked), the PIN is checked, and the runs are read
    again once no attempt is counting in them, holding off any that would until this one
    ends: so the answer is the one it would get in turn after every attempt that came
    before it, and attempts at once never jump the queue of those that count. Any other
    attempt is judged again with the runs locked (`_judge_with_runs_locked`).
    """
    digest = pin_lock.badge_digest(badge)
    places = (kiosk.chain_id, kiosk.kiosk_id, digest)
    with uow:
        # Shared: other attempts with the badge go on; nobody changes its PIN meanwhile.
        member = _active(uow.repo.member_by_badge(kiosk.chain_id, badge, for_share=True))
        waiting = pin_lock.wait(uow.repo.read_pin_failure_runs(*places), now)
        if waiting:
            raise _wait_out(waiting)
        checked = _check_pin(member, pin)
        if (
            checked.right
            and member is not None
            and not credentials.pin_needs_rehash(member.pin_hash)
        ):
            runs = uow.repo.read_pin_failure_runs(*places, hold=True)
            if not pin_lock.wait(runs, now) and not pin_lock.success_changes(runs, now, policy):
                _arrived(uow.repo, member, kiosk, now)
                uow.commit()
                return _principal(member, kiosk)
    return _judge_with_runs_locked(uow, kiosk, badge, pin, checked, policy, now=now)


@dataclass(frozen=True)
class _PinCheck:
    """A PIN checked against a hash (None: the stand-in one)."""

    hash: str | None
    right: bool


def _active(member: Member | None) -> Member | None:
    # A deactivated member's badge works no more: the same answer as an unknown one.
    return member if member is not None and member.active else None


def _check_pin(member: Member | None, pin: str) -> _PinCheck:
    """Whether the PIN is the member's.

    The PIN is checked even with no member, against a stand-in hash: a wrong PIN of a real
    badge and any PIN of an unknown one take as long.
    """
    stored = member.pin_hash if member is not None else None
    return _PinCheck(stored, credentials.verify_pin(stored, pin))


def _judge_with_runs_locked(
    uow: Uow,
    kiosk: KioskPrincipal,
    badge: str,
    pin: str,
    checked: _PinCheck,
    policy: PinPolicy,
    *,
    now: datetime,
) -> MemberPrincipal:
    """The attempt judged on its runs locked (attempts at once count one after the other),
    and its runs written: a wrong PIN counts; the right one starts the badge's run afresh.

    The PIN checked before is not checked again unless the member's PIN changed since (one
    check an attempt, so that a wrong PIN and an unknown badge still take as long). The
    runs are committed before the refusal is raised, so they survive it.
    """
    digest = pin_lock.badge_digest(badge)
    with uow:
        member = _active(uow.repo.member_by_badge(kiosk.chain_id, badge, for_update=True))
        rows = uow.repo.pin_failure_runs(kiosk.chain_id, kiosk.kiosk_id, digest, at=now)
        runs = {scope: _run(row) for scope, row in rows.items()}
        waiting = pin_lock.wait(runs, now)
        if waiting:
            raise _wait_out(waiting)
        stored = member.pin_hash if member is not None else None
        right = checked.right if stored == checked.hash else _check_pin(member, pin).right
        identified = None
        if member is not None and right:
            if credentials.pin_needs_rehash(member.pin_hash):
                # PINs hashed before the light profile move to it as their members sign in.
                member.pin_hash = credentials.hash_pin(pin)
            identified = _principal(member, kiosk)
            _arrived(uow.repo, member, kiosk, now)
        if identified is None:
            after = pin_lock.after_failure(runs, now, policy)
        else:
            after = pin_lock.after_success(runs)
        for scope, row in rows.items():
            _keep(row, after[scope], policy.backoff(scope), now)
        uow.commit()
    if identified is None:
        waiting = pin_lock.wait(after, now)
        raise _wait_out(waiting) if waiting else Unauthorized("Wrong badge or PIN.")
    return identified


def _arrived(repo: GatewayRepository, member: Member, kiosk: KioskPrincipal, now: datetime) -> None:
    """A member signed in at a kiosk: the visit is kept, and the chain's webhooks are told
    of the day's check-in at the gym (once: signing in again is the same check-in)."""
    # Where members train lately decides which trainers manage them.
    repo.record_visit(member.id, kiosk.gym_id, now)

    def checked_in() -> webhook_rules.IntegrationEvent:
        local_date = now.astimezone(ZoneInfo(kiosk.timezone)).date()
        return webhook_rules.checked_in(
            kiosk.chain_id,
            member.id,
            member.external_id,
            kiosk.gym_id,
            kiosk.kiosk_id,
            now,
            local_date,
        )

    webhooks.tell(repo, kiosk.chain_id, "member.checked_in", checked_in, now=now)


def _principal(member: Member, kiosk: KioskPrincipal) -> MemberPrincipal:
    return MemberPrincipal(
        member_id=member.id, name=member.name, unit=Unit(member.unit), kiosk=kiosk
    )


def purge_forgotten_pin_runs(uow: Uow, *, now: datetime, limit: int) -> int:
    """Delete up to `limit` runs of wrong PINs forgotten before `now` (they count and refuse
    nothing any more); how many went. Run periodically beside the gateway's relay
    (tasks.py), never by an attempt."""
    with uow:
        purged = uow.repo.purge_pin_failure_runs(now, limit=limit)
        uow.commit()
    return purged


def _wait_out(waiting: timedelta) -> TooManyRequests:
    seconds = max(1, math.ceil(waiting.total_seconds()))
    return TooManyRequests(
        f"Too many wrong PINs: try again in {seconds} seconds.",
        headers={"Retry-After": str(seconds)},
        retry_after=seconds,
    )


def _run(row: PinFailureRun) -> FailureRun:
    return FailureRun(row.failures, row.forgiving_since, row.blocked_until)


def _keep(row: PinFailureRun, run: FailureRun, backoff: Backoff, now: datetime) -> None:
    row.failures, row.forgiving_since, row.blocked_until = (
        run.failures,
        run.forgiving_since,
        run.blocked_until,
    )
    row.forgotten_at = run.forgotten_at(backoff) or now
