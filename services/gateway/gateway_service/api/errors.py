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
    413: ("too-large", "Payload too large", "At most 20,000 rows in one import."),
    415: (
        "unsupported-media-type",
        "Unsupported media type",
        "Send the import as text/csv or application/x-ndjson.",
    ),
    422: ("validation", "Invalid input", "Invalid value for: reps"),
    423: ("locked", "Locked", "Too many wrong PINs: this badge is locked for now."),
    429: ("rate-limited", "Too many requests", "Too many requests: at most 120 a minute."),
    502: ("bad-gateway", "Bad gateway", "The logging service failed (status 500)."),
    503: ("unavailable", "Service unavailable", "The logging service is not available right now."),
}

_HEADERS: dict[int, dict[str, Any]] = {
    423: {
        "Retry-After": {
            "description": "Seconds until the lock ends.",
            "schema": {"type": "integer"},
        }
    },
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


def problem_json_openapi(app: FastAPI) -> None:
    """Make the OpenAPI document say what the app does: every 422 is problem+json.

    FastAPI documents its own validation answer (HTTPValidationError) on each route with
    parameters; the problem handlers answer those as problem+json with `errors` instead.
    """
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        doc = build()
        validation = problems(422)[422]
        for operations in doc.get("paths", {}).values():
            for operation in operations.values():
                responses = operation.get("responses", {})
                if "422" in responses and PROBLEM_JSON not in responses["422"].get("content", {}):
                    responses["422"] = {
                        "description": validation["description"],
                        "content": validation["content"],
                    }
        app.openapi_schema = doc
        return doc

    app.openapi = openapi  # type: ignore[method-assign]
