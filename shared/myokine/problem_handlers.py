"""FastAPI's exception handlers that answer every error of an app as problem+json.

Apart from `myokine.problems` so that only a process serving HTTP imports FastAPI: the
operator's commands and the workers raise problems but never answer them.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import exc as db_errors
from starlette.exceptions import HTTPException as StarletteHTTPException

from myokine.problems import (
    PROBLEM_JSON,
    BadRequest,
    Conflict,
    Forbidden,
    InvalidInput,
    Locked,
    NotFound,
    Problem,
    ServiceUnavailable,
    TooManyRequests,
    Unauthorized,
    field_errors,
)

log = logging.getLogger(__name__)


def problem_response(problem: Problem, request: Request | None = None) -> JSONResponse:
    """The HTTP response of a problem."""
    instance = str(request.url.path) if request is not None else None
    return JSONResponse(
        problem.body(instance),
        status_code=problem.status,
        media_type=PROBLEM_JSON,
        headers=problem.headers,
    )


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
