"""Each gym's equipment (docs/protocol.md §2, "A gym's inventory"): read it, set it, and
send it to progression, which makes targets of the loads it can make.

The gateway owns gyms, so it keeps what a trainer set; every change goes out as
`InventoryChanged` with the whole inventory and a version one higher, written to the
outbox with the change. A new gym announces its defaults (version 0); a consumer that
asks to catch up gets every gym's inventory again.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from gateway_service.principals import TrainerPrincipal
from gateway_service.queries import managed_gym
from gateway_service.repository import GatewayRepository, Gym, GymInventory
from gateway_service.schemas.gyms import InventoryOut
from myokine.events import INVENTORY, CatchUpRequested, InventoryChanged
from myokine.inventory import Inventory, InventoryUpdate, default_inventory
from myokine.unit_of_work import UnitOfWork
from myokine.units import Unit

Uow = UnitOfWork[GatewayRepository]

KINDS = ("barbell", "dumbbells", "kettlebells", "machine", "bodyweight_step")
"""The kinds of equipment an inventory names; each one left out keeps its default."""


def _settings(row: GymInventory | None, gym: Gym) -> InventoryUpdate:
    if row is None:
        return InventoryUpdate(unit=Unit(gym.unit))
    return InventoryUpdate.model_validate(row.settings)


def _answer(gym: Gym, row: GymInventory | None) -> InventoryOut:
    settings = _settings(row, gym)
    return InventoryOut.model_validate(
        {
            **settings.resolved().model_dump(),
            "gym_id": gym.id,
            "version": row.version if row else 0,
            "defaults": [kind for kind in KINDS if getattr(settings, kind) is None],
        }
    )


def kiosk_inventory(repo: GatewayRepository, gym_id: uuid.UUID, unit: Unit) -> Inventory:
    """A kiosk's gym's whole equipment: what was set, and the defaults of the gym's unit for
    the rest; the defaults of `unit` (the member's) if the gym is gone."""
    found = repo.gym_with_inventory(gym_id)
    if found is None:
        return default_inventory(unit)
    gym, row = found
    return _settings(row, gym).resolved()


def gym_inventory(uow: Uow, trainer: TrainerPrincipal, gym_id: uuid.UUID) -> InventoryOut:
    """A gym the trainer works in: its equipment, and which kinds are still the defaults."""
    with uow:
        gym = managed_gym(uow.repo, trainer, gym_id)
        return _answer(gym, uow.repo.gym_inventory(gym.id))


def set_gym_inventory(
    uow: Uow,
    trainer: TrainerPrincipal,
    gym_id: uuid.UUID,
    update: InventoryUpdate,
    *,
    now: datetime,
) -> InventoryOut:
    """Set a gym's equipment (the kinds left out keep their defaults) and tell progression.

    Setting what is set already answers the same and sends nothing.
    """
    # Kinds left out and no missing kinds are not stored, so an unchanged update compares
    # equal to what a gym saved before `missing` existed.
    settings = update.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
    settings["unit"] = update.unit.value
    with uow:
        gym = managed_gym(uow.repo, trainer, gym_id)
        # Locked: two trainers saving at once get one version each, in turn.
        row = uow.repo.gym_inventory(gym.id, for_update=True)
        if row is not None and row.settings == settings:
            return _answer(gym, row)
        if row is None:
            row = GymInventory(
                gym_id=gym.id, chain_id=gym.chain_id, version=1, settings=settings, updated_at=now
            )
            uow.repo.add_gym_inventory(row)
        else:
            row.version, row.settings, row.updated_at = row.version + 1, settings, now
        uow.add_event(_changed(gym, row))
        answer = _answer(gym, row)
        uow.commit()
        return answer


def _changed(gym: Gym, row: GymInventory | None) -> InventoryChanged:
    return InventoryChanged(
        chain_id=gym.chain_id,
        gym_id=gym.id,
        version=row.version if row else 0,
        inventory=_settings(row, gym).resolved(),
    )


def announce_new_gym(uow: Uow, gym: Gym) -> None:
    """Within a new gym's unit of work: announce its default equipment (version 0)."""
    uow.add_event(
        InventoryChanged(
            chain_id=gym.chain_id,
            gym_id=gym.id,
            version=0,
            inventory=default_inventory(Unit(gym.unit)),
        )
    )


def on_catch_up_requested(uow: Uow, event: CatchUpRequested) -> None:
    """Send every gym's equipment again when a consumer asks for it (it missed events, or
    is new); consumers keep the highest version, so a copy they have changes nothing."""
    with uow:
        if not uow.first_delivery(event) or INVENTORY not in event.wants:
            uow.commit()
            return
        rows = uow.repo.gym_inventories()
        for gym in uow.repo.all_gyms():
            uow.add_event(_changed(gym, rows.get(gym.id)))
        uow.commit()
