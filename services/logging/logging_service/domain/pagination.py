"""Opaque cursors for keyset pagination: newest first, ties broken by id."""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime

MAX_PAGE_SIZE = 200
DEFAULT_PAGE_SIZE = 50


class InvalidCursorError(ValueError):
    """The cursor was not made by `encode_cursor`."""


@dataclass(frozen=True)
class Cursor:
    """Where the next page starts: strictly after (older than) this position."""

    at: datetime
    id: uuid.UUID


@dataclass(frozen=True)
class PageRequest:
    """Which page of a member's history: after `cursor`, at most `limit`, maybe filtered.

    `exercise` keeps one exercise's sets (or the sessions with one); `date_from` and
    `date_to` are local dates, both included.
    """

    cursor: Cursor | None = None
    limit: int = DEFAULT_PAGE_SIZE
    exercise: str | None = None
    date_from: date | None = None
    date_to: date | None = None


def encode_cursor(cursor: Cursor) -> str:
    """The cursor as an opaque, URL-safe string."""
    raw = json.dumps({"at": cursor.at.isoformat(), "id": str(cursor.id)}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(text: str) -> Cursor:
    """The cursor behind an opaque string; raises `InvalidCursorError` for anything else."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        fields = json.loads(raw)
        at = datetime.fromisoformat(fields["at"])
        if at.tzinfo is None:
            raise InvalidCursorError("cursor time without zone")
        return Cursor(at=at, id=uuid.UUID(fields["id"]))
    except (binascii.Error, ValueError, KeyError, TypeError) as exc:
        raise InvalidCursorError(str(exc)) from exc
