"""Request bodies: JSON's booleans are never read as numbers, and stay booleans where a
field declares one."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from pydantic import Field, ValidationError

from myokine.request_bodies import RequestBody


class Entry(RequestBody):
    reps: int = Field(ge=0)
    load: Decimal | None = None
    warmup: bool = False
    weekdays: list[int] | None = None
    labels: dict[str, Any] | None = None


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"reps": True}, "reps"),
        ({"reps": 8, "load": False}, "load"),
        ({"reps": 8, "weekdays": [1, True]}, "weekdays"),
    ],
)
def test_a_boolean_where_a_number_is_declared_is_refused(data: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as refused:
        Entry.model_validate(data)
    assert [e["loc"] for e in refused.value.errors()] == [(field,)]


def test_booleans_and_numbers_where_they_are_declared_pass() -> None:
    entry = Entry.model_validate(
        {"reps": 8, "load": "102.5", "warmup": True, "weekdays": [1, 3], "labels": {"x": True}}
    )
    assert (entry.reps, entry.load, entry.warmup, entry.weekdays) == (
        8,
        Decimal("102.5"),
        True,
        [1, 3],
    )
