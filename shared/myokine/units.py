"""Units of load: kilograms kept as exact decimals, pounds converted at the edge."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

KG_PER_LB = Decimal("0.45359237")


class Unit(StrEnum):
    """The units a member or a gym may use."""

    KG = "kg"
    LB = "lb"


def to_kg(value: Decimal, unit: Unit) -> Decimal:
    """The exact kilogram value of a load given in `unit`."""
    return value if unit is Unit.KG else value * KG_PER_LB


def from_kg(kg: Decimal, unit: Unit, *, places: int = 2) -> Decimal:
    """A kilogram load shown in `unit`, rounded to `places` decimals for display."""
    value = kg if unit is Unit.KG else kg / KG_PER_LB
    return value.quantize(Decimal(1).scaleb(-places))
