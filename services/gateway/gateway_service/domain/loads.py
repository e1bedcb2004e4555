"""Showing loads to a member: kilograms kept exact, the member's own unit beside them.

The services send decimals as JSON strings or numbers; every load leaves the gateway as
a JSON number, whichever service it came from.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from myokine.units import Unit, from_kg


def as_decimal(value: Any) -> Decimal | None:
    """A load as a decimal, from the JSON number or string a service sent; None if absent."""
    if value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def in_unit(load_kg: Any, unit: Unit) -> Decimal | None:
    """A kilogram load in `unit`, rounded for display."""
    kg = as_decimal(load_kg)
    return None if kg is None else from_kg(kg, unit)


def present_set(logged: dict[str, Any], unit: Unit) -> dict[str, Any]:
    """A set from the logging service, with `load` and `unit` in the member's unit.

    The load as entered moves to `entered_load` / `entered_unit`, so nothing is lost.
    """
    shown = dict(logged)
    shown["load_kg"] = as_decimal(logged.get("load_kg"))
    shown["entered_load"] = logged.get("load")
    shown["entered_unit"] = logged.get("unit")
    shown["load"] = in_unit(logged.get("load_kg"), unit)
    shown["unit"] = unit.value
    return shown


def _target(target: dict[str, Any], unit: Unit) -> dict[str, Any]:
    return {
        **target,
        "load_kg": as_decimal(target.get("load_kg")),
        "load": in_unit(target.get("load_kg"), unit),
    }


def present_progress(progress: dict[str, Any], unit: Unit) -> dict[str, Any]:
    """Progression's progress document (kg only), with the member's unit added beside kg."""
    shown = dict(progress)
    exercises: dict[str, Any] = {}
    for slug, item in (progress.get("exercises") or {}).items():
        entry = dict(item)
        for field in ("working_load_kg", "best_e1rm_kg"):
            entry[field] = as_decimal(item.get(field))
        entry["series"] = [
            {**point, "e1rm_kg": as_decimal(point.get("e1rm_kg"))}
            for point in item.get("series") or []
        ]
        entry["working_load"] = in_unit(item.get("working_load_kg"), unit)
        entry["best_e1rm"] = in_unit(item.get("best_e1rm_kg"), unit)
        entry["prs"] = [
            {**pr, "load": in_unit(pr.get("load_kg"), unit)} if isinstance(pr, dict) else pr
            for pr in item.get("prs") or []
        ]
        nxt = item.get("next")
        if isinstance(nxt, dict):
            entry["next"] = _target(nxt, unit)
        entry["decisions"] = [
            _target(d, unit) for d in item.get("decisions") or [] if isinstance(d, dict)
        ]
        exercises[slug] = entry
    shown["exercises"] = exercises
    shown["unit"] = unit.value
    return shown
