"""What every request must be before a route sees it: the checks no schema can make.

A route's pydantic model validates the fields it declares, but some input hurts before or
beside it: a 30 MB body read before the 401, a NUL that PostgreSQL refuses in a text column
(a 500), a lone surrogate that cannot be encoded as UTF-8, a non-ASCII `Idempotency-Key`
that no HTTP client can forward, a JSON object that names a field twice (json takes the
last one silently). `EdgeGuard` refuses all of these with problem+json naming the field,
before anything is read past the limit and before anything is written.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from myokine.control_characters import MESSAGE as CONTROL_CHARACTERS_MESSAGE
from myokine.control_characters import has_control_characters
from myokine.problems import (
    PROBLEM_JSON,
    BadRequest,
    InvalidInput,
    PayloadTooLarge,
    Problem,
)

# Headers that are passed on to other services or stored: visible ASCII only.
_TOKEN_HEADERS = {
    b"idempotency-key": ("Idempotency-Key", 255),
    b"x-request-id": ("X-Request-ID", 128),
}
_VISIBLE_ASCII = re.compile(rb"[\x21-\x7e]+")


@dataclass(frozen=True)
class BodyLimits:
    """How many bytes a request body may have: `default`, or `upload` on `upload_paths`."""

    default: int = 64 * 1024
    upload: int = 16 * 1024 * 1024
    upload_paths: frozenset[str] = frozenset()

    def for_path(self, path: str) -> int:
        """The limit of a request to `path`."""
        return self.upload if path in self.upload_paths else self.default


class _Refused(Exception):  # noqa: N818 - a control-flow signal carrying a Problem
    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.detail)
        self.problem = problem


def _invalid(field: str, message: str) -> _Refused:
    return _Refused(
        InvalidInput(f"Invalid value for: {field}", errors=[{"field": field, "message": message}])
    )


def _check_text(field: str, value: str) -> None:
    if has_control_characters(value):
        raise _invalid(field, CONTROL_CHARACTERS_MESSAGE)


def _check_headers(headers: Iterable[tuple[bytes, bytes]]) -> None:
    for name, value in headers:
        checked = _TOKEN_HEADERS.get(name)
        if checked is None:
            continue
        label, longest = checked
        if len(value) > longest or not _VISIBLE_ASCII.fullmatch(value):
            raise _invalid(label, f"Must be 1 to {longest} visible ASCII characters, no spaces.")


def _check_url(scope: Scope) -> None:
    path: str = scope["path"]
    # A path holds no text to break into lines: a tab or line break there is a forgery.
    if has_control_characters(path) or any(c in path for c in "\t\n\r"):
        raise _invalid("path", CONTROL_CHARACTERS_MESSAGE)
    query = scope.get("query_string", b"")
    if not query:
        return
    try:
        pairs = parse_qsl(query.decode("ascii"), keep_blank_values=True, errors="strict")
    except (UnicodeDecodeError, ValueError) as exc:
        raise _Refused(BadRequest("The query string is not valid.")) from exc
    for name, value in pairs:
        _check_text(name, name)
        _check_text(name, value)


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise _invalid(key, "This field appears more than once in the JSON object.")
        seen[key] = value
    return seen


def _walk_json(value: Any, path: str) -> None:
    if isinstance(value, str):
        _check_text(path or "body", value)
    elif isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else key
            _check_text(where, key)
            _walk_json(item, where)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _walk_json(item, f"{path}.{index}" if path else str(index))


def _check_json(body: bytes) -> None:
    try:
        document = json.loads(body, object_pairs_hook=_no_duplicates)
    except (ValueError, RecursionError):
        # Not JSON at all: the route's own parsing answers that, as a 422 naming the body.
        return
    _walk_json(document, "")


def _check_form(body: bytes) -> None:
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, errors="strict")
    except (UnicodeDecodeError, ValueError) as exc:
        raise _Refused(BadRequest("The form body is not valid UTF-8 form data.")) from exc
    for name, value in pairs:
        _check_text(name, name)
        _check_text(name, value)


def _content_type(headers: Iterable[tuple[bytes, bytes]]) -> str:
    for name, value in headers:
        if name == b"content-type":
            return value.split(b";", 1)[0].strip().lower().decode("latin-1")
    return ""


def _declared_length(headers: Iterable[tuple[bytes, bytes]]) -> int | None:
    for name, value in headers:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError as exc:
                raise _Refused(BadRequest("Content-Length is not a number.")) from exc
    return None


class EdgeGuard:
    """Refuses what no route should see: oversized bodies, control characters in text
    (path, query, JSON strings and keys, form fields), duplicate JSON keys, and headers
    that are forwarded (`Idempotency-Key`, `X-Request-ID`) unless they are plain ASCII.

    The body is read here (never past its limit) and handed to the app unchanged.
    """

    def __init__(self, app: ASGIApp, limits: BodyLimits | None = None) -> None:
        self.app = app
        self.limits = limits or BodyLimits()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            headers = scope["headers"]
            _check_headers(headers)
            _check_url(scope)
            if scope["method"] in ("GET", "HEAD", "OPTIONS"):
                await self.app(scope, receive, send)
                return
            body = await self._read_body(scope, receive)
            kind = _content_type(headers)
            if kind == "application/json" or kind.endswith("+json"):
                _check_json(body)
            elif kind == "application/x-www-form-urlencoded":
                _check_form(body)
        except _Refused as refused:
            await _answer(refused.problem, scope, send)
            return
        await self.app(scope, _replay(body, receive), send)

    async def _read_body(self, scope: Scope, receive: Receive) -> bytes:
        limit = self.limits.for_path(scope["path"])
        declared = _declared_length(scope["headers"])
        if declared is not None and declared > limit:
            raise _too_large(limit)
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise _too_large(limit)
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)


def _too_large(limit: int) -> _Refused:
    return _Refused(PayloadTooLarge(f"The body is larger than this call takes ({limit} bytes)."))


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        # After the body, the app only learns of a disconnect from the server.
        return await receive()

    return replayed


async def _answer(problem: Problem, scope: Scope, send: Send) -> None:
    body = json.dumps(problem.body(scope["path"])).encode()
    headers = [
        (b"content-type", PROBLEM_JSON.encode()),
        (b"content-length", str(len(body)).encode()),
    ]
    # The client may still be sending a body we will not read: the connection cannot be
    # reused for another request.
    headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": problem.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
