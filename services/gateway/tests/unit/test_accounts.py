"""The rules of an account's fields, with plain values."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from gateway_service import credentials
from gateway_service.domain.accounts import (
    COMMON_PINS,
    InvalidField,
    check_badge,
    check_email,
    check_password,
    check_pin,
    check_timezone,
    check_unit,
    pin_problem,
)
from myokine.units import Unit


def test_good_values_are_kept_as_stored() -> None:
    assert check_pin("4821") == "4821" and check_pin("80417329") == "80417329"
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
        (check_pin, "4821\n", "pin"),
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


@pytest.mark.parametrize(
    ("pin", "why"),
    [
        ("0000", "repeated"),
        ("7777", "repeated"),
        ("1212", "repeated"),
        ("6969", "repeated"),
        ("123123", "repeated"),
        ("12341234", "repeated"),
        ("11111111", "repeated"),
        ("1234", "in a row"),
        ("0123", "in a row"),
        ("4321", "in a row"),
        ("9876", "in a row"),
        ("345678", "in a row"),
        ("1004", "most common"),
        ("2000", "most common"),
        ("2580", "most common"),
    ],
)
def test_a_pin_easy_to_guess_is_refused_saying_why(pin: str, why: str) -> None:
    with pytest.raises(InvalidField) as refused:
        check_pin(pin)
    assert refused.value.field == "pin"
    assert "too easy to guess" in refused.value.message and why in refused.value.message


@pytest.mark.parametrize("pin", ["2468", "1357", "1001", "7890", "1123", "4821", "80417329"])
def test_pins_that_merely_look_orderly_are_kept(pin: str) -> None:
    assert pin_problem(pin) is None


def test_the_common_pins_are_few_and_each_is_needed() -> None:
    # Each is caught by no pattern: the list holds only what the rules miss.
    assert len(COMMON_PINS) <= 10
    for pin in COMMON_PINS:
        assert pin_problem(pin) == (
            "too easy to guess (one of the most common PINs): choose another"
        )


def test_how_many_four_digit_pins_are_refused() -> None:
    refused = [p for p in (f"{n:04d}" for n in range(10_000)) if pin_problem(p)]
    # Sequences (14), a digit or a pair repeated (100), the common ones the patterns miss.
    assert len(refused) == 14 + 100 + 6


def test_a_generated_pin_is_never_easy_to_guess(monkeypatch: pytest.MonkeyPatch) -> None:
    draws = iter("000012344821")
    monkeypatch.setattr(credentials.secrets, "choice", lambda _digits: next(draws))
    assert credentials.new_pin() == "4821"
