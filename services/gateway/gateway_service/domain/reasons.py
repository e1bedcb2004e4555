"""Why a target is what it is: one sentence for the member, in their unit (docs/protocol.md §2).

Progression names the rule that made a target and the facts behind it, in kilograms; the
gateway, which knows the member's unit, says it in words. The sentences state what the
numbers are and what to aim for, never a promise.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from gateway_service.domain.loads import as_decimal, in_unit
from myokine.units import Unit


@dataclass(frozen=True)
class Basis:
    """The facts behind one target, as progression sends them (loads in kg)."""

    rule: str
    load_kg: Decimal | None
    reps: int | None
    sets: int | None
    previous_load_kg: Decimal | None = None
    ceiling: int | None = None
    days_since_last: int | None = None
    rep_min: int | None = None
    intended_load_kg: Decimal | None = None
    """With `roam`: the load the member's own progression intends."""

    @classmethod
    def of(cls, target: dict[str, Any], *, load_field: str = "load_kg") -> Basis | None:
        """The basis of a target from progression's answer; None when it names no rule."""
        rule = target.get("rule")
        if not isinstance(rule, str):
            return None
        return cls(
            rule=rule,
            load_kg=as_decimal(target.get(load_field)),
            reps=target.get("target_reps", target.get("reps")),
            sets=target.get("sets"),
            previous_load_kg=as_decimal(target.get("previous_load_kg")),
            ceiling=target.get("ceiling"),
            days_since_last=target.get("days_since_last"),
            rep_min=target.get("rep_min"),
            intended_load_kg=as_decimal(target.get("intended_load_kg")),
        )


def _load(kg: Decimal | None, unit: Unit) -> str:
    shown = in_unit(kg, unit)
    if shown is None:
        return "the same weight"
    text = f"{shown.normalize():f}" if shown != shown.to_integral_value() else f"{int(shown)}"
    return f"{text} {unit.value}"


def why(basis: Basis, unit: Unit) -> str:
    """The sentence that explains `basis`'s target to a member who reads `unit`."""
    load = _load(basis.load_kg, unit)
    before = _load(basis.previous_load_kg, unit)
    sets, reps, ceiling, days = basis.sets, basis.reps, basis.ceiling, basis.days_since_last
    # Where no lighter weight exists a deload takes a set away instead (same load).
    same = basis.previous_load_kg is not None and basis.previous_load_kg == basis.load_kg
    sentences = {
        "calibrate": (
            f"{days} days away: start light at {load} and find a weight you could lift "
            f"about {reps} times."
            if days
            else f"First time: find a weight you could lift about {reps} times."
        ),
        "start": f"Your trainer's starting weight: {load} for {reps} reps.",
        "up": f"All {sets} sets reached {ceiling}: up to {load}.",
        "bridge": (
            f"All sets reached the top of the range, and the next weight is a big jump: "
            f"stay at {load} and build to {ceiling} reps first."
        ),
        "hold": f"Stay at {load} and aim for {reps} reps on each set.",
        "deload_miss": (
            f"Two sessions in a row with a set under {basis.rep_min or reps} reps: "
            + (
                f"{sets} sets at {load} to build back up."
                if same
                else f"down from {before} to {load} to build back up."
            )
        ),
        "deload_stall": (
            f"Three sessions at {before} without more reps: "
            + (f"{sets} sets at {load} to move on again." if same else f"down to {load}.")
        ),
        "gap_hold": f"{days} days since last time: stay at {load}, no increase yet.",
        "gap_reduce": f"{days} days since last time: {load}, a little lighter, to ease back in.",
        "add_set": f"{load} is the heaviest weight here: one more set instead, {sets} in all.",
        "equipment_ceiling": (
            f"{sets} sets at {load} is the most this equipment allows: "
            "ask your trainer about the next exercise."
        ),
        "roam": (
            f"Your next step is {_load(basis.intended_load_kg, unit)}; the nearest this gym's "
            f"equipment makes is {load}."
            if basis.intended_load_kg is not None
            else f"The nearest weight this gym has: {load}."
        ),
    }
    return sentences.get(basis.rule, f"Aim for {load} for {reps} reps.")


def _explained(target: dict[str, Any], unit: Unit) -> dict[str, Any]:
    basis = Basis.of(target)
    return {**target, "why": why(basis, unit)} if basis is not None else target


def explain_progress(progress: dict[str, Any], unit: Unit) -> dict[str, Any]:
    """A progress document with each exercise's `next.why`, and each of its decisions' `why`,
    said in the member's unit."""
    exercises = {}
    for slug, item in (progress.get("exercises") or {}).items():
        if isinstance(item, dict):
            nxt = item.get("next")
            item = {
                **item,
                "next": _explained(nxt, unit) if isinstance(nxt, dict) else nxt,
                "decisions": [_explained(d, unit) for d in item.get("decisions") or []],
            }
        exercises[slug] = item
    return {**progress, "exercises": exercises}
