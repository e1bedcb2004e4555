"""problem+json (RFC 9457): the one way every service answers an error.

Domain code raises a `Problem` (or one of its kinds below); `install_problem_handlers`
maps it, FastAPI's request validation errors, a database that does not answer and
anything unexpected to `application/problem+json` with a stable `type` per kind of error.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from sqlalchemy import exc as db_errors
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://myokine.dev/problems/"


class Problem(Exception):  # noqa: N818 - named after the RFC's "problem details"
    """An error answered to the client as problem+json."""

    status: int = 500
    kind: str = "internal"
    title: str = "Internal error"

    def __init__(
        self,
        detail: str | None = None,
        *,
        errors: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.errors = errors
        self.headers = headers or {}
        self.extensions = extensions

    def body(self, instance: str | None = None) -> dict[str, Any]:
        """The problem document."""
        doc: dict[str, Any] = {
            "type": TYPE_BASE + self.kind,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        if instance:
            doc["instance"] = instance
        if self.errors is not None:
            doc["errors"] = self.errors
        doc.update(self.extensions)
        return doc


class InvalidInput(Problem):
    """The request is well-formed but a field is wrong; `errors` names each field."""

    status, kind, title = 422, "validation", "Invalid input"


class BadRequest(Problem):
    """The request is malformed."""

    status, kind, title = 400, "bad-request", "Bad request"


class Unauthorized(Problem):
    """No valid credentials."""

    status, kind, title = 401, "unauthorized", "Not authenticated"


class Forbidden(Problem):
    """Valid credentials that do not allow this."""

    status, kind, title = 403, "forbidden", "Not allowed"


class NotFound(Problem):
    """The thing does not exist (or is not visible to the caller)."""

    status, kind, title = 404, "not-found", "Not found"


class Conflict(Problem):
    """The request conflicts with the current state."""

    status, kind, title = 409, "conflict", "Conflict"


class PayloadTooLarge(Problem):
    """The body is larger than this call takes."""

    status, kind, title = 413, "too-large", "Payload too large"


class UnsupportedMediaType(Problem):
    """The body is of a type this call does not read."""

    status, kind, title = 415, "unsupported-media-type", "Unsupported media type"


class Locked(Problem):
    """The resource is locked for now."""

    status, kind, title = 423, "locked", "Locked"


class TooManyRequests(Problem):
    """Rate limit reached."""

    status, kind, title = 429, "rate-limited", "Too many requests"


class ServiceUnavailable(Problem):
    """A service this call needs is down; retry later."""

    status, kind, title = 503, "unavailable", "Service unavailable"


def problem_response(problem: Problem, request: Request | None = None) -> JSONResponse:
    """The HTTP response of a problem."""
    instance = str(request.url.path) if request is not None else None
    return JSONResponse(
        problem.body(instance),
        status_code=problem.status,
        media_type=PROBLEM_JSON,
        headers=problem.headers,
    )


def field_errors(exc: RequestValidationError | ValidationError) -> list[dict[str, str]]:
    """FastAPI's (or pydantic's) validation errors as `{"field", "message"}`, the field as
    a dotted path."""
    errors = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path", "header")]
        errors.append({"field": ".".join(loc) or "body", "message": str(err.get("msg", ""))})
    return errors


DATABASE_OUTAGES: tuple[type[Exception], ...] = (
    db_errors.OperationalError,  # connection refused or cut, server shutting down
    db_errors.InterfaceError,  # a connection closed under the statement
    db_errors.TimeoutError,  # no pooled connection came free in time
)
"""What the database raises while it restarts or is out of reach: a 503 to retry, not a
500 (the transaction is rolled back, so nothing is half-written)."""
DATABASE_RETRY_AFTER_SECONDS = 2

_HTTP_KINDS: dict[int, type[Problem]] = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    423: Locked,
    429: TooManyRequests,
    503: ServiceUnavailable,
}


def install_problem_handlers(app: FastAPI) -> None:
    """Make every error of `app` leave as problem+json."""

    async def on_problem(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, Problem)
        return problem_response(exc, request)

    async def on_validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        errors = field_errors(exc)
        fields = ", ".join(e["field"] for e in errors)
        return problem_response(
            InvalidInput(f"Invalid value for: {fields}", errors=errors), request
        )

    async def on_http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        kind = _HTTP_KINDS.get(exc.status_code)
        if kind is None:
            problem = Problem(str(exc.detail), headers=dict(exc.headers or {}))
            problem.status = exc.status_code
            problem.kind = f"http-{exc.status_code}"
            problem.title = str(exc.detail)
        else:
            problem = kind(str(exc.detail), headers=dict(exc.headers or {}))
        return problem_response(problem, request)

    async def on_database_outage(request: Request, exc: Exception) -> JSONResponse:
        # One line without the statement or its parameters: an outage hits every request.
        log.warning("database unavailable", extra={"error": type(exc.__cause__ or exc).__name__})
        problem = ServiceUnavailable(
            "The database is not available right now; try again shortly.",
            headers={"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)},
        )
        return problem_response(problem, request)

    async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        return problem_response(Problem("An unexpected error occurred."), request)

    app.add_exception_handler(Problem, on_problem)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    for outage in DATABASE_OUTAGES:
        app.add_exception_handler(outage, on_database_outage)
    app.add_exception_handler(Exception, on_unexpected)
