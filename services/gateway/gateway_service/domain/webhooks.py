"""Webhooks: what a chain's CRM is told, how it is signed, and when a failed delivery is
tried again. Pure: the sender (`webhook_sender.py`) does the HTTP and the clock.

A delivery's body is one integration event:

    {"id": "...", "type": "record.set", "occurred_at": "...", "chain_id": "...",
     "data": {...}}

and its `Myokine-Signature` header is `t=<unix seconds>,v1=<hex HMAC-SHA256 of
"<t>.<body>">` under the webhook's secret, so a receiver can check both who sent it and
that it is fresh (a replayed old request carries an old `t`).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal, get_args
from urllib.parse import urlsplit, urlunsplit

from myokine.events import MilestoneReached, PersonalRecord, SessionFinished, StallDetected

WebhookEvent = Literal[
    "member.checked_in", "session.finished", "record.set", "member.stalled", "milestone.reached"
]
KINDS: tuple[str, ...] = get_args(WebhookEvent)

SIGNATURE_HEADER = "Myokine-Signature"
SECRET_PREFIX = "whsec_"

# A check-in's id is made from who, where and which day, so signing in again between
# sets (or at a second kiosk of the gym) is the same check-in, told once.
_CHECK_IN_IDS = uuid.UUID("3c1f9a52-6d0e-4f7b-a8c1-2b5e7d9f0a14")


@dataclass(frozen=True)
class IntegrationEvent:
    """One thing a chain's CRM may be told, before it is addressed to any webhook."""

    id: uuid.UUID
    kind: str
    occurred_at: datetime
    chain_id: uuid.UUID
    member_id: uuid.UUID
    data: dict[str, Any]

    def body(self) -> dict[str, Any]:
        """The JSON document a webhook receives."""
        return {
            "id": str(self.id),
            "type": self.kind,
            "occurred_at": self.occurred_at.isoformat(),
            "chain_id": str(self.chain_id),
            "data": self.data,
        }


def checked_in(
    chain_id: uuid.UUID,
    member_id: uuid.UUID,
    external_id: str | None,
    gym_id: uuid.UUID,
    kiosk_id: uuid.UUID,
    at: datetime,
    local_date: date,
) -> IntegrationEvent:
    """A member's first sign-in at a gym on a (gym-local) day."""
    return IntegrationEvent(
        id=uuid.uuid5(_CHECK_IN_IDS, f"{member_id}/{gym_id}/{local_date.isoformat()}"),
        kind="member.checked_in",
        occurred_at=at,
        chain_id=chain_id,
        member_id=member_id,
        data={
            "member_id": str(member_id),
            "external_id": external_id,
            "gym_id": str(gym_id),
            "kiosk_id": str(kiosk_id),
            "local_date": local_date.isoformat(),
        },
    )


NewsEvent = SessionFinished | PersonalRecord | StallDetected | MilestoneReached

_KINDS_OF: dict[type[NewsEvent], str] = {
    SessionFinished: "session.finished",
    PersonalRecord: "record.set",
    StallDetected: "member.stalled",
    MilestoneReached: "milestone.reached",
}


def kind_of(event: NewsEvent) -> str:
    """The integration event a service's event is told as."""
    return _KINDS_OF[type(event)]


def from_event(event: NewsEvent, external_id: str | None) -> IntegrationEvent:
    """What the CRM is told of one of the services' events; its id is the event's, so a
    redelivered event is the same delivery."""
    member = {"member_id": str(event.member_id), "external_id": external_id}
    data: dict[str, Any]
    if isinstance(event, SessionFinished):
        data = {
            "session_id": str(event.session_id),
            "gym_id": str(event.gym_id),
            "local_date": event.local_date.isoformat(),
            "program_day": event.program_day,
            "set_count": event.set_count,
            "automatic": event.automatic,
        }
    elif isinstance(event, PersonalRecord):
        data = {
            "exercise": event.exercise,
            "kind": event.kind,
            "value": str(event.value),
            "set_id": str(event.set_id),
        }
    elif isinstance(event, StallDetected):
        data = {"exercise": event.exercise, "load_kg": str(event.load_kg)}
    else:
        data = {"milestone": event.milestone}
    return IntegrationEvent(
        id=event.event_id,
        kind=kind_of(event),
        occurred_at=event.occurred_at,
        chain_id=event.chain_id,
        member_id=event.member_id,
        data=member | data,
    )


def new_secret() -> str:
    """A signing secret for a webhook whose admin gave none."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The `Myokine-Signature` header of `body` sent at `timestamp` (unix seconds)."""
    signed = f"{timestamp}.".encode() + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(secret: str, header: str, body: bytes, *, now: int, tolerance: int = 300) -> bool:
    """Whether `header` signs `body` under `secret` within `tolerance` seconds of `now`:
    what a receiver does (and what our tests of a receiver do)."""
    parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs(now - timestamp) > tolerance:
        return False
    expected = signature(secret, timestamp, body)
    return hmac.compare_digest(expected, f"t={timestamp},v1={parts.get('v1', '')}")


@dataclass(frozen=True)
class RetryPolicy:
    """How a failed delivery is tried again: waits grow by `factor` from `first` up to
    `longest`; after `attempts` tries in all it is failed for good (a dead letter an admin
    can replay)."""

    first: timedelta
    longest: timedelta
    attempts: int
    factor: float = 3.0

    def wait_after(self, attempts: int, jitter: float) -> timedelta | None:
        """The wait before the next try after `attempts` failed tries, or None when none is
        left. `jitter` in [0, 1) spreads the waits ±20 %, so deliveries that failed together
        (a receiver down) do not all come back at one instant."""
        if attempts >= self.attempts:
            return None
        wait = min(self.first * self.factor ** (attempts - 1), self.longest)
        return wait * (0.8 + 0.4 * jitter)


def url_problem(url: str, *, allow_private: bool) -> str | None:
    """Why `url` cannot receive webhooks, or None.

    Unless `allow_private`, a URL naming a loopback, private or link-local address (or
    `localhost`) is refused: a chain admin must not make the gateway call the services
    behind it. Names are checked again, resolved, when a delivery is sent.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "must be an http or https URL with a host"
    if parts.username is not None or parts.password is not None:
        return "must not hold a user name or password (sign with the secret instead)"
    if parts.fragment:
        return "must not hold a fragment (#...)"
    if allow_private:
        return None
    host = parts.hostname.rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return "must not name this host"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return None
    return None if address_is_public(address) else "must not name a private address"


def address_is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Whether a webhook may be sent to `address` when private addresses are not allowed."""
    return address.is_global and not address.is_multicast


@dataclass(frozen=True)
class PinnedRequest:
    """A webhook URL bound to the address its name was checked against: the request goes to
    that address, naming the host in `Host` (and, over TLS, in SNI, which the certificate is
    checked against), so a second lookup cannot lead it elsewhere (DNS rebinding)."""

    url: str
    host_header: str
    sni_hostname: str | None


def pinned(url: str, address: str) -> PinnedRequest:
    """`url` sent to `address` (one its host name resolved to)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    shown = f"[{address}]" if ":" in address else address
    netloc = f"{shown}:{parts.port}" if parts.port else shown
    host_header = parts.netloc.rpartition("@")[2]
    return PinnedRequest(
        url=urlunsplit((parts.scheme, netloc, parts.path, parts.query, "")),
        host_header=host_header,
        sni_hostname=host if parts.scheme == "https" else None,
    )
