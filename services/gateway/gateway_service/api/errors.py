"""The error answers each route documents in OpenAPI, as problem+json with an example."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from gateway_service.schemas.problems import ProblemOut
from myokine.problems import PROBLEM_JSON, TYPE_BASE

_ERRORS: dict[int, tuple[str, str, str]] = {
    400: ("bad-request", "Bad request", "The request is malformed."),
    401: ("unauthorized", "Not authenticated", "A bearer token is required."),
    403: ("forbidden", "Not allowed", "This call is for trainers."),
    404: ("not-found", "Not found", "No such member."),
    409: ("conflict", "Conflict", "This Idempotency-Key was used with another body."),
    413: ("too-large", "Payload too large", "The body is larger than this call takes."),
    415: (
        "unsupported-media-type",
        "Unsupported media type",
        "Send the import as text/csv or application/x-ndjson.",
    ),
    422: ("validation", "Invalid input", "Invalid value for: reps"),
    429: ("rate-limited", "Too many requests", "Too many requests: at most 120 a minute."),
    502: ("bad-gateway", "Bad gateway", "The logging service failed (status 500)."),
    503: ("unavailable", "Service unavailable", "The logging service is not available right now."),
}

_HEADERS: dict[int, dict[str, Any]] = {
    429: {
        "Retry-After": {
            "description": "Seconds until the next window.",
            "schema": {"type": "integer"},
        }
    },
    503: {
        "Retry-After": {
            "description": "Seconds to wait before retrying.",
            "schema": {"type": "integer"},
        }
    },
}


_PROBLEM_REF = {"$ref": "#/components/schemas/ProblemOut"}


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for these error statuses (429, 502 and 503 are always possible)."""
    documented: dict[int | str, dict[str, Any]] = {}
    for status in sorted({*statuses, 429, 502, 503}):
        kind, title, detail = _ERRORS[status]
        example: dict[str, Any] = {
            "type": TYPE_BASE + kind,
            "title": title,
            "status": status,
            "detail": detail,
        }
        if status == 422:
            example["errors"] = [{"field": "reps", "message": "Input should be at most 100"}]
        documented[status] = {
            "model": ProblemOut,
            "description": title,
            "content": {PROBLEM_JSON: {"schema": _PROBLEM_REF, "example": example}},
        }
        if status in _HEADERS:
            documented[status]["headers"] = _HEADERS[status]
    return documented


def identify_problems() -> dict[int | str, dict[str, Any]]:
    """The errors of identifying at a kiosk: its 429 is mostly the PIN backoff's wait, and
    no 502, as it calls no service."""
    documented = problems(401, 403, 422)
    del documented[502]
    waiting = documented[429]
    waiting["description"] = (
        "Too many wrong PINs: this badge (or this kiosk) waits. Also the kiosk's rate limit, "
        "without `retry_after` in the body."
    )
    waiting["headers"] = {
        "Retry-After": {
            "description": "Seconds until the wait ends.",
            "schema": {"type": "integer"},
        }
    }
    waiting["content"][PROBLEM_JSON]["example"] = {
        "type": TYPE_BASE + "rate-limited",
        "title": "Too many requests",
        "status": 429,
        "detail": "Too many wrong PINs: try again in 30 seconds.",
        "retry_after": 30,
    }
    return documented


def problem_json_openapi(app: FastAPI) -> None:
    """Make the OpenAPI document say what the app does: every 422 is problem+json, and
    every operation may answer the edge guard's refusals.

    FastAPI documents its own validation answer (HTTPValidationError) on each route with
    parameters; the problem handlers answer those as problem+json with `errors` instead.
    Before any route runs, a request whose query string or body cannot be read at all (not
    UTF-8, not JSON) is a 400, and a body over the size limit a 413 (`myokine/edge.py`).
    An operation that takes an Idempotency-Key answers 409 to a key sent again with another
    request.
    """
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        doc = build()
        validation = problems(422)[422]
        # As FastAPI writes them into the document: no `model` (the schema is referenced).
        refusals = {
            str(status): {key: value for key, value in answer.items() if key != "model"}
            for status, answer in problems(400, 409, 413).items()
        }
        for operations in doc.get("paths", {}).values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                responses.setdefault("400", refusals["400"])
                if "requestBody" in operation:
                    responses.setdefault("413", refusals["413"])
                if any(p.get("name") == "Idempotency-Key" for p in operation.get("parameters", [])):
                    responses.setdefault("409", refusals["409"])
                if "422" in responses and PROBLEM_JSON not in responses["422"].get("content", {}):
                    responses["422"] = {
                        "description": validation["description"],
                        "content": validation["content"],
                    }
        app.openapi_schema = doc
        return doc

    app.openapi = openapi  # type: ignore[method-assign]
