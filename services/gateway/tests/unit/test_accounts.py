"""The rules of an account's fields, with plain values."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from gateway_service.domain.accounts import (
    InvalidField,
    check_badge,
    check_email,
    check_password,
    check_pin,
    check_timezone,
    check_unit,
)
from myokine.units import Unit


def test_good_values_are_kept_as_stored() -> None:
    assert check_pin("0000") == "0000" and check_pin("12345678") == "12345678"
    assert check_timezone("America/Chicago") == "America/Chicago"
    assert check_unit("lb") is Unit.LB
    assert check_badge("1001") == "1001"
    assert check_email("Casey@North.Example") == "casey@north.example"
    assert check_password("12345678") == "12345678"


@pytest.mark.parametrize(
    ("check", "value", "field"),
    [
        (check_pin, "123", "pin"),
        (check_pin, "123456789", "pin"),
        (check_pin, "12a4", "pin"),
        (check_timezone, "Mars/Olympus", "timezone"),
        (check_timezone, "", "timezone"),
        (check_unit, "stone", "unit"),
        (check_badge, "  ", "badge"),
        (check_email, "casey", "email"),
        (check_password, "1234567", "password"),
    ],
)
def test_a_value_that_breaks_its_rule_names_its_field(
    check: Callable[[str], object], value: str, field: str
) -> None:
    with pytest.raises(InvalidField) as refused:
        check(value)
    assert refused.value.field == field
