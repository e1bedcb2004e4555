"""problem+json (RFC 9457): the one way every service answers an error.

Domain code raises a `Problem` (or one of its kinds below);
`myokine.problem_handlers.install_problem_handlers` maps it, FastAPI's request validation
errors, a database that does not answer and anything unexpected to
`application/problem+json` with a stable `type` per kind of error. This module imports no
web framework: the operator's commands raise and report these too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi.exceptions import RequestValidationError
    from pydantic import ValidationError

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


def field_errors(exc: RequestValidationError | ValidationError) -> list[dict[str, str]]:
    """FastAPI's (or pydantic's) validation errors as `{"field", "message"}`, the field as
    a dotted path."""
    errors = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path", "header")]
        errors.append({"field": ".".join(loc) or "body", "message": str(err.get("msg", ""))})
    return errors
