"""Gyms of the trainer's chain (`/v1/gyms`): who needs attention this week, and each
gym's equipment (the body of a PUT is `myokine.inventory.InventoryUpdate`)."""

from __future__ import annotations

import uuid

from pydantic import ConfigDict, Field

from gateway_service.schemas.base import Open
from gateway_service.schemas.progress import WeekPattern
from myokine.inventory import Inventory


class AttentionReason(Open):
    """Why a member needs a trainer. `kind` is one of `no_program`, `stalled` (`exercise`,
    `since`), `behind` (`patterns` that can no longer reach their range this week,
    `sessions_left`), `missed` (`sessions` assigned and not trained in the last two weeks),
    `record` (`exercise`, `record`: its kind, `date`: one to congratulate)."""

    kind: str = Field(examples=["behind"])


class AttentionMember(Open):
    """A member who needs a trainer's eye, with the reasons, most urgent first."""

    member_id: uuid.UUID
    name: str | None = Field(description="Null if the member is no longer in the chain.")
    reasons: list[AttentionReason]
    urgency: int = Field(description="Higher is more urgent; the list is sorted by it.")
    stalled: list[str]
    week: dict[str, WeekPattern]
    on_protocol: bool | None = Field(
        description="This week so far in range (null when nothing is known); being out of "
        "range is a reason only once the week can no longer be made (`behind`)."
    )
    no_program: bool = Field(description="No program assigned yet: a trainer should assign one.")


class AttentionOut(Open):
    """Members of a gym who stalled or are off protocol this week."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "gym_id": "9a1d3c5e-7f20-4b6a-8c4d-1e2f3a4b5c6d",
                    "gym_name": "Downtown",
                    "members": [
                        {
                            "member_id": "3f2c1a9e-8d6b-4c1e-9a7f-2b5d8e0c4a11",
                            "name": "Ada Demo",
                            "stalled": ["bench-press"],
                            "on_protocol": False,
                            "no_program": False,
                            "reasons": [
                                {
                                    "kind": "stalled",
                                    "exercise": "bench-press",
                                    "since": "2026-11-20",
                                },
                                {"kind": "behind", "patterns": ["hinge"], "sessions_left": 0},
                            ],
                            "urgency": 42,
                            "week": {"hinge": {"done": 0, "min": 1, "max": 2, "status": "below"}},
                        }
                    ],
                }
            ]
        },
    )

    gym_id: uuid.UUID
    gym_name: str
    members: list[AttentionMember]


class InventoryOut(Inventory):
    """A gym's whole equipment in its unit: what was set, and the defaults for the rest."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "gym_id": "9a1d3c5e-7f20-4b6a-8c4d-1e2f3a4b5c6d",
                    "version": 2,
                    "defaults": ["dumbbells", "machine", "bodyweight_step"],
                    "unit": "kg",
                    "barbell": {
                        "bar": 20,
                        "plates": [{"weight": 25, "pairs": 4}, {"weight": 1.25, "pairs": 2}],
                    },
                    "kettlebells": [8, 12, 16],
                }
            ]
        }
    )

    gym_id: uuid.UUID
    version: int = Field(description="0 while the gym has the defaults; +1 on every change.")
    defaults: list[str] = Field(description="The kinds of equipment still at their default.")
