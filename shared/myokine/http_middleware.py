"""ASGI middleware that gives every request an id and logs its outcome."""

from __future__ import annotations

import logging
import re
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from myokine.metrics import count_request
from myokine.request_context import REQUEST_ID_HEADER, bind_context, new_request_id

log = logging.getLogger("myokine.http")

_HEADER = REQUEST_ID_HEADER.lower().encode()
_VALID_ID = re.compile(rb"[\x21-\x7e]{1,128}")
# Any token is a method to HTTP; only these get a series of their own.
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class RequestIdMiddleware:
    """Takes `X-Request-ID` from the caller (or makes one), binds it, and echoes it back;
    logs the outcome and counts it (by route template, so ids in paths make no new series).
    """

    def __init__(self, app: ASGIApp, service: str = "") -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(_HEADER)
        # An id that is no plain ASCII token is refused by the edge guard inside; it is
        # never echoed or logged, the refusal gets an id of its own.
        if incoming and _VALID_ID.fullmatch(incoming):
            request_id = incoming.decode("ascii")
        else:
            request_id = new_request_id()
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (_HEADER, request_id.encode())]
            await send(message)

        with bind_context(request_id=request_id):
            try:
                await self.app(scope, receive, send_with_id)
            finally:
                seconds = time.perf_counter() - started
                # The router put the matched route in the scope; a path no route matched
                # (a scan, a typo) is counted as one series, not one per path.
                route = getattr(scope.get("route"), "path", None) or "unmatched"
                method = scope["method"] if scope["method"] in _METHODS else "OTHER"
                count_request(self.service, method, route, status, seconds)
                log.info(
                    "%s %s -> %s",
                    scope["method"],
                    scope["path"],
                    status,
                    extra={
                        "method": scope["method"],
                        "path": scope["path"],
                        "status": status,
                        "ms": round(seconds * 1000, 1),
                    },
                )
