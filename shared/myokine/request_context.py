"""The request and event ids that follow one piece of work across services and logs."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

REQUEST_ID_HEADER = "X-Request-ID"

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
event_id_var: ContextVar[str | None] = ContextVar("event_id", default=None)


def new_request_id() -> str:
    """A fresh request id."""
    return uuid.uuid4().hex


def current_request_id() -> str | None:
    """The request id of the work in progress, if any."""
    return request_id_var.get()


@contextmanager
def bind_context(*, request_id: str | None, event_id: str | None = None) -> Iterator[None]:
    """Attach ids to everything logged inside the block."""
    r = request_id_var.set(request_id)
    e = event_id_var.set(event_id)
    try:
        yield
    finally:
        request_id_var.reset(r)
        event_id_var.reset(e)
