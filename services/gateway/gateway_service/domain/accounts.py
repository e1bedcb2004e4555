"""What the fields of an account must look like: PINs, time zones, units, emails, passwords.

Each check answers the value as it is kept, or raises InvalidField naming the field.
"""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from myokine.units import Unit

PIN_FORMAT = re.compile(r"^[0-9]{4,8}$")
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


def check_pin(pin: str) -> str:
    """The PIN, if it is 4 to 8 digits."""
    if not PIN_FORMAT.match(pin):
        raise InvalidField("pin", "a PIN is 4 to 8 digits")
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
