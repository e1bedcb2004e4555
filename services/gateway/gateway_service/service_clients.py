"""Calling the program, logging and progression services over HTTP.

Every call carries a fresh signed internal token for the caller and the request id. A
service that does not answer in time becomes a 503 with Retry-After (never a 500); a
problem+json answer from a service is passed through to the client as it is.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Any

import httpx

from myokine.internal_auth import Caller, sign_internal_token
from myokine.problems import PROBLEM_JSON, TYPE_BASE, Problem, ServiceUnavailable
from myokine.request_context import REQUEST_ID_HEADER, current_request_id

log = logging.getLogger(__name__)


class ServiceProblem(Problem):
    """A problem+json document a service answered, passed on unchanged (but its instance)."""

    def __init__(self, status: int, document: dict[str, Any], headers: dict[str, str]) -> None:
        super().__init__(str(document.get("detail") or document.get("title") or "Error"))
        self.status = status
        self.kind = str(document.get("type", "")).removeprefix(TYPE_BASE) or f"http-{status}"
        self.title = str(document.get("title") or "Error")
        self.document = document
        self.headers = headers

    def body(self, instance: str | None = None) -> dict[str, Any]:
        """The service's document, with the gateway's path as its instance."""
        doc = dict(self.document)
        doc["status"] = self.status
        if instance:
            doc["instance"] = instance
        return doc


class BadGateway(Problem):
    """A service answered something that is neither a result nor a problem document."""

    status, kind, title = 502, "bad-gateway", "Bad gateway"


@dataclass(frozen=True)
class Timeouts:
    """How long the gateway waits for a service."""

    connect: float
    read: float
    write: float
    retry_after: int


class ServiceClient:
    """One service, reached at `base_url`."""

    def __init__(
        self,
        name: str,
        base_url: str,
        *,
        secret: str,
        token_ttl: int,
        timeouts: Timeouts,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.name = name
        self._secret = secret
        self._token_ttl = token_ttl
        self._timeouts = timeouts
        self._base_url = base_url.rstrip("/") + "/internal/v1"
        self._transport = transport
        self._client: httpx.Client | None = None
        self._opening = threading.Lock()

    @property
    def _http(self) -> httpx.Client:
        # Made on first use: a client loads the TLS trust store (a third of a second), which
        # the operator's commands and the workers, calling no service, never need.
        with self._opening:
            if self._client is None:
                self._client = httpx.Client(
                    base_url=self._base_url,
                    transport=self._transport,
                    timeout=httpx.Timeout(self._timeouts.read, connect=self._timeouts.connect),
                )
            return self._client

    def close(self) -> None:
        """Close the connection pool, if one was opened."""
        with self._opening:
            if self._client is not None:
                self._client.close()
                self._client = None

    def _unavailable(self, why: str) -> ServiceUnavailable:
        return ServiceUnavailable(
            f"The {self.name} service is not available right now; try again shortly.",
            headers={"Retry-After": str(self._timeouts.retry_after)},
            service=self.name,
            reason=why,
        )

    def call(
        self,
        method: str,
        path: str,
        caller: Caller,
        *,
        json: Any = None,
        params: dict[str, str] | None = None,
        idempotency_key: str | None = None,
    ) -> Any:
        """Call the service as `caller`; the decoded JSON answer, or raise a Problem."""
        headers = {
            "Authorization": "Bearer "
            + sign_internal_token(caller, self._secret, ttl_seconds=self._token_ttl),
        }
        request_id = current_request_id()
        if request_id:
            headers[REQUEST_ID_HEADER] = request_id
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        write = method.upper() not in ("GET", "HEAD")
        timeout = httpx.Timeout(
            self._timeouts.write if write else self._timeouts.read,
            connect=self._timeouts.connect,
        )
        try:
            response = self._http.request(
                method, path, json=json, params=params, headers=headers, timeout=timeout
            )
        except httpx.TimeoutException as exc:
            log.warning("%s service timed out", self.name, extra={"error": repr(exc)})
            raise self._unavailable("timeout") from exc
        except httpx.TransportError as exc:
            log.warning("%s service unreachable", self.name, extra={"error": repr(exc)})
            raise self._unavailable("unreachable") from exc
        return self._answer(response)

    def _answer(self, response: httpx.Response) -> Any:
        if response.status_code == 204:
            return None
        is_problem = response.headers.get("content-type", "").startswith(PROBLEM_JSON)
        if response.is_success:
            try:
                return response.json()
            except ValueError as exc:
                raise BadGateway(f"The {self.name} service answered unreadable JSON.") from exc
        if response.status_code in (502, 503, 504):
            raise self._unavailable(f"status {response.status_code}")
        if is_problem and response.status_code < 500:
            try:
                document = response.json()
            except ValueError as exc:
                raise BadGateway(f"The {self.name} service answered unreadable JSON.") from exc
            passed = {k: v for k, v in response.headers.items() if k.lower() in ("retry-after",)}
            raise ServiceProblem(response.status_code, document, passed)
        log.error("%s service failed", self.name, extra={"status": response.status_code})
        raise BadGateway(f"The {self.name} service failed (status {response.status_code}).")


@dataclass
class Services:
    """The three services the gateway fronts."""

    program: ServiceClient
    logging: ServiceClient
    progression: ServiceClient

    def close(self) -> None:
        """Close every connection pool."""
        for client in (self.program, self.logging, self.progression):
            client.close()
