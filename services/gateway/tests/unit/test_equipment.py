"""Each gym's equipment on the in-memory unit of work: read, set, announced to progression,
sent again to a consumer that asks to catch up, and the plate math the kiosk shows."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

from gateway_service.domain.reasons import Basis, why
from gateway_service.domain.today import loads_near, plates_for
from gateway_service.handlers import equipment, identity
from myokine.events import ALL_CHAINS, CATALOG, INVENTORY, CatchUpRequested, InventoryChanged
from myokine.inventory import Barbell, InventoryUpdate, PlatePairs, default_inventory
from myokine.problems import NotFound
from myokine.units import KG_PER_LB, Unit

from .conftest import Tenant, Uow, assert_nothing_committed
from .fakes import NOW, FakeGatewayRepository

D = Decimal
HOTEL = InventoryUpdate(
    unit=Unit.KG,
    barbell=Barbell(bar=D(15), plates=(PlatePairs(weight=D(10), pairs=2),)),
    kettlebells=(D(8), D(16)),
)


def test_a_gym_that_set_nothing_has_its_units_defaults(uow: Uow, tenant: Tenant) -> None:
    shown = equipment.gym_inventory(uow, tenant.signed_in, tenant.gym.id)
    assert shown.version == 0 and shown.unit is Unit.KG
    assert shown.barbell == default_inventory(Unit.KG).barbell
    assert shown.defaults == list(equipment.KINDS)


def test_setting_equipment_keeps_it_and_tells_progression(
    uow: Uow, repo: FakeGatewayRepository, tenant: Tenant
) -> None:
    shown = equipment.set_gym_inventory(uow, tenant.signed_in, tenant.gym.id, HOTEL, now=NOW)
    assert (shown.version, shown.barbell.bar, shown.kettlebells) == (1, 15, (8, 16))
    assert shown.defaults == ["dumbbells", "machine", "bodyweight_step"]
    (sent,) = uow.outbox
    assert isinstance(sent, InventoryChanged)
    assert (sent.gym_id, sent.version, sent.inventory) == (tenant.gym.id, 1, HOTEL.resolved())
    # The same again changes nothing and sends nothing; a change is version 2.
    equipment.set_gym_inventory(uow, tenant.signed_in, tenant.gym.id, HOTEL, now=NOW)
    assert len(uow.outbox) == 1
    pounds = InventoryUpdate(unit=Unit.LB)
    again = equipment.set_gym_inventory(uow, tenant.signed_in, tenant.gym.id, pounds, now=NOW)
    assert again.version == 2 and again.unit is Unit.LB
    assert repo.inventories[tenant.gym.id].version == 2


def test_another_chains_gym_is_not_found(uow: Uow, tenant: Tenant, other: Tenant) -> None:
    with pytest.raises(NotFound):
        equipment.set_gym_inventory(uow, tenant.signed_in, other.gym.id, HOTEL, now=NOW)
    with pytest.raises(NotFound):
        equipment.gym_inventory(uow, tenant.signed_in, uuid.uuid4())
    assert_nothing_committed(uow)


def test_a_new_gym_announces_its_defaults(uow: Uow, tenant: Tenant) -> None:
    gym = identity.create_gym(uow, tenant.chain.id, "East", "America/Chicago", "lb")
    (sent,) = uow.outbox
    assert isinstance(sent, InventoryChanged)
    assert (sent.gym_id, sent.version, sent.inventory) == (gym.id, 0, default_inventory(Unit.LB))


def test_a_consumer_that_asks_gets_every_gyms_equipment_again(
    uow: Uow, tenant: Tenant, other: Tenant
) -> None:
    equipment.set_gym_inventory(uow, tenant.signed_in, tenant.gym.id, HOTEL, now=NOW)
    uow.outbox.clear()
    asked = CatchUpRequested(chain_id=ALL_CHAINS, consumer="progression", wants=(INVENTORY,))
    equipment.on_catch_up_requested(uow, asked)
    sent = {e.gym_id: (e.version, e.inventory) for e in uow.outbox}
    assert isinstance(uow.outbox[0], InventoryChanged)
    assert sent == {
        tenant.gym.id: (1, HOTEL.resolved()),
        other.gym.id: (0, default_inventory(Unit(other.gym.unit))),
    }
    # A redelivered request, or one that wants only the catalog, sends nothing more.
    equipment.on_catch_up_requested(uow, asked)
    only_catalog = CatchUpRequested(chain_id=ALL_CHAINS, consumer="logging", wants=(CATALOG,))
    equipment.on_catch_up_requested(uow, only_catalog)
    assert len(uow.outbox) == 2


def test_plate_math_for_barbell_targets_only() -> None:
    kg = default_inventory(Unit.KG)
    assert plates_for("barbell", D("62.5"), kg) == {
        "unit": "kg",
        "bar": 20,
        "per_side": (D(20), D("1.25")),
    }
    assert plates_for("barbell", D(20), kg) == {"unit": "kg", "bar": 20, "per_side": ()}
    assert plates_for("dumbbell", D("62.5"), kg) is None
    assert plates_for("barbell", None, kg) is None
    lb = default_inventory(Unit.LB)
    assert plates_for("barbell", 135 * KG_PER_LB, lb) == {
        "unit": "lb",
        "bar": 45,
        "per_side": (D(45),),
    }


def test_a_roaming_target_says_what_it_stands_in_for() -> None:
    basis = Basis(
        rule="roam",
        load_kg=140 * KG_PER_LB,
        reps=6,
        sets=3,
        intended_load_kg=D("62.5"),
    )
    assert why(basis, Unit.KG) == (
        "Your next step is 62.5 kg; the nearest this gym's equipment makes is 63.5 kg."
    )
    assert why(basis, Unit.LB) == (
        "Your next step is 137.79 lb; the nearest this gym's equipment makes is 140 lb."
    )


def test_the_load_buttons_step_through_loads_the_gym_makes() -> None:
    kg = default_inventory(Unit.KG)
    # A pound member at a kg gym: 20 kg is 44.09 lb, and the next load is 22.5 kg (49.6 lb).
    near = loads_near("barbell", D(20), kg, Unit.LB)
    assert near[:2] == [D("44.09"), D("49.60")]
    assert len(loads_near("barbell", D(100), kg, Unit.KG)) == 17
    assert loads_near("kettlebell", None, kg, Unit.KG)[:3] == [8, 12, 16]
    assert loads_near(None, D(20), kg, Unit.KG) == []
