"""What the schemas share: open documents, and the JSON form of decimals and times."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import ConfigDict, PlainSerializer, WithJsonSchema

from myokine.request_bodies import RequestBody


class Open(RequestBody):
    """A document that may carry more fields than listed (services add fields freely)."""

    model_config = ConfigDict(extra="allow")


def _json_number(value: Decimal) -> int | float:
    # An integer when the decimal has no fraction digits, else a float: how the gateway's
    # loads have always left it, whether a service sent them as numbers or as strings.
    exponent = value.as_tuple().exponent
    return int(value) if isinstance(exponent, int) and exponent >= 0 else float(value)


Number = Annotated[
    Decimal,
    PlainSerializer(_json_number, return_type=int | float, when_used="json"),
    WithJsonSchema({"type": "number"}, mode="serialization"),
]
"""An exact decimal inside the gateway, a JSON number on the wire."""

IsoTimestamp = Annotated[
    datetime,
    PlainSerializer(datetime.isoformat, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time"}, mode="serialization"),
]
"""A time as `datetime.isoformat` writes it (`+00:00` rather than `Z`).

The times the gateway reads from its own database for the kiosk's news and the
dashboard's overview have always been sent this way.
"""
