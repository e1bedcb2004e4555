"""What the fields of an account must look like: PINs, time zones, units, emails, passwords.

Each check answers the value as it is kept, or raises InvalidField naming the field.
"""

from __future__ import annotations

import re
from itertools import pairwise
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from myokine.units import Unit

PIN_FORMAT = re.compile(r"[0-9]{4,8}")
# The PINs people choose most that the patterns below do not catch (dates, keypad lines,
# pairs), after the published studies of leaked PIN sets. A guesser's few tries before the
# backoff go to exactly these; the list stays short so that members keep choosing freely.
COMMON_PINS = frozenset({"0852", "1004", "1122", "2000", "2001", "2580", "112233"})
MIN_PASSWORD_LENGTH = 8


class InvalidField(ValueError):  # noqa: N818 - a verdict on the input, like ValueError
    """A field that breaks its rule, and why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def check_timezone(name: str) -> str:
    """The name, if it is an IANA time zone."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidField("timezone", f"{name!r} is not an IANA time zone") from exc
    return name


def pin_problem(pin: str) -> str | None:
    """Why a PIN may not be set, or None: it must be 4 to 8 digits and not easy to guess.

    Easy to guess: one digit or one short block repeated (0000, 1212, 123123), digits
    going up or down one at a time (1234, 0123, 9876), or one of `COMMON_PINS`.
    """
    # fullmatch: `$` would let a trailing newline through.
    if not PIN_FORMAT.fullmatch(pin):
        return "a PIN is 4 to 8 digits"
    if _repeats_a_block(pin):
        return "too easy to guess (a digit or a block of digits repeated): choose another"
    steps = {int(b) - int(a) for a, b in pairwise(pin)}
    if steps in ({1}, {-1}):
        return "too easy to guess (digits in a row, up or down): choose another"
    if pin in COMMON_PINS:
        return "too easy to guess (one of the most common PINs): choose another"
    return None


def _repeats_a_block(pin: str) -> bool:
    return any(
        pin == pin[:size] * (len(pin) // size)
        for size in range(1, len(pin) // 2 + 1)
        if len(pin) % size == 0
    )


def check_pin(pin: str) -> str:
    """The PIN, if it may be set (see `pin_problem`)."""
    problem = pin_problem(pin)
    if problem is not None:
        raise InvalidField("pin", problem)
    return pin


def check_unit(unit: str) -> Unit:
    """The unit of `kg` or `lb`."""
    try:
        return Unit(unit)
    except ValueError as exc:
        raise InvalidField("unit", "the unit is kg or lb") from exc


def check_badge(badge: str) -> str:
    """The badge, if it is not blank."""
    if not badge.strip():
        raise InvalidField("badge", "a badge is required")
    return badge


def check_email(email: str) -> str:
    """The email as stored and compared: lower case, if it looks like an address."""
    if "@" not in email:
        raise InvalidField("email", "not an email address")
    return email.lower()


def check_password(password: str) -> str:
    """The password, if it is long enough."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidField("password", f"at least {MIN_PASSWORD_LENGTH} characters")
    return password
