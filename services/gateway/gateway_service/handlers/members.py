"""Trainers onboarding and looking after members: add one, change one, reset a PIN, and
import many at once.

A trainer does this for the gyms they work in, a chain admin for the whole chain. A PIN
left out is generated and answered once; only its argon2 hash is kept.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from gateway_service import credentials
from gateway_service.domain.accounts import check_pin
from gateway_service.domain.member_import import ImportRow, RowError, check_rows
from gateway_service.domain.pin_lock import badge_digest
from gateway_service.handlers.identity import create_member as add_member
from gateway_service.handlers.identity import fields_checked
from gateway_service.principals import TrainerPrincipal
from gateway_service.queries import managed_gym, managed_member
from gateway_service.repository import GatewayRepository, Member
from gateway_service.schemas.members import (
    GeneratedPin,
    ImportOut,
    MemberChange,
    MemberCreated,
    MemberIn,
    MemberOut,
    PinIn,
    PinOut,
)
from gateway_service.schemas.members import (
    ImportRowError as ImportError_,
)
from myokine.problems import Conflict
from myokine.unit_of_work import UnitOfWork

Uow = UnitOfWork[GatewayRepository]
Progress = Callable[[str, int, int], None]
"""Told each step's name, how much of it is done and its total."""
T = TypeVar("T")

CHUNK = 1_000
"""Rows written per transaction: a conflict (a badge taken meanwhile) costs one chunk's
retry, and the progress shown moves in steps this size."""

HASHING_THREADS = 4
"""argon2 releases the GIL, so PINs hash on every core at once."""


def create_member(uow: Uow, trainer: TrainerPrincipal, body: MemberIn) -> MemberCreated:
    """A new member of a gym the trainer works in; a PIN left out is generated and answered
    this once."""
    with uow:
        managed_gym(uow.repo, trainer, body.home_gym_id)
    pin = body.pin or credentials.new_pin()
    made = add_member(
        uow,
        body.home_gym_id,
        name=body.name,
        badge=body.badge,
        pin=pin,
        unit=body.unit.value if body.unit else None,
        external_id=body.external_id,
    )
    return MemberCreated(**made.model_dump(), pin=None if body.pin else pin)


def change_member(
    uow: Uow, trainer: TrainerPrincipal, member_id: uuid.UUID, change: MemberChange
) -> MemberOut:
    """Change a member's name, unit, home gym, badge or external id, or deactivate them
    (`active: false`: their badge stops working at once; their history stays)."""
    with uow:
        member = managed_member(uow.repo, trainer, member_id)
        if change.home_gym_id is not None:
            managed_gym(uow.repo, trainer, change.home_gym_id)
            member.home_gym_id = change.home_gym_id
        if change.badge is not None and change.badge != member.badge:
            if uow.repo.member_by_badge(member.chain_id, change.badge) is not None:
                raise Conflict(f"The chain has a member with badge {change.badge!r} already.")
            member.badge = change.badge
            _forget_pin_failures(uow, trainer, [change.badge])
        if change.external_id is not None and change.external_id != member.external_id:
            if uow.repo.member_by_external_id(member.chain_id, change.external_id) is not None:
                raise Conflict(f"The chain has a member with id {change.external_id!r} already.")
            member.external_id = change.external_id
        for name in ("name", "active"):
            value = getattr(change, name)
            if value is not None:
                setattr(member, name, value)
        if change.unit is not None:
            member.unit = change.unit.value
        answer = MemberOut.model_validate(member, from_attributes=True)
        uow.commit()
        return answer


def reset_member_pin(
    uow: Uow, trainer: TrainerPrincipal, member_id: uuid.UUID, body: PinIn
) -> PinOut:
    """Give a member a new PIN (the one given, else a generated one, answered once); their
    badge's wrong PINs are forgotten at every kiosk."""
    pin = body.pin or credentials.new_pin()
    with fields_checked():
        check_pin(pin)
    with uow:
        member = managed_member(uow.repo, trainer, member_id)
        member.pin_hash = credentials.hash_pin(pin)
        uow.repo.forget_pin_failures(member.chain_id, [badge_digest(member.badge)])
        answer = PinOut(
            member=MemberOut.model_validate(member, from_attributes=True),
            pin=None if body.pin else pin,
        )
        uow.commit()
        return answer


# --- import --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Known:
    """An existing member as the import compares rows to it (read before hashing starts,
    outside the transaction that read it)."""

    id: uuid.UUID
    name: str
    badge: str
    home_gym_id: uuid.UUID
    unit: str
    external_id: str | None
    pin_hash: str

    @classmethod
    def of(cls, member: Member) -> _Known:
        """The fields of a stored member."""
        return cls(
            member.id,
            member.name,
            member.badge,
            member.home_gym_id,
            member.unit,
            member.external_id,
            member.pin_hash,
        )


@dataclass
class _Plan:
    """What an import will write: new members, changes to existing ones, and the rest."""

    new: list[tuple[ImportRow, str]] = field(default_factory=list)
    """Each new member's row and PIN (given or generated)."""
    changed: list[tuple[ImportRow, _Known, dict[str, Any]]] = field(default_factory=list)
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    gym_units: dict[str, str] = field(default_factory=dict)
    """Each gym's unit by id: a new member's unit when their row names none."""


def _gym_keys(repo: GatewayRepository, trainer: TrainerPrincipal) -> dict[str, str]:
    keys: dict[str, str] = {}
    for gym in repo.gyms_of_chain(trainer.chain_id):
        if trainer.works_in(gym.id):
            keys[gym.name.lower()] = keys[str(gym.id)] = str(gym.id)
    return keys


def _match(
    row: ImportRow, by_badge: dict[str, _Known], by_external: dict[str, _Known]
) -> _Known | RowError | None:
    """The existing member a row is about (external id first, then badge), None for a new
    one, or why the row contradicts what is stored."""
    found = by_external.get(row.external_id) if row.external_id else None
    holder = by_badge.get(row.badge)
    if found is None:
        found = holder
        if (
            found is not None
            and row.external_id
            and found.external_id not in (None, row.external_id)
        ):
            return RowError(
                row.row, "external_id", "this badge belongs to a member with another id"
            )
    elif holder is not None and holder.id != found.id:
        return RowError(row.row, "badge", "another member has this badge")
    return found


def _changes(row: ImportRow, member: _Known) -> dict[str, Any]:
    wanted = {
        "name": row.name,
        "badge": row.badge,
        "home_gym_id": uuid.UUID(row.home_gym_id),
        "unit": row.unit.value if row.unit else member.unit,
        "external_id": row.external_id or member.external_id,
    }
    return {k: v for k, v in wanted.items() if getattr(member, k) != v}


def _plan(
    repo: GatewayRepository, trainer: TrainerPrincipal, raw_rows: list[dict[str, str]]
) -> tuple[_Plan, list[tuple[ImportRow, _Known]]]:
    rows, errors = check_rows(raw_rows, _gym_keys(repo, trainer))
    members = [_Known.of(m) for m in repo.members_of_chain(trainer.chain_id)]
    by_badge = {m.badge: m for m in members}
    by_external = {m.external_id: m for m in members if m.external_id}
    plan = _Plan(
        errors=errors, gym_units={str(g.id): g.unit for g in repo.gyms_of_chain(trainer.chain_id)}
    )
    pins_to_check: list[tuple[ImportRow, _Known]] = []
    for row in rows:
        found = _match(row, by_badge, by_external)
        if isinstance(found, RowError):
            plan.errors.append(found)
        elif found is None:
            plan.new.append((row, row.pin or credentials.new_pin()))
        elif not trainer.works_in(found.home_gym_id):
            plan.errors.append(RowError(row.row, "badge", "a member of a gym you do not work in"))
        else:
            changes = _changes(row, found)
            if row.pin:
                pins_to_check.append((row, found))
            if changes:
                plan.changed.append((row, found, changes))
            elif not row.pin:
                plan.unchanged += 1
    return plan, pins_to_check


def import_members(
    uow: Uow,
    trainer: TrainerPrincipal,
    raw_rows: list[dict[str, str]],
    *,
    progress: Progress | None = None,
) -> ImportOut:
    """Create and update members from an import's rows; each bad row is left out with its
    errors and never stops the others. Importing the same rows again changes nothing: rows
    match existing members on external id, then badge; a PIN is replaced only when it is
    not the member's PIN already. `progress(step, done, total)` follows the PINs checked,
    the PINs hashed and the rows written."""
    report = progress or (lambda step, done, total: None)
    with uow:
        plan, pins_to_check = _plan(uow.repo, trainer, raw_rows)
    with ThreadPoolExecutor(max_workers=HASHING_THREADS) as pool:
        same = _each(
            pool,
            lambda pair: credentials.verify_pin(pair[1].pin_hash, pair[0].pin or ""),
            pins_to_check,
            lambda done, total: report("Checking PINs", done, total),
        )
        changed_ids = {member.id for _, member, _ in plan.changed}
        for (row, member), kept in zip(pins_to_check, same, strict=True):
            if kept and member.id not in changed_ids:
                plan.unchanged += 1
            elif not kept:
                pin_change = {"pin_hash": row.pin or ""}
                entry = next((c for c in plan.changed if c[1].id == member.id), None)
                if entry is None:
                    plan.changed.append((row, member, pin_change))
                else:
                    entry[2].update(pin_change)
        new_hashes = _each(
            pool,
            lambda item: credentials.hash_pin(item[1]),
            plan.new,
            lambda done, total: report("Hashing PINs", done, total),
        )
        for _, _, changes in plan.changed:
            if "pin_hash" in changes:
                changes["pin_hash"] = credentials.hash_pin(changes["pin_hash"])
    return _write(uow, trainer, plan, new_hashes, lambda d, t: report("Writing", d, t))


def _each(
    pool: ThreadPoolExecutor,
    work: Callable[[Any], T],
    items: list[Any],
    report: Callable[[int, int], None],
) -> list[T]:
    """`work` on every item across the pool, in order, reporting every CHUNK done."""
    results: list[T] = []
    for result in pool.map(work, items):
        results.append(result)
        if len(results) % CHUNK == 0 or len(results) == len(items):
            report(len(results), len(items))
    return results


def _write(
    uow: Uow,
    trainer: TrainerPrincipal,
    plan: _Plan,
    new_hashes: list[str],
    progress: Callable[[int, int], None],
) -> ImportOut:
    total = len(plan.new) + len(plan.changed)
    done = created = 0
    errors = list(plan.errors)
    pins: list[GeneratedPin] = []
    for start in range(0, len(plan.new), CHUNK):
        chunk = list(
            zip(plan.new[start : start + CHUNK], new_hashes[start : start + CHUNK], strict=True)
        )
        rows = [
            Member(
                id=uuid.uuid4(),
                chain_id=trainer.chain_id,
                home_gym_id=uuid.UUID(row.home_gym_id),
                name=row.name,
                badge=row.badge,
                pin_hash=pin_hash,
                unit=row.unit.value if row.unit else plan.gym_units[row.home_gym_id],
                external_id=row.external_id,
                active=True,
            )
            for (row, _), pin_hash in chunk
        ]
        with uow:
            inserted = uow.repo.insert_members(rows)
            _forget_pin_failures(uow, trainer, [m.badge for m in rows if m.id in inserted])
            uow.commit()
        for ((row, pin), _), member in zip(chunk, rows, strict=True):
            if member.id not in inserted:
                errors.append(
                    RowError(row.row, "badge", "a member with this badge or id was added meanwhile")
                )
                continue
            created += 1
            if not row.pin:
                pins.append(GeneratedPin(row=row.row, badge=row.badge, pin=pin))
        done += len(chunk)
        progress(done, total)
    for start in range(0, len(plan.changed), CHUNK):
        chunk_changes = plan.changed[start : start + CHUNK]
        with uow:
            uow.repo.update_members(
                [{"id": member.id, **changes} for _, member, changes in chunk_changes]
            )
            _forget_pin_failures(
                uow,
                trainer,
                [row.badge for row, _, changes in chunk_changes if "pin_hash" in changes],
            )
            uow.commit()
        done += len(chunk_changes)
        progress(done, total)
    return ImportOut(
        created=created,
        updated=len(plan.changed),
        unchanged=plan.unchanged,
        errors=[
            ImportError_(row=e.row, field=e.field, message=e.message)
            for e in sorted(errors, key=lambda e: (e.row, e.field))
        ],
        pins=pins,
    )


def _forget_pin_failures(uow: Uow, trainer: TrainerPrincipal, badges: list[str]) -> None:
    """A new member, badge or PIN starts afresh: what strangers typed for the badge goes."""
    uow.repo.forget_pin_failures(trainer.chain_id, [badge_digest(b) for b in badges])
